import type { MarkdownIt, RendererRule } from 'markdown-it'

/** A stored image's size and its smaller display sizes, as the page will offer them to the browser. */
export interface ImageSize {
  width: number
  height: number
  /** Smaller copies of the same picture, each at its own address. */
  variants: Array<{ src: string, width: number }>
}

/** Sizes of the images a text shows, by the address it gives them; images not stored here are absent. */
export type ImageSizes = Record<string, ImageSize>

export interface ImageSizesEnv {
  imageSizes?: ImageSizes
}

/**
 * The widest an image is shown: the reading column (46rem, less its padding on wide screens,
 * the whole screen on narrow ones). The browser takes the smallest display size that fills it.
 */
const SIZES = '(max-width: 46rem) 100vw, 46rem'

/**
 * Images whose sizes are known get `width` and `height` (the page keeps their place while
 * they load, with no jump), and with display sizes a `srcset` of them and the original, so a
 * phone loads the small copy. Every address is one of this site's own, as the `img-src 'self'`
 * policy wants; images from elsewhere render as markdown-it renders them.
 */
export function imageSizesPlugin (md: MarkdownIt): void {
  const image: RendererRule = md.renderer.rules.image ?? ((tokens, index, options, _env, self) => self.renderToken(tokens, index, options))
  md.renderer.rules.image = (tokens, index, options, env, self) => {
    const token = tokens[index]
    const src = token?.attrGet('src') ?? ''
    const known = (env as ImageSizesEnv | undefined)?.imageSizes
    // Own keys only: an image at "constructor" is no stored image.
    const size = known !== undefined && Object.hasOwn(known, src) ? known[src] : undefined
    if (token !== undefined && size !== undefined) {
      token.attrSet('width', String(size.width))
      token.attrSet('height', String(size.height))
      if (size.variants.length > 0) {
        token.attrSet('srcset', [...size.variants.map(variant => `${variant.src} ${variant.width}w`), `${src} ${size.width}w`].join(', '))
        token.attrSet('sizes', SIZES)
      }
    }
    return image(tokens, index, options, env, self)
  }
}
