import { Readable } from 'node:stream'
import { setImmediate } from 'node:timers/promises'
import { constants, createBrotliCompress, createGzip } from 'node:zlib'
import { answerHeaders, matches, negotiate } from './cached-body'

/**
 * An answer too large for the answer cache to hold (over its per-answer bound): made as it is sent, piece by
 * piece, each piece on a later turn of the event loop, so that other requests are answered between two pieces,
 * and paced by the build budget, so that a flood of such answers gets its rate whatever their number
 * (a whole-catalog answer is ~60 MB at 50k offerings: built at once it held the HTTP thread for 0.6–1 s and
 * that much memory). Compressed on the libuv pool when the client takes gzip or br. Its ETag is given (made from
 * the index's content digest and the query, see AnswerCache), so that If-None-Match is answered with 304
 * before anything is made; its identity length is known up front (Content-Length).
 */
export class StreamedBody {
  readonly #headers: Record<string, string>

  constructor(
    readonly etag: string,
    readonly version: number,
    lastModified: Date,
    /** The identity body's length in bytes. */
    readonly length: number,
    /** The body's pieces, made as they are read. */
    private readonly pieces: () => Iterator<Uint8Array>,
    private readonly hooks: {
      /** Milliseconds to wait before the next piece (0: make it now): the build budget paces streams under load. */
      pace?: () => number
      /** Hears the milliseconds each piece took to make (the build budget is charged them). */
      onPiece?: (ms: number) => void
    } = {},
  ) {
    this.#headers = { ...answerHeaders(etag, lastModified, version), 'content-type': 'application/json' }
  }

  /** 304 when If-None-Match names this ETag (nothing is made), else the body in the best encoding the client takes. */
  respond(request: Request): Response {
    if (matches(request.headers.get('if-none-match'), this.etag)) {
      const { 'content-type': _, ...headers } = this.#headers
      return new Response(null, { status: 304, headers })
    }
    const encoding = negotiate(request.headers.get('accept-encoding'))
    const body = Readable.from(this.#made(), { objectMode: false, highWaterMark: 1 })
    if (encoding === 'identity') return new Response(Readable.toWeb(body) as ReadableStream, { headers: { ...this.#headers, 'content-length': String(this.length) } })
    // a fast level: the stream is compressed as it is sent, once per request (nothing is held to compress again)
    const zip = encoding === 'br' ? createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 4, [constants.BROTLI_PARAM_SIZE_HINT]: this.length } }) : createGzip({ level: 4 })
    body.on('error', (err) => zip.destroy(err))
    return new Response(Readable.toWeb(body.pipe(zip)) as ReadableStream, { headers: { ...this.#headers, 'content-encoding': encoding } })
  }

  /**
   * The pieces, each made on a later turn of the event loop (after the budget's wait, at most MAX_PACE_MS: a
   * connection that sends nothing for 10 s is closed) and timed; stops early when the client goes.
   */
  async *#made(): AsyncGenerator<Uint8Array> {
    const pieces = this.pieces()
    try {
      for (;;) {
        const wait = Math.min(MAX_PACE_MS, this.hooks.pace?.() ?? 0)
        if (wait > 0) await Bun.sleep(wait)
        else await setImmediate()
        const started = performance.now()
        const next = pieces.next()
        this.hooks.onPiece?.(performance.now() - started)
        if (next.done) return
        yield next.value
      }
    } finally {
      pieces.return?.()
    }
  }
}

/** The longest a stream waits for the build budget before its next piece. */
const MAX_PACE_MS = 1000
