import { createMarkdownRenderer, type MarkdownRenderer } from '../../src/markdown/render.ts'

/** The real renderer, counting the renders and the link readings it does in this thread. */
export function countingRenderer (): MarkdownRenderer & { renders: number, linkReadings: number } {
  const real = createMarkdownRenderer()
  const counting = {
    renders: 0,
    linkReadings: 0,
    render: (body: string, options?: Parameters<MarkdownRenderer['render']>[1]) => {
      counting.renders++
      return real.render(body, options)
    },
    linkTargets: (body: string, language?: string) => {
      counting.linkReadings++
      return real.linkTargets(body, language)
    },
    sourceAsText: real.sourceAsText
  }
  return counting
}
