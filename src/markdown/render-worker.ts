import { parentPort } from 'node:worker_threads'
import { createMarkdownRenderer, type RenderedMarkdown } from './render.ts'
import type { RenderJob, RenderReply } from './render-thread.ts'

/**
 * Renders large page sources with the server's own Markdown set-up, so the server's event
 * loop never waits for markdown-it. One job at a time; a job past its deadline ends this
 * thread from outside.
 */
const renderer = createMarkdownRenderer()

function run (job: RenderJob): string[] | RenderedMarkdown {
  if (job.kind === 'link-targets') return [...renderer.linkTargets(job.body, job.language)]
  const existing = new Set(job.existing)
  return renderer.render(job.body, { language: job.language, pageExists: slug => existing.has(slug), missingPageTitle: job.missingPageTitle, imageSizes: job.imageSizes })
}

parentPort?.on('message', ({ id, job }: { id: number, job: RenderJob }) => {
  let reply: RenderReply
  try {
    reply = { id, result: run(job) }
  } catch (error) {
    reply = { id, error: error instanceof Error ? error.message : String(error) }
  }
  parentPort?.postMessage(reply)
})
// Starting takes a second or more under tsx; a job's deadline counts from here.
parentPort?.postMessage({ ready: true })
