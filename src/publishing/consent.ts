import type { SaveCheck, SaveCheckInput } from './check.ts'
import { ImageConsentError } from './errors.ts'
import { imagesShown } from './images-shown.ts'

/**
 * The images whose publication the author must confirm before this text is stored: none
 * for a local page; else the images it shows, but for those the page already showed when
 * it went outward before (they were confirmed then and are not asked about again).
 */
export function imagesAwaitingConsent ({ source, parsed, previous }: Pick<SaveCheckInput, 'source' | 'parsed' | 'previous'>): string[] {
  if (parsed.fields.visibility === 'local') return []
  const images = imagesShown(source)
  if (images.length === 0 || previous === null || previous.fields.visibility === 'local') return images
  const known = new Set(imagesShown(previous.source))
  return images.filter(image => !known.has(image))
}

/** Before a page with images goes outward (public or unlisted), its author confirms that everyone shown agreed to be published. */
export function createImageConsentCheck (): SaveCheck {
  return (input) => {
    if (input.confirmConsent === true) return
    const images = imagesAwaitingConsent(input)
    if (images.length > 0) throw new ImageConsentError(images)
  }
}
