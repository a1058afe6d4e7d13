import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DocumentSlabs } from '../../src/store/embedded/slabs.ts'

const bytesOf = (length: number, fill: number): Buffer => Buffer.alloc(length, fill)

describe('the slabs that hold stored documents', () => {
  it('packs small documents into one slab and gives a large one its own', () => {
    const slabs = new DocumentSlabs()
    const small = [slabs.store(bytesOf(100, 1)), slabs.store(bytesOf(200, 2)), slabs.store(bytesOf(300, 3))]
    assert.equal(new Set(small.map(stored => stored.slab)).size, 1)
    assert.deepEqual(small.map(stored => stored.offset), [0, 100, 300])
    assert.ok(small[1]!.bytes.equals(bytesOf(200, 2)))
    const large = slabs.store(bytesOf(200_000, 4))
    assert.notEqual(large.slab, small[0]!.slab)
    assert.equal(large.slab.memory.length, 200_000)
    assert.equal(slabs.heldBytes, 600 + 200_000)
    // A large document's slab goes with it; the current slab stays, dead bytes and all.
    slabs.release(large)
    assert.equal(slabs.heldBytes, 600)
    slabs.release(small[0]!)
    assert.equal(slabs.heldBytes, 600)
  })

  it('counts a full slab out once its last document is released', () => {
    const slabs = new DocumentSlabs()
    const first = Array.from({ length: 8 }, () => slabs.store(bytesOf(60_000, 5)))
    const later = slabs.store(bytesOf(60_000, 6))
    assert.notEqual(later.slab, first[0]!.slab, 'the ninth no longer fits the first slab')
    for (const stored of first) slabs.release(stored)
    assert.equal(slabs.heldBytes, 60_000)
  })

  it('moves the documents of mostly dead slabs on, once enough bytes are dead', () => {
    const slabs = new DocumentSlabs()
    const all = Array.from({ length: 400 }, (_, n) => slabs.store(bytesOf(50_000, n % 256)))
    const kept = all.filter((_, n) => n % 10 === 0)
    assert.equal(slabs.wasteful(), false)
    for (const stored of all) if (!kept.includes(stored)) slabs.release(stored)
    assert.equal(slabs.wasteful(), true)
    slabs.compact(kept)
    assert.equal(slabs.wasteful(), false)
    assert.ok(new Set(kept.map(stored => stored.slab)).size <= 5)
    assert.ok(slabs.heldBytes <= 5 * 512 * 1024, `${slabs.heldBytes} bytes held`)
    kept.forEach((stored, i) => assert.ok(stored.bytes.equals(bytesOf(50_000, (i * 10) % 256))))
  })

  it('makes a pass only after enough new garbage, however many small updates come', () => {
    const slabs = new DocumentSlabs()
    const live = Array.from({ length: 20_000 }, () => slabs.store(bytesOf(1000, 7)))
    // 20 MB live, then 60,000 scattered replacements: 60 MB die, a few passes' worth at 16 MiB each.
    let seed = 7
    for (let n = 0; n < 60_000; n++) {
      // Scattered, so that slabs die a document at a time rather than whole.
      seed = (Math.imul(seed, 1_664_525) + 1_013_904_223) >>> 0
      const index = seed % live.length
      slabs.release(live[index]!)
      live[index] = slabs.store(bytesOf(1000, 8))
      if (slabs.wasteful()) slabs.compact(live)
    }
    assert.ok(slabs.passes >= 1 && slabs.passes <= 5, `${slabs.passes} passes`)
    assert.ok(slabs.heldBytes < 40 * 1024 * 1024, `${slabs.heldBytes} bytes held for 20 MB live`)
  })
})
