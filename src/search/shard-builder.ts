import { analyse, analyserFor, lunr, type Analyser } from './analysis.ts'
import { FIELD_BOOSTS, FIELD_COUNT, FIELDS, type FieldName } from './fields.ts'
import { encodeShardFile, type PostingArrays } from './shard-file.ts'
import type { SearchDocument } from './types.ts'

interface Prepared { ref: string, fields: Record<FieldName, string[]> }

/** Builds the index of these documents and returns the shard file's bytes. */
export function buildShardFile (input: SearchDocument[]): Buffer {
  const documents = input.map(normaliseDocument)
  return encodeShardFile(documents, buildPostings(documents))
}

/**
 * Lunr works out the weights (BM25 per term, field and document); the shard keeps only
 * those, turned into postings per term and field.
 */
function buildPostings (documents: SearchDocument[]): PostingArrays {
  const builder = lunrBuilder()
  documents.forEach((document, position) => { builder.add(prepare(document, String(position))) })
  // Lunr's `build` also makes a token trie of every term, which the shard does not keep:
  // only the steps that work out the weights are run.
  const index = builder as unknown as {
    calculateAverageFieldLengths: () => void
    createFieldVectors: () => void
    invertedIndex: Record<string, { _index: number }>
    fieldVectors: Record<string, { elements: number[] }>
  }
  index.calculateAverageFieldLengths()
  index.createFieldVectors()
  const terms = Object.keys(index.invertedIndex).sort()
  const termOf = new Map<number, number>()
  terms.forEach((term, number) => termOf.set((index.invertedIndex[term] as { _index: number })._index, number))

  // Field vectors hold (Lunr term number, weight) pairs per field and document; turned
  // around they are postings per term and field, ordered by document.
  const offsets = new Uint32Array(terms.length * FIELD_COUNT + 1)
  const vectors: number[][] = []
  for (let position = 0; position < documents.length; position++) {
    for (let field = 0; field < FIELD_COUNT; field++) {
      const elements = index.fieldVectors[`${FIELDS[field] ?? ''}/${position}`]?.elements ?? []
      vectors.push(elements)
      for (let element = 0; element < elements.length; element += 2) {
        const term = termOf.get(elements[element] ?? -1) ?? 0
        ;(offsets[term * FIELD_COUNT + field + 1] as number)++
      }
    }
  }
  for (let slot = 1; slot < offsets.length; slot++) offsets[slot] = (offsets[slot] ?? 0) + (offsets[slot - 1] ?? 0)
  const total = offsets[offsets.length - 1] ?? 0
  const postings = new Uint32Array(total)
  const weights = new Float64Array(total)
  const next = offsets.slice(0, offsets.length - 1)
  let vector = 0
  for (let position = 0; position < documents.length; position++) {
    for (let field = 0; field < FIELD_COUNT; field++) {
      const elements = vectors[vector++] ?? []
      for (let element = 0; element < elements.length; element += 2) {
        const slot = (termOf.get(elements[element] ?? -1) ?? 0) * FIELD_COUNT + field
        const at = next[slot] ?? 0
        postings[at] = position
        weights[at] = elements[element + 1] ?? 0
        next[slot] = at + 1
      }
    }
  }
  return { terms, offsets, postings, weights }
}

/** A Lunr builder for documents made ready by `prepare`: the fields with their boosts. */
export function lunrBuilder (): lunr.Builder {
  const builder = new lunr.Builder()
  // Terms arrive analysed (see analysis.ts); Lunr's own pipelines would analyse them again.
  builder.pipeline.reset()
  builder.searchPipeline.reset()
  builder.ref('ref')
  for (const field of FIELDS) {
    builder.field(field, { boost: FIELD_BOOSTS[field], extractor: (prepared: object) => (prepared as Prepared).fields[field] } as unknown as object)
  }
  return builder
}

export function prepare (document: SearchDocument, ref: string): Prepared {
  const analyser: Analyser = analyserFor(document.language)
  const lesson = document.lesson
  return {
    ref,
    fields: {
      title: analyse(document.title, analyser),
      tags: analyse(document.tags.join(' '), analyser),
      summary: analyse(document.summary, analyser),
      programme: analyse(lesson?.programme ?? '', analyser),
      organisation: analyse(lesson?.organisation ?? '', analyser),
      place: analyse(lesson?.place ?? '', analyser),
      field: analyse(lesson?.field ?? '', analyser),
      body: analyse(document.body, analyser)
    }
  }
}

/** Text is compared by code points, so composed and decomposed umlauts must look the same. */
export function normaliseDocument (document: SearchDocument): SearchDocument {
  return {
    ...document,
    title: document.title.normalize('NFC'),
    summary: document.summary.normalize('NFC'),
    body: document.body.normalize('NFC'),
    tags: document.tags.map(tag => tag.normalize('NFC'))
  }
}
