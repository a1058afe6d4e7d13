import { checkFileName, storeUpload, type MediaStore } from '../media/index.ts'
import type { RemoteHttp } from './http.ts'
import { localiseRemoteImages } from './remote-images.ts'

/**
 * The inbox's image step: remote images are fetched through the guarded client (private
 * addresses, blocks, timeouts, at most the upload limit), checked like uploads (type from the
 * bytes, images only, metadata stripped) and stored with the URL they came from.
 */
export function remoteImageCopier (media: MediaStore, http: RemoteHttp, maxBytes: () => number) {
  const copy = async (url: string, alt: string): Promise<string> => {
    const { bytes, contentType } = await http.getBytes(url, maxBytes())
    const result = await storeUpload(media, { bytes, fileName: fileNameOf(url), claimedType: contentType, alt, uploadedBy: null, source: url, requireAlt: false, imagesOnly: true })
    return result.path
  }
  return async (html: string, senderId: string): Promise<string> => await localiseRemoteImages(html, { senderId, copy })
}

/** The last part of the URL's path when it is a usable file name; the bytes decide the type anyway. */
function fileNameOf (url: string): string {
  try {
    return checkFileName(decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '')).name
  } catch {
    return 'remote-image'
  }
}
