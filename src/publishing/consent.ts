import type { SaveCheck } from './check.ts'
import { ImageConsentError } from './errors.ts'
import { imagesShown } from './images-shown.ts'

/**
 * Before a page with images goes outward (public or unlisted), its author confirms that
 * everyone shown agreed to be published. Images the page already showed when it was
 * published before were confirmed then and are not asked about again.
 */
export function createImageConsentCheck (): SaveCheck {
  return ({ source, parsed, previous, confirmConsent }) => {
    if (parsed.fields.visibility === 'local' || confirmConsent === true) return
    let images = imagesShown(source)
    if (images.length === 0) return
    if (previous !== null && previous.fields.visibility !== 'local') {
      const known = new Set(imagesShown(previous.source))
      images = images.filter(image => !known.has(image))
    }
    if (images.length > 0) throw new ImageConsentError(images)
  }
}
