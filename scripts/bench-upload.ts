// Uploading a 3 MB photo (metadata stripped, display sizes made) against uploading a 3 MB PDF, in one run.
// Usage: npm run bench:upload   (BENCH_ROUNDS to change the number of uploads of each, default 15)
// bench:edit imports measureUploads and runs it against its own instance.
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import sharp from 'sharp'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config/index.ts'
import { milliseconds, percentile } from './latency.ts'

/** The target for a 3 MB photo with its display sizes. */
export const UPLOAD_TARGET_MS = 1000
const PHOTO_BYTES = 3 * 1024 * 1024

export interface UploadTimes {
  medianMs: number
  p95Ms: number
  /** Bytes of each file sent, on average. */
  bytes: number
}

export interface UploadBenchResult {
  photo: UploadTimes
  /** The same size of PDF: the request, the type check and the store, without image work. */
  pdf: UploadTimes
  /** Display sizes the server made of each photo. */
  variants: number
}

/**
 * A photo of 4000 × 3000 pixels (12 megapixels, as phones take them) of about 3 MB, with
 * EXIF to strip. Coarse noise scaled up, so it compresses like a photo rather than like
 * either a flat colour or pure noise; the quality is chosen so the file comes near 3 MB.
 */
export async function threeMegabytePhoto (): Promise<Buffer> {
  const coarse = await sharp(randomBytes(400 * 300 * 3), { raw: { width: 400, height: 300, channels: 3 } }).resize(4000, 3000, { kernel: 'cubic' }).raw().toBuffer()
  const grain = randomBytes(coarse.length)
  for (let index = 0; index < coarse.length; index++) coarse[index] = (coarse[index]! + (grain[index]! >> 3)) & 0xff
  let best: Buffer | null = null
  for (const quality of [90, 80, 70, 95, 60, 97]) {
    const jpeg = await sharp(coarse, { raw: { width: 4000, height: 3000, channels: 3 } })
      .withMetadata({ orientation: 1 }).withExifMerge({ IFD0: { Make: 'Bench camera' } })
      .jpeg({ quality }).toBuffer()
    if (best === null || Math.abs(jpeg.length - PHOTO_BYTES) < Math.abs(best.length - PHOTO_BYTES)) best = jpeg
    if (Math.abs(jpeg.length - PHOTO_BYTES) < PHOTO_BYTES * 0.1) break
  }
  return best!
}

/** A PDF of about 3 MB: one stream of random bytes, different each time. */
export function threeMegabytePdf (): Buffer {
  const content = randomBytes(PHOTO_BYTES)
  return Buffer.concat([
    Buffer.from(`%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n3 0 obj<</Length ${content.length}>>stream\n`),
    content,
    Buffer.from('\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n')
  ])
}

async function timedUpload (baseUrl: string, token: string, file: { bytes: Buffer, name: string, type: string }, alt: string): Promise<{ ms: number, variants: number }> {
  const body = new FormData()
  body.append('alt', alt)
  body.append('file', new Blob([file.bytes], { type: file.type }), file.name)
  const started = performance.now()
  const response = await fetch(`${baseUrl}/api/media`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body, signal: AbortSignal.timeout(30_000) })
  const answer = await response.json() as { variants?: unknown[], error?: string }
  const ms = performance.now() - started
  if (response.status !== 201) throw new Error(`uploading ${file.name} answered ${response.status}: ${JSON.stringify(answer)}`)
  return { ms, variants: answer.variants?.length ?? 0 }
}

/**
 * Median and p95 of uploading distinct 3 MB photos (each stored anew: files are kept by
 * their content) and, alternating with them, distinct 3 MB PDFs, through `POST /api/media`
 * of a running instance with an editor's API token. The photos are made before timing starts.
 */
export async function measureUploads (options: { baseUrl: string, token: string, rounds?: number }): Promise<UploadBenchResult> {
  const rounds = Math.max(1, Math.min(options.rounds ?? 15, 200))
  const photos: Buffer[] = []
  for (let round = 0; round < rounds; round++) photos.push(await threeMegabytePhoto())
  const photoTimes: number[] = []
  const pdfTimes: number[] = []
  let variants = 0
  // One of each first, not counted: the first request pays for warming up (indexes, JIT).
  await timedUpload(options.baseUrl, options.token, { bytes: await threeMegabytePhoto(), name: 'warm-up.jpg', type: 'image/jpeg' }, 'warm-up')
  await timedUpload(options.baseUrl, options.token, { bytes: threeMegabytePdf(), name: 'warm-up.pdf', type: 'application/pdf' }, '')
  for (let round = 0; round < rounds; round++) {
    const photo = await timedUpload(options.baseUrl, options.token, { bytes: photos[round]!, name: `foto-${round}.jpg`, type: 'image/jpeg' }, `Foto ${round}`)
    photoTimes.push(photo.ms)
    variants = photo.variants
    pdfTimes.push((await timedUpload(options.baseUrl, options.token, { bytes: threeMegabytePdf(), name: `bericht-${round}.pdf`, type: 'application/pdf' }, '')).ms)
  }
  const average = (files: Buffer[]) => files.reduce((sum, file) => sum + file.length, 0) / files.length
  return {
    photo: { medianMs: percentile(photoTimes, 0.5), p95Ms: percentile(photoTimes, 0.95), bytes: average(photos) },
    pdf: { medianMs: percentile(pdfTimes, 0.5), p95Ms: percentile(pdfTimes, 0.95), bytes: threeMegabytePdf().length },
    variants
  }
}

/** Prints the result as the other benchmarks do: the photo, the PDF baseline, their ratio and the target. */
export function reportUploads (result: UploadBenchResult): string {
  const megabytes = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1)
  const lines = [
    `upload of a ${megabytes(result.photo.bytes)} MB JPEG (4000 × 3000, metadata stripped, ${result.variants} display sizes): median ${milliseconds(result.photo.medianMs)} ms, p95 ${milliseconds(result.photo.p95Ms)} ms`,
    `upload of a ${megabytes(result.pdf.bytes)} MB PDF (baseline, stored as sent): median ${milliseconds(result.pdf.medianMs)} ms, p95 ${milliseconds(result.pdf.p95Ms)} ms`,
    `photo / PDF: ${(result.photo.medianMs / result.pdf.medianMs).toFixed(1)}× at the median`,
    `target: photo p95 ≤ ${UPLOAD_TARGET_MS} ms: ${result.photo.p95Ms <= UPLOAD_TARGET_MS ? 'PASS' : 'MISS'}`
  ]
  return `${lines.join('\n')}\n`
}

async function main (): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-bench-upload-'))
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', FEDERATION_KEY_BITS: '2048', UPLOAD_LIMIT_MB: '10' })
  const app = await buildApp(config, { logger: false })
  try {
    const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' })
    await app.auth.accounts.create({ username: 'bench', password: 'bench password for uploads', role: 'editor' })
    const { token } = await app.auth.accounts.createToken('bench', 'bench:upload')
    const rounds = Number(process.env.BENCH_ROUNDS ?? 15)
    process.stdout.write(`${rounds} uploads of each, alternating, on ${os.cpus().length} cores (Node ${process.version})\n`)
    process.stdout.write(reportUploads(await measureUploads({ baseUrl, token, rounds })))
  } finally {
    await app.close()
    await rm(dataDir, { recursive: true, force: true })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main()
