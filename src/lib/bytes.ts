const decoder = new TextDecoder()
const QUOTE = new Uint8Array([0x22])

/**
 * A growing UTF-8 buffer in chunks (no doubling: a 60 MB list never holds two copies of itself while it
 * grows), joined into one exact-size buffer when done. Chunks grow with the data, up to 1 MB.
 */
export class Bytes {
  static readonly CHUNK = 1 << 20
  static #enc = new TextEncoder()
  #chunks: Uint8Array<ArrayBuffer>[] = []
  #cur = new Uint8Array(1 << 12)
  #at = 0
  len = 0
  add(s: string) {
    let r = Bytes.#enc.encodeInto(s, this.#cur.subarray(this.#at))
    if (r.read < s.length) {
      // did not fit (what was written past #at is ignored): a new chunk, large enough for any encoding of s
      this.#grow(s.length * 3)
      r = Bytes.#enc.encodeInto(s, this.#cur)
    }
    this.#at += r.written
    this.len += r.written
  }
  /** Appends bytes as they are. */
  addBytes(b: Uint8Array) {
    this.addRange(b, 0, b.length)
  }
  /**
   * Appends the UTF-8 text `src[start, end)` as a JSON string literal: exactly what JSON.stringify makes of the
   * decoded text (quotes, `\"`, `\\` and control characters escaped, everything else as it is; text encoded from
   * a JS string is valid UTF-8, so it holds no lone surrogate for JSON.stringify to escape). Copied byte by byte
   * when nothing needs escaping: no string is made.
   */
  addJsonString(src: Uint8Array, start: number, end: number) {
    for (let i = start; i < end; i++) {
      const b = src[i]!
      if (b < 0x20 || b === 0x22 || b === 0x5c) return this.add(JSON.stringify(decoder.decode(src.subarray(start, end))))
    }
    this.addRange(QUOTE, 0, 1)
    this.addRange(src, start, end)
    this.addRange(QUOTE, 0, 1)
  }
  /** Appends `src[start, end)` as they are. */
  addRange(src: Uint8Array, start: number, end: number) {
    const n = end - start
    if (n > this.#cur.length - this.#at) this.#grow(n)
    const cur = this.#cur
    let at = this.#at
    // a short piece byte by byte: cheaper than a native call
    if (n > 64) {
      cur.set(src.subarray(start, end), at)
      at += n
    } else for (let i = start; i < end; i++) cur[at++] = src[i]!
    this.#at = at
    this.len += n
  }
  /** Closes the current chunk and starts one of at least `bytes` (growing with the data, up to CHUNK otherwise). */
  #grow(bytes: number) {
    this.#chunks.push(this.#cur.subarray(0, this.#at))
    this.#cur = new Uint8Array(Math.max(Math.min(Bytes.CHUNK, Math.max(this.len, 1 << 12)), bytes))
    this.#at = 0
  }
  /** Lower-cases the ASCII letters of the bytes written since `from` (a position within the current chunk's run). */
  lowerSince(from: number) {
    const start = this.#at - (this.len - from)
    for (let i = Math.max(0, start); i < this.#at; i++) {
      const b = this.#cur[i]!
      if (b >= 65 && b <= 90) this.#cur[i] = b + 32
    }
    if (start < 0) {
      // the bytes began in earlier chunks
      let back = -start
      for (let c = this.#chunks.length - 1; c >= 0 && back > 0; c--) {
        const chunk = this.#chunks[c]!
        for (let i = Math.max(0, chunk.length - back); i < chunk.length; i++) {
          const b = chunk[i]!
          if (b >= 65 && b <= 90) chunk[i] = b + 32
        }
        back -= chunk.length
      }
    }
  }
  done(): Uint8Array {
    this.#chunks.push(this.#cur.subarray(0, this.#at))
    const out = new Uint8Array(this.len)
    let at = 0
    for (const c of this.#chunks) {
      out.set(c, at)
      at += c.length
      // freed now (detached), not at the next collection: the join never holds the data twice over
      c.buffer.transfer(0)
    }
    this.#chunks = []
    this.#cur = new Uint8Array(0)
    return out
  }
}
