import { once } from 'node:events'
import { promisify } from 'node:util'
import { Readable } from 'node:stream'
import { brotliCompress, brotliCompressSync, constants, createBrotliCompress, createGunzip, createGzip, gunzipSync, gzip, gzipSync } from 'node:zlib'

const brotli = promisify(brotliCompress)
const gz = promisify(gzip)

/** Bodies smaller than this go out as they are: compressing them saves nothing worth a header. */
const MIN_COMPRESS_BYTES = 1024

export const CACHE_CONTROL = 'public, max-age=60, stale-while-revalidate=300, stale-if-error=86400'

/** Headers of every public GET answer: any origin may read it (no credentials), no sniffing. */
export const PUBLIC_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'ETag, Last-Modified, X-Catalog-Version, X-Request-ID',
  'x-content-type-options': 'nosniff',
}

/** The headers of every answer's body (cached or streamed): validators, caching, the catalog version, CORS. */
export function answerHeaders(etag: string, lastModified: Date, version: number): Record<string, string> {
  return {
    etag,
    'cache-control': CACHE_CONTROL,
    'last-modified': lastModified.toUTCString(),
    vary: 'Accept-Encoding',
    'x-catalog-version': String(version),
    ...PUBLIC_HEADERS,
  }
}

/**
 * An identity body not held in memory, only its length: a client that takes no compression gets the prebuilt gzip
 * variant inflated as it streams (on the libuv pool, not the JS thread). Its ETag and gzip come prebuilt (the full
 * list: the query index holds its rows compressed, and no thread holds the whole list).
 */
export interface StreamedIdentity {
  size: number
}

/**
 * A response body built once per (catalog version, normalized query) and served as bytes from then on:
 * a strong ETag from its content (same catalog → same ETag, across restarts and replicas), and gzip/br
 * variants compressed once, on the libuv thread pool, the first time a client asks for them.
 */
export class CachedBody {
  readonly #bytes?: Uint8Array
  readonly #streamed?: StreamedIdentity
  /** The identity body's length in bytes. */
  readonly length: number
  readonly etag: string
  #gzip?: Promise<Uint8Array>
  #br?: Promise<Uint8Array>
  /** The variants once compressed, so that a response needs no await. */
  #done: { gzip?: Uint8Array; br?: Uint8Array } = {}
  /** Hears the size of each compressed variant as it is added and the milliseconds it took (the answer cache counts both). */
  onCompressed?: (bytes: number, ms: number) => void
  /** Header values fixed for the body's life (built once, not per request). */
  readonly #headers: Record<string, string>

  constructor(
    json: string | Uint8Array | StreamedIdentity,
    readonly version: number,
    readonly lastModified: Date,
    prebuilt?: { etag?: string; gzip?: Uint8Array; br?: Uint8Array },
    /** The body's media type (JSON unless said). */
    readonly contentType = 'application/json',
  ) {
    if (typeof json === 'string') this.#bytes = new TextEncoder().encode(json)
    else if (json instanceof Uint8Array) this.#bytes = json
    else {
      if (!prebuilt?.etag || !prebuilt.gzip) throw new Error('a streamed body needs its ETag and gzip prebuilt')
      this.#streamed = json
    }
    this.length = this.#bytes?.byteLength ?? this.#streamed!.size
    this.etag = prebuilt?.etag ?? etagOf(new Bun.CryptoHasher('sha256').update(this.bytes))
    if (prebuilt?.gzip) this.#gzip = Promise.resolve((this.#done.gzip = prebuilt.gzip))
    if (prebuilt?.br) this.#br = Promise.resolve((this.#done.br = prebuilt.br))
    // everything a model-list answer carries, built once (the front door adds only the request id)
    this.#headers = answerHeaders(this.etag, lastModified, version)
  }

  /** The bytes and both compressed variants, compressed synchronously (for a thread that does nothing else). */
  static compressSync(bytes: Uint8Array): { gzip: Uint8Array; br: Uint8Array } {
    return {
      gzip: gzipSync(bytes, { level: 6 }),
      br: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength } }),
    }
  }

  /**
   * What compressSync gives, plus the ETag and length, of a body given in pieces (made as they are read: the body
   * is never whole in memory); compressed by streams on the libuv pool, each piece when both took the last one.
   */
  static async compressPieces(pieces: Iterable<Uint8Array>): Promise<{ etag: string; length: number; gzip: Uint8Array; br: Uint8Array }> {
    const hash = new Bun.CryptoHasher('sha256')
    const streams = [createGzip({ level: 6 }), createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 5 } })] as const
    const out: Buffer[][] = [[], []]
    for (const [i, z] of streams.entries()) z.on('data', (chunk: Buffer) => out[i]!.push(chunk))
    const ended = Promise.all(streams.map((z) => once(z, 'end')))
    ended.catch(() => undefined) // a stream's error is thrown below (by the write that waits or by the end)
    let length = 0
    try {
      for (const piece of pieces) {
        hash.update(piece)
        length += piece.length
        const waits = streams.filter((z) => !z.write(piece)).map((z) => once(z, 'drain'))
        await Promise.all(waits)
      }
      for (const z of streams) z.end()
      await ended
    } finally {
      for (const z of streams) z.destroy() // freed now, also when a piece or a stream failed
    }
    return { etag: etagOf(hash), length, gzip: Buffer.concat(out[0]!), br: Buffer.concat(out[1]!) }
  }

  get compressible() {
    return this.length >= MIN_COMPRESS_BYTES
  }

  gzip(): Promise<Uint8Array> {
    const started = performance.now()
    return (this.#gzip ??= gz(this.bytes, { level: 6 }).then((b) => this.#add('gzip', b, started)))
  }

  br(): Promise<Uint8Array> {
    // quality 5: most of brotli's gain at a small fraction of quality 11's time on multi-MB bodies
    const started = performance.now()
    return (this.#br ??= brotli(this.bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: this.bytes.byteLength } }).then((b) => this.#add('br', b, started)))
  }

  #add(encoding: 'gzip' | 'br', bytes: Uint8Array, started: number): Uint8Array {
    this.#done[encoding] = bytes
    this.onCompressed?.(bytes.byteLength, performance.now() - started)
    return bytes
  }

  /** The identity body: the bytes held, or (a streamed body) its gzip inflated now, not kept. */
  get bytes(): Uint8Array {
    return this.#bytes ?? gunzipSync(this.#done.gzip!)
  }

  /** Bytes held: the body (none when streamed) and the variants compressed so far. */
  get size(): number {
    return (this.#bytes?.byteLength ?? 0) + (this.#done.gzip?.byteLength ?? 0) + (this.#done.br?.byteLength ?? 0)
  }

  /** Compresses both variants ahead of the first request (for the hot path, after a commit). */
  async warm() {
    if (this.compressible) await Promise.all([this.gzip(), this.br()])
  }

  /**
   * The response for `request`: 304 when If-None-Match names this ETag, else the body in the best
   * encoding the client accepts. Caching headers on both.
   */
  respond(request: Request): Response | Promise<Response> {
    const h = (this.#prepared ??= this.#prepare())
    const encoding = this.#answerFor(request)
    if (encoding === 'notModified') return new Response(null, { status: 304, headers: h.notModified })
    if (encoding === 'identity') return new Response(this.#bytes ?? (Readable.toWeb(createGunzip().end(this.#done.gzip!)) as ReadableStream), { headers: h.identity })
    const ready = this.#done[encoding]
    const send = (bytes: Uint8Array) => new Response(bytes, { headers: h[encoding] })
    if (ready) return send(ready)
    return (encoding === 'br' ? this.br() : this.gzip()).then(send)
  }

  /**
   * What `respond` answers to a HEAD: the same status and headers, no body; the length of what a GET would get
   * when it is known (the identity body, or a variant already compressed). Nothing is inflated or compressed.
   */
  head(request: Request): Response {
    const h = (this.#prepared ??= this.#prepare())
    const encoding = this.#answerFor(request)
    if (encoding === 'notModified') return new Response(null, { status: 304, headers: h.notModified })
    const headers = new Headers(h[encoding])
    const length = encoding === 'identity' ? this.length : this.#done[encoding]?.byteLength
    if (length !== undefined) headers.set('content-length', String(length))
    return new Response(null, { headers })
  }

  /** What a request gets: 304 when If-None-Match names this ETag, else the best encoding it takes. */
  #answerFor(request: Request): 'notModified' | 'br' | 'gzip' | 'identity' {
    if (matches(request.headers.get('if-none-match'), this.etag)) return 'notModified'
    return this.compressible ? negotiate(request.headers.get('accept-encoding')) : 'identity'
  }

  /** Header sets built once (a Response copies them; building from a plain object per request costs more). */
  #prepared?: { notModified: Headers; identity: Headers; gzip: Headers; br: Headers }
  #prepare() {
    const json = { ...this.#headers, 'content-type': this.contentType }
    return {
      notModified: new Headers(this.#headers),
      identity: new Headers(json),
      gzip: new Headers({ ...json, 'content-encoding': 'gzip' }),
      br: new Headers({ ...json, 'content-encoding': 'br' }),
    }
  }
}

/** The strong ETag of a body from its SHA-256 (same content → same ETag, across restarts and replicas). */
export const etagOf = (hash: Bun.CryptoHasher) => `"${hash.digest('base64url').slice(0, 32)}"`

/** If-None-Match: `*`, one ETag or a list; weak comparison (a W/ prefix still matches), as RFC 9110 asks for GET. */
export function matches(header: string | null, etag: string): boolean {
  if (!header) return false
  if (header === etag) return true
  if (header.trim() === '*') return true
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)
}

/** br when accepted, else gzip, else identity; `q=0` refuses an encoding. */
export function negotiate(header: string | null): 'br' | 'gzip' | 'identity' {
  const accepted = new Map<string, number>()
  for (const part of (header ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';')
    if (!name) continue
    const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find(Boolean)
    accepted.set(name, q === undefined ? 1 : Number(q))
  }
  const ok = (e: string) => (accepted.get(e) ?? accepted.get('*') ?? 0) > 0
  if (ok('br')) return 'br'
  if (ok('gzip')) return 'gzip'
  return 'identity'
}
