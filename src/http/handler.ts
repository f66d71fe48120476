import type { Server } from 'bun'
import type { Logger } from 'pino'
import type { AnswerCache } from '../serving/answer-cache'
import { PUBLIC_HEADERS } from '../serving/cached-body'
import { errorResponse } from './errors'
import type { Metrics } from './metrics'

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/
const MAX_URL_LENGTH = 8192
/** Request bodies: a declared body larger than this is a 413 in the error shape (on any route). */
export const MAX_BODY_BYTES = 1024 * 1024
/** The largest body the one route that reads one takes (POST /v1/quote: a batch of 100 requests is ~40 KB). */
export const QUOTE_MAX_BODY_BYTES = 256 * 1024
/**
 * Bun.serve's own body limit, a backstop above MAX_BODY_BYTES (for bodies without a Content-Length): what
 * Bun refuses itself (this, and headers over its 16 KiB parser limit: 431) it answers before any JS runs,
 * with an empty body.
 */
export const SERVER_MAX_BODY_BYTES = 8 * MAX_BODY_BYTES
/** Probes an orchestrator relies on: never rate limited (a limited probe restarts a healthy sidecar). */
const UNLIMITED = new Set(['/health', '/ready', '/metrics'])

/** Every route's label (its pattern), for paths that are a route as they are. */
const STATIC_ROUTES = new Set([
  '/v1/models',
  '/v1/providers',
  '/v1/changes',
  '/v1/changes.atom',
  '/health',
  '/health/providers',
  '/ready',
  '/metrics',
  '/admin/refresh',
  '/admin/circuit-breakers',
  '/admin/circuit-breakers/reset',
  '/',
  '/assets/app.js',
  '/assets/app.css',
  '/v1/quote',
  '/v1/export/litellm.json',
  '/v1/export/models.dev.json',
  '/api/v1/models',
])
/** Patterns with one path parameter: [shape, label]. */
const PARAM_ROUTES: [RegExp, string][] = [
  [/^\/admin\/refresh\/[^/]+$/, '/admin/refresh/{provider}'],
  [/^\/admin\/circuit-breakers\/[^/]+$/, '/admin/circuit-breakers/{provider}'],
  [/^\/admin\/circuit-breakers\/[^/]+\/reset$/, '/admin/circuit-breakers/{provider}/reset'],
]

/**
 * Routes for metric labels: only labels of the route table (any other path is `other`), so that no
 * client — ids in paths, random paths, /admin/<anything> — can add series beyond this fixed set.
 */
export function routeOf(path: string): string {
  if (STATIC_ROUTES.has(path)) return path
  if (path.startsWith('/v1/models/')) return '/v1/models/{id}'
  for (const [shape, label] of PARAM_ROUTES) if (shape.test(path)) return label
  if (path === '/swagger' || path.startsWith('/swagger/')) return '/swagger'
  return 'other'
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])
/** The method as a metric label: a standard one, else `OTHER` (a client may send any token). */
export const methodOf = (method: string) => (METHODS.has(method) ? method : 'OTHER')

/**
 * Public routes that browsers may read from any origin (no credentials, nothing reflected): the GETs, and
 * POST /v1/quote, which reads public data, changes nothing and takes no credentials.
 */
const isPublic = (path: string) => path.startsWith('/v1/') || path === '/api/v1/models' || path === '/health' || path === '/ready' || path === '/health/providers'
/** Public routes that take a POST body: CORS preflight allows POST and Content-Type; the body needs a Content-Length ≤ QUOTE_MAX_BODY_BYTES. */
const POSTABLE = new Set(['/v1/quote'])

/** A fixed-window-per-second token bucket per client IP. */
class RateLimiter {
  #buckets = new Map<string, { tokens: number; at: number }>()
  constructor(private readonly perMinute: number) {}
  /** Seconds to wait, or 0 when the request may go. */
  take(ip: string, now = Date.now()): number {
    const b = this.#buckets.get(ip) ?? { tokens: this.perMinute, at: now }
    b.tokens = Math.min(this.perMinute, b.tokens + ((now - b.at) / 60_000) * this.perMinute)
    b.at = now
    if (this.#buckets.size > 100_000) this.#buckets.clear() // bounded memory under an address flood
    this.#buckets.set(ip, b)
    if (b.tokens >= 1) {
      b.tokens -= 1
      return 0
    }
    return Math.ceil(((1 - b.tokens) / this.perMinute) * 60)
  }
}

export interface HandlerDeps {
  app: { fetch(request: Request): Response | Promise<Response> }
  /** Answers served before routing (the hot path). */
  answers?: AnswerCache
  metrics: Metrics
  log: Logger
  /** Requests per minute per client IP; 0 or absent: no limit. */
  rateLimitPerMinute?: number
}

/**
 * The service's front door, around the Elysia app: request id (a client's X-Request-ID when it is
 * safe, else a new one; echoed), one log line and one histogram sample per request, URL length cap,
 * optional per-IP rate limit, CORS for public GETs, nosniff — and the hot path (a list query already
 * answered in this version) before Elysia builds a context.
 */
export function createHandler({ app, answers, metrics, log, rateLimitPerMinute }: HandlerDeps) {
  const limiter = rateLimitPerMinute ? new RateLimiter(rateLimitPerMinute) : undefined
  // one labelled histogram child per (route, method, status): no label hashing per request
  const timers = new Map<string, { observe(v: number): void }>()
  const timer = (route: string, method: string, status: number) => {
    const key = `${route} ${method} ${status}`
    let t = timers.get(key)
    if (!t) timers.set(key, (t = metrics.httpDuration.labels({ route, method, status: String(status) })))
    return t
  }
  /** Headers, one histogram sample, one log line. */
  const finish = (request: Request, path: string, requestId: string, started: number, response: Response, complete: boolean): Response => {
    const h = response.headers
    h.set('x-request-id', requestId)
    if (!complete) {
      h.set('x-content-type-options', 'nosniff')
      if (isPublic(path)) for (const [k, v] of Object.entries(PUBLIC_HEADERS)) h.set(k, v)
    }
    const seconds = (performance.now() - started) / 1000
    timer(routeOf(path), methodOf(request.method), response.status).observe(seconds)
    if (response.status === 304) metrics.notModified.inc()
    log.info({ req_id: requestId, method: request.method, path, status: response.status, duration_ms: Math.round(seconds * 1e4) / 10 }, 'request')
    return response
  }
  const failed = (err: unknown, requestId: string) => {
    log.error({ err, req_id: requestId }, 'unhandled error')
    return errorResponse(500, 'internal error', { code: 'internal_error' })
  }

  // Synchronous whenever the answer is (the hot path): a Promise per request costs Bun.serve real throughput.
  return (request: Request, server?: Server<unknown>): Response | Promise<Response> => {
    const started = performance.now()
    const given = request.headers.get('x-request-id')
    const requestId = given && REQUEST_ID.test(given) ? given : crypto.randomUUID()
    const url = request.url
    const pathStart = url.indexOf('/', url.indexOf('//') + 2)
    const queryStart = url.indexOf('?', pathStart)
    const path = queryStart < 0 ? url.slice(pathStart) : url.slice(pathStart, queryStart)
    const done = (response: Response, complete = false) => finish(request, path, requestId, started, response, complete)

    const wait = limiter && !UNLIMITED.has(path) ? limiter.take(server?.requestIP(request)?.address ?? 'unknown') : 0
    if (url.length > MAX_URL_LENGTH) return done(errorResponse(414, `URL longer than ${MAX_URL_LENGTH} characters`, { code: 'uri_too_long' }))
    const declared = request.headers.get('content-length')
    if (declared && Number(declared) > MAX_BODY_BYTES) return done(errorResponse(413, `request body larger than ${MAX_BODY_BYTES} bytes`, { code: 'body_too_large' }))
    if (wait > 0) {
      metrics.rateLimited.inc()
      return done(errorResponse(429, 'too many requests from this address', { code: 'rate_limited', headers: { 'retry-after': String(wait) } }))
    }
    if (request.method === 'OPTIONS' && isPublic(path)) {
      const post = POSTABLE.has(path)
      return done(
        new Response(null, {
          status: 204,
          headers: {
            'access-control-allow-methods': post ? 'POST, OPTIONS' : 'GET, HEAD, OPTIONS',
            'access-control-allow-headers': post ? 'Accept, Accept-Encoding, Content-Type, X-Request-ID' : 'Accept, Accept-Encoding, If-None-Match, X-Request-ID',
            'access-control-max-age': '86400',
          },
        }),
      )
    }
    // the UI at /swagger/ would resolve its relative spec URL below itself: one address for the docs
    if (path === '/swagger/') return done(new Response(null, { status: 308, headers: { location: `/swagger${queryStart < 0 ? '' : url.slice(queryStart)}` } }))
    // an admin refresh may be waited for longer than the server's idle timeout (10 s): its connection has none
    // (the admin module caps the wait: [http] admin_wait_max_seconds; an unauthenticated request is answered at once)
    if (request.method === 'POST' && path.startsWith('/admin/refresh')) server?.timeout(request, 0)
    if (request.body !== null && POSTABLE.has(path)) {
      // the one route that reads a body reads it whole: its size is known up front or it is refused
      // (other routes never read theirs; admin routes authenticate first; Bun.serve caps any body at SERVER_MAX_BODY_BYTES)
      const length = request.headers.get('content-length')
      if (length === null) return done(errorResponse(411, 'a request body needs a Content-Length header', { code: 'length_required' }))
      if (!/^\d{1,12}$/.test(length) || Number(length) > QUOTE_MAX_BODY_BYTES) return done(errorResponse(413, `request body larger than ${QUOTE_MAX_BODY_BYTES} bytes`, { code: 'body_too_large' }))
    }
    let answer: Response | Promise<Response>
    let complete = false // an answer of the hot path already carries the public headers
    try {
      const fast = answers?.fastPath(request)
      complete = fast !== undefined
      answer = fast ?? app.fetch(request)
    } catch (err) {
      return done(failed(err, requestId))
    }
    if (answer instanceof Response) return done(answer, complete)
    return answer.then(
      (response) => done(response, complete),
      (err) => done(failed(err, requestId)),
    )
  }
}
