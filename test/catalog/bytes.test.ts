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

  test('addJsonString writes exactly what JSON.stringify makes of the decoded text, whatever it holds and wherever the chunks end', () => {
    // every control character, quotes, backslashes, DEL, line separators, multi-byte characters, surrogate pairs, a lone surrogate
    const alphabet = [...Array.from({ length: 32 }, (_, c) => String.fromCharCode(c)), '"', '\\', '\u007f', '\u2028', '\u2029', 'a', '/', 'é', '€', '😀', '\ud800', 'model-']
    const rand = mulberry32(7)
    const enc = new TextEncoder()
    const b = new Bytes()
    let expected = ''
    for (let i = 0; i < 20_000; i++) {
      // mostly short, now and then longer than the byte-by-byte copy; many with nothing to escape
      const n = rand() < 0.05 ? 40 + Math.floor(rand() * 200) : Math.floor(rand() * 12)
      const plain = rand() < 0.5
      const s = Array.from({ length: n }, () => (plain ? 'abc-/é€😀'[Math.floor(rand() * 9)] : alphabet[Math.floor(rand() * alphabet.length)])).join('')
      // inside a larger buffer: only [start, end) is written
      const encoded = enc.encode(`<${s}>`)
      b.addJsonString(encoded, 1, encoded.length - 1)
      // a lone surrogate was encoded as U+FFFD: what JSON.stringify makes of the text the bytes hold
      expected += JSON.stringify(new TextDecoder().decode(encoded.subarray(1, encoded.length - 1)))
    }
    const out = new TextDecoder().decode(b.done())
    expect(out.length).toBe(expected.length)
    expect(out === expected).toBe(true)
  })

  test('addJsonString near misses: a character to escape first, last or alone is escaped; a byte just outside the range is not written', () => {
    const enc = new TextEncoder()
    for (const s of ['"abc', 'abc"', '\\', '\n', 'abc\u001f', '\u0000xyz', '\u007f', `${'x'.repeat(100)}"`]) {
      const b = new Bytes()
      const encoded = enc.encode(`"${s}\\`) // an escapable byte on each side of the range
      b.addJsonString(encoded, 1, encoded.length - 1)
      expect(new TextDecoder().decode(b.done())).toBe(JSON.stringify(s))
    }
  })

  test('addRange copies exactly the range, short or long, across chunks', () => {
    const src = new Uint8Array(5000).map((_, i) => i % 251)
    const b = new Bytes()
    const parts: number[] = []
    for (let i = 0; i < 3000; i++) {
      const start = (i * 37) % 4000
      const end = start + (i % 3 === 0 ? 500 : i % 70)
      b.addRange(src, start, end)
      parts.push(...src.subarray(start, end))
    }
    const out = b.done()
    expect(out.length).toBe(parts.length)
    expect(Buffer.compare(Buffer.from(out), Buffer.from(parts))).toBe(0)
  })
})
