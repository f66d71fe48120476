import { Readable } from 'node:stream'
import { setImmediate } from 'node:timers/promises'
import { constants, createBrotliCompress, createGzip } from 'node:zlib'
import { answerHeaders, matches, negotiate } from './cached-body'

/**
 * An answer too large for the answer cache to hold (over its per-answer bound): made as it is sent, piece by
 * piece, each piece on a later turn of the event loop, so that other requests are answered between two pieces,
 * and paced by the build budget: a piece is made only when the budget has room (a whole-catalog answer is ~60 MB
 * at 50k offerings: built at once it held the HTTP thread for 0.6–1 s and that much memory). Compressed on the
 * libuv pool when the client takes gzip or br. Its ETag is given (made from the index's content digest and the
 * query, see AnswerCache), so that If-None-Match is answered with 304 before anything is made; HEAD gets the
 * identity length without anything made. A GET's body is chunked (Bun sends a stream without a Content-Length).
 */
export class StreamedBody {
  readonly #headers: Record<string, string>
  #released = false

  constructor(
    readonly etag: string,
    readonly version: number,
    lastModified: Date,
    /** The identity body's length in bytes. */
    readonly length: number,
    /** The body's pieces, made as they are read. */
    private readonly pieces: () => Iterator<Uint8Array>,
    private readonly hooks: {
      /** Milliseconds to wait before the next piece (0: make it now): the build budget paces streams. */
      pace?: () => number
      /** Hears the milliseconds each piece took to make (the build budget is charged them). */
      onPiece?: (ms: number) => void
      /** Hears, once, that this body holds nothing any more (sent whole, the client gone, a 304 or a HEAD): the count of streams. */
      release?: () => void
    } = {},
  ) {
    this.#headers = { ...answerHeaders(etag, lastModified, version), 'content-type': 'application/json' }
  }

  #release() {
    if (this.#released) return
    this.#released = true
    this.hooks.release?.()
  }

  /** 304 when If-None-Match names this ETag (nothing is made), else the body in the best encoding the client takes. */
  respond(request: Request): Response {
    const early = this.#withoutBody(request)
    if (early) return early
    const encoding = negotiate(request.headers.get('accept-encoding'))
    const body = Readable.from(this.#made(), { objectMode: false, highWaterMark: 1 })
    // ended, or destroyed when the client goes (the web stream's cancel): the stream's slot is free
    body.once('close', () => this.#release())
    if (encoding === 'identity') return new Response(Readable.toWeb(body) as ReadableStream, { headers: this.#headers })
    // a fast level and a small window: each request compresses its own stream (nothing is held to compress again),
    // and a brotli window sized to the body would hold ~20 MB per stream
    const zip = encoding === 'br' ? createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 4, [constants.BROTLI_PARAM_LGWIN]: 18 } }) : createGzip({ level: 4 })
    body.on('error', (err) => zip.destroy(err))
    zip.once('close', () => body.destroy())
    return new Response(Readable.toWeb(body.pipe(zip)) as ReadableStream, { headers: { ...this.#headers, 'content-encoding': encoding } })
  }

  /** What `respond` answers to a HEAD: the same status and headers, no body, nothing made (the identity length). */
  head(request: Request): Response {
    const early = this.#withoutBody(request)
    if (early) return early
    this.#release()
    const encoding = negotiate(request.headers.get('accept-encoding'))
    if (encoding === 'identity') return new Response(null, { headers: { ...this.#headers, 'content-length': String(this.length) } })
    return new Response(null, { headers: { ...this.#headers, 'content-encoding': encoding } })
  }

  #withoutBody(request: Request): Response | undefined {
    if (!matches(request.headers.get('if-none-match'), this.etag)) return undefined
    this.#release()
    const { 'content-type': _, ...headers } = this.#headers
    return new Response(null, { status: 304, headers })
  }

  /**
   * The pieces, each made on a later turn of the event loop once the budget has room (waiting at most MAX_WAIT_MS
   * for a piece: a connection that sends nothing for 10 s is closed), timed; stops early when the client goes.
   */
  async *#made(): AsyncGenerator<Uint8Array> {
    const pieces = this.pieces()
    try {
      for (;;) {
        await setImmediate()
        for (let waited = 0, wait = this.hooks.pace?.() ?? 0; wait > 0 && waited < MAX_WAIT_MS; wait = this.hooks.pace?.() ?? 0) {
          const ms = Math.min(wait, MAX_WAIT_MS - waited)
          await Bun.sleep(ms)
          waited += ms
        }
        const started = performance.now()
        const next = pieces.next()
        this.hooks.onPiece?.(performance.now() - started)
        if (next.done) return
        yield next.value
      }
    } finally {
      pieces.return?.()
      this.#release()
    }
  }
}

/** The longest a stream waits for the build budget before its next piece (under Bun's 10 s idle timeout). */
const MAX_WAIT_MS = 8000
