import { describe, expect, test } from 'bun:test'
import { Bytes } from '../../src/lib/bytes'
import { mulberry32 } from '../helpers/random'

/**
 * The chunked UTF-8 buffer the query index and the unique view are written into (src/lib/bytes.ts): whatever
 * the strings (multi-byte characters, surrogate pairs, strings longer than a chunk) and wherever the chunk
 * boundaries fall, what it joins is the UTF-8 of their concatenation, and `len` tracks it.
 */

const PIECES = ['a', 'Z', 'é', '€', '😀', '\u0000', 'model-', '"', '日本語', 'ÄÖÜ']

describe('Bytes: a growing UTF-8 buffer in chunks', () => {
  for (const seed of [1, 2, 3])
    test(`random strings across chunk boundaries (seed ${seed}): the join is the UTF-8 of the concatenation`, () => {
      const rand = mulberry32(seed)
      const b = new Bytes()
      const all: string[] = []
      let bytes = 0
      for (let i = 0; i < 20_000; i++) {
        // mostly short strings, now and then one longer than a whole chunk
        const n = rand() < 0.001 ? (1 << 20) + Math.floor(rand() * 5000) : Math.floor(rand() * 40)
        const s = Array.from({ length: Math.ceil(n / 4) }, () => PIECES[Math.floor(rand() * PIECES.length)])
          .join('')
          .slice(0, n)
        b.add(s)
        all.push(s)
        bytes += Buffer.byteLength(s, 'utf8')
        if (i % 997 === 0) expect(b.len).toBe(bytes)
      }
      const expected = new TextEncoder().encode(all.join(''))
      const out = b.done()
      expect(out.length).toBe(expected.length)
      expect(Buffer.compare(Buffer.from(out), Buffer.from(expected))).toBe(0)
    })

  test('lowerSince lower-cases ASCII letters written since a position, across chunks, and nothing before it or beyond ASCII', () => {
    const b = new Bytes()
    b.add('KEEP-')
    const from = b.len
    const text = `${'ABC-É-'.repeat(300_000)}XYZ` // ~2 MB: spans several chunks
    b.add(text)
    b.lowerSince(from)
    const out = new TextDecoder().decode(b.done())
    expect(out).toBe(`KEEP-${text.replace(/[A-Z]/g, (c) => c.toLowerCase())}`)
    expect(out).toContain('É') // non-ASCII untouched
  })
})
