/** A type the wiki takes: its name, the extensions its files may have, and whether it is shown as an image. */
export interface MediaType {
  mime: string
  extensions: readonly string[]
  image: boolean
}

/**
 * The allow-list. Images are re-encoded without metadata; documents are stored as they
 * came and always served as downloads, never shown in the browser.
 */
export const ALLOWED_TYPES: readonly MediaType[] = [
  { mime: 'image/jpeg', extensions: ['jpg', 'jpeg'], image: true },
  { mime: 'image/png', extensions: ['png'], image: true },
  { mime: 'image/webp', extensions: ['webp'], image: true },
  { mime: 'image/gif', extensions: ['gif'], image: true },
  { mime: 'application/pdf', extensions: ['pdf'], image: false },
  { mime: 'text/plain', extensions: ['txt'], image: false },
  { mime: 'text/csv', extensions: ['csv'], image: false },
  { mime: 'application/vnd.oasis.opendocument.text', extensions: ['odt'], image: false },
  { mime: 'application/vnd.oasis.opendocument.spreadsheet', extensions: ['ods'], image: false },
  { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', extensions: ['docx'], image: false },
  { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', extensions: ['xlsx'], image: false }
]

export function allowedType (mime: string): MediaType | undefined {
  return ALLOWED_TYPES.find(type => type.mime === mime)
}

export function typeOfExtension (extension: string): MediaType | undefined {
  return ALLOWED_TYPES.find(type => type.extensions.includes(extension))
}
