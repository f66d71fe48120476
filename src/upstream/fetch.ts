import { createScrubber, SECRET_RUN } from '../lib/scrub'
import { UpstreamError } from './adapter'

export interface BoundedFetchOptions {
  signal: AbortSignal
  maxBytes: number
  fetch?: typeof fetch
  /** Validators of the last answer: sent as If-None-Match / If-Modified-Since; a 304 throws NotModified. */
  conditional?: Validators
  /** Hears the validators (ETag, Last-Modified) of a 200 answer. */
  onValidators?: (validators: Validators) => void
  /**
   * Hears a 200 answer's digest (of its bytes) before it is parsed; true: the body is the one the stored list came
   * from, so it throws NotModified and is never parsed (what a 304 does, for upstreams that send no validators).
   */
  unchanged?: (digest: string) => boolean
}

export interface Validators {
  etag: string | null
  lastModified: string | null
}

/** Longest ETag / Last-Modified kept (an upstream's header values; longer ones are ignored). */
export const MAX_VALIDATOR_CHARS = 512

/** The upstream answered 304 to a conditional request, or the very bytes of its last list: the list is the one it answered last time. */
export class NotModified extends Error {
  constructor() {
    super('not modified (304)')
    this.name = 'NotModified'
  }
}

/**
 * GET a URL and parse its JSON body, treating the upstream as hostile: redirects refused (a key must
 * not follow one), the caller's signal covers the whole body, the body is capped while it streams,
 * HTML and non-JSON bodies are rejected with a message that says which. Error messages are scrubbed
 * (src/lib/scrub.ts) of this request's credentials, of any other token or signed URL, and of control chars.
 */
export async function getJson(url: string, headers: Record<string, string>, opts: BoundedFetchOptions): Promise<unknown> {
  try {
    return await fetchJson(url, headers, opts)
  } catch (err) {
    if (!(err instanceof UpstreamError)) throw err
    throw new UpstreamError(createScrubber(credentialsOf(url, headers))(err.message), err.status, err.retryAfter)
  }
}

/** What this request sends as credentials: auth-like header values (scheme word dropped), URL userinfo, query values. */
function credentialsOf(url: string, headers: Record<string, string>): string[] {
  const values = Object.entries(headers)
    .filter(([name]) => /auth|key|token|secret|cookie/i.test(name))
    .map(([, v]) => v.replace(/^(?:bearer|basic|token)\s+/i, ''))
  try {
    const u = new URL(url)
    values.push(decodeURIComponent(u.password), ...[decodeURIComponent(u.username), ...u.searchParams.values()].filter((v) => v.length >= SECRET_RUN))
  } catch {}
  return values
}

async function fetchJson(url: string, headers: Record<string, string>, opts: BoundedFetchOptions): Promise<unknown> {
  const doFetch = opts.fetch ?? fetch
  let res: Response
  try {
    const c = opts.conditional
    const conditional: Record<string, string> = {}
    if (c?.etag) conditional['if-none-match'] = c.etag
    if (c?.lastModified) conditional['if-modified-since'] = c.lastModified
    res = await doFetch(url, {
      headers: { accept: 'application/json', 'user-agent': 'modelcat', ...headers, ...conditional },
      redirect: 'manual',
      signal: opts.signal,
    })
  } catch (err) {
    throw asUpstreamError(err, opts.signal)
  }
  if (res.status === 304 && (opts.conditional?.etag || opts.conditional?.lastModified)) {
    await res.body?.cancel()
    throw new NotModified()
  }
  if (res.status >= 300 && res.status < 400) {
    await res.body?.cancel()
    throw new UpstreamError(`refused redirect (HTTP ${res.status} to ${res.headers.get('location') ?? '?'})`, res.status)
  }
  const contentType = res.headers.get('content-type') ?? ''
  const text = await readCapped(res, opts)
  if (!res.ok) throw new UpstreamError(`HTTP ${res.status}: ${errorMessageOf(text)}`, res.status, res.headers.get('retry-after'))
  if (/html/i.test(contentType) || /^\s*</.test(text)) {
    throw new UpstreamError(`expected JSON, got ${contentType || 'HTML'} (${text.length} bytes)`, res.status)
  }
  // validators are the upstream's strings: kept only when of a sane length (they are stored and sent back)
  const validator = (name: string) => {
    const v = res.headers.get(name)
    return v && v.length <= MAX_VALIDATOR_CHARS ? v : null
  }
  opts.onValidators?.({ etag: validator('etag'), lastModified: validator('last-modified') })
  if (opts.unchanged?.(Bun.hash(text).toString(36))) throw new NotModified()
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new UpstreamError(`invalid JSON body (${text.length} bytes): ${(err as Error).message}`, res.status)
  }
}

async function readCapped(res: Response, opts: BoundedFetchOptions): Promise<string> {
  const declared = Number(res.headers.get('content-length'))
  if (declared > opts.maxBytes) {
    await res.body?.cancel()
    throw new UpstreamError(`response too large: ${declared} bytes (cap ${opts.maxBytes})`, res.status)
  }
  if (!res.body) return ''
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      total += value.byteLength
      if (total > opts.maxBytes) {
        await reader.cancel()
        throw new UpstreamError(`response too large: over ${opts.maxBytes} bytes`, res.status)
      }
      chunks.push(value)
    }
  } catch (err) {
    throw asUpstreamError(err, opts.signal)
  }
  return new TextDecoder().decode(Buffer.concat(chunks))
}

/** The upstream's own message from an error body (`{"error":"..."}`, `{"error":{"message":...}}`), else a snippet. */
function errorMessageOf(text: string): string {
  try {
    const body = JSON.parse(text)
    const e = body?.error ?? body?.message ?? body?.detail
    const msg = typeof e === 'string' ? e : (e?.message ?? body?.message)
    if (typeof msg === 'string' && msg) return msg.slice(0, 300)
  } catch {}
  return text.replace(/\s+/g, ' ').trim().slice(0, 200) || '(empty body)'
}

function asUpstreamError(err: unknown, signal: AbortSignal): UpstreamError {
  if (err instanceof UpstreamError) return err
  if (signal.aborted) {
    const reason = signal.reason as Error | undefined
    if (reason?.name === 'TimeoutError') return new UpstreamError(reason.message || 'timed out')
    return new UpstreamError(`aborted: ${reason?.message ?? 'stopping'}`)
  }
  return new UpstreamError(`network error: ${(err as Error)?.message ?? String(err)}`)
}
