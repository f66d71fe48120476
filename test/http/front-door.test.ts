import { afterEach, describe, expect, test } from 'bun:test'
import pino from 'pino'
import { FakeUpstream } from '../helpers/fake-upstream'
import { makeHarness, tomlFor, type Harness } from '../helpers/harness'
import { applySnapshot, exportSnapshot } from '../../src/catalog/snapshot'

const GROQ = '/groq/openai/v1'
let up: FakeUpstream | undefined
let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  up?.stop()
  h = up = undefined
})

const setup = async (opts: { env?: Record<string, string>; extraToml?: string; lines?: string[] } = {}) => {
  up = new FakeUpstream().replay(`${GROQ}/models`, 'groq/groq_models_2026-01-22.json')
  const log = opts.lines ? pino({ level: 'info' }, { write: (s: string) => void opts.lines!.push(s) }) : undefined
  h = makeHarness({ toml: `${tomlFor(up.url, { groq: GROQ })}\n${opts.extraToml ?? ''}`, env: opts.env, log })
  await h.worker.refresh()
  return h
}

describe('request ids and logs', () => {
  test("a client's safe X-Request-ID is echoed; an unsafe one is replaced by a new id", async () => {
    const h = await setup()
    expect((await h.get('/v1/models', { 'x-request-id': 'abc.DEF-123_x' })).headers.get('x-request-id')).toBe('abc.DEF-123_x')
    for (const bad of ['has space', 'x'.repeat(65), 'semi;colon', '"quoted"']) {
      const id = (await h.get('/health', { 'x-request-id': bad })).headers.get('x-request-id')
      expect(id).not.toBe(bad)
      expect(id).toMatch(/^[A-Za-z0-9._-]{1,64}$/)
    }
    const a = (await h.get('/health')).headers.get('x-request-id')
    const b = (await h.get('/health')).headers.get('x-request-id')
    expect(a).not.toBe(b)
  })

  test('one JSON log line per request with its id, path, status and duration; one per provider per refresh', async () => {
    const lines: string[] = []
    const h = await setup({ lines })
    await h.get('/v1/models?gateway=groq', { 'x-request-id': 'trace-1' })
    await h.get('/nope', { 'x-request-id': 'trace-2' })
    const entries = lines.map((l) => JSON.parse(l))
    const requests = entries.filter((e) => e.msg === 'request')
    expect(requests.map((e) => [e.req_id, e.path, e.status])).toEqual([
      ['trace-1', '/v1/models', 200],
      ['trace-2', '/nope', 404],
    ])
    expect(typeof requests[0].duration_ms).toBe('number')
    expect(entries.filter((e) => e.msg === 'provider refreshed' && e.provider === 'groq')).toHaveLength(1)
  })
})

describe('hardening', () => {
  test('every response carries nosniff; public GETs allow any origin without credentials, admin routes do not', async () => {
    const h = await setup({ env: { MODELCAT_ADMIN_TOKEN: 't' } })
    const list = await h.get('/v1/models', { origin: 'https://evil.example' })
    expect(list.headers.get('x-content-type-options')).toBe('nosniff')
    expect(list.headers.get('access-control-allow-origin')).toBe('*')
    expect(list.headers.get('access-control-allow-credentials')).toBeNull()
    expect(list.headers.get('access-control-expose-headers')).toContain('ETag')
    const admin = await h.post('/admin/refresh', { origin: 'https://evil.example', authorization: 'Bearer t' })
    expect(admin.headers.get('access-control-allow-origin')).toBeNull()
    expect(admin.headers.get('x-content-type-options')).toBe('nosniff')
  })

  test('a CORS preflight on a public route is answered without touching the app', async () => {
    const h = await setup()
    const res = await h.handler(new Request('http://localhost/v1/models', { method: 'OPTIONS', headers: { origin: 'https://x.example', 'access-control-request-method': 'GET' } }))
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-methods')).toContain('GET')
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
  })

  test('an over-long URL is a 414 in the error shape', async () => {
    const h = await setup()
    const res = await h.get(`/v1/models?q=${'a'.repeat(9000)}`)
    expect(res.status).toBe(414)
    expect(((await res.json()) as any).error.code).toBe('uri_too_long')
  })

  test('the optional per-IP rate limit answers 429 with Retry-After once the budget is spent', async () => {
    const h = await setup({ extraToml: '[http]\nrate_limit_per_minute = 5\n' })
    const statuses: number[] = []
    let last: Response | undefined
    for (let i = 0; i < 7; i++) {
      last = await h.get('/v1/providers')
      statuses.push(last.status)
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429])
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(((await last!.json()) as any).error.code).toBe('rate_limited')
  })

  test("health, readiness and metrics are never rate limited (an orchestrator's probe must not restart a healthy sidecar); the rest is", async () => {
    const h = await setup({ extraToml: '[http]\nrate_limit_per_minute = 2\n' })
    for (let i = 0; i < 5; i++) {
      expect((await h.get('/health')).status).toBe(200)
      expect((await h.get('/ready')).status).toBe(200)
      expect((await h.get('/metrics')).status).toBe(200)
    }
    // near misses: the budget is per address and counts every other route, the provider health view included
    const others = [await h.get('/health/providers'), await h.get('/v1/models'), await h.get('/health/providers')].map((r) => r.status)
    expect(others).toEqual([200, 200, 429])
    expect((await h.get('/healthz')).status).toBe(429)
  })
})

describe('edges of the front door', () => {
  test('/swagger/ (trailing slash) sends the browser to /swagger, whose spec URL then resolves', async () => {
    const h = await setup()
    const res = await h.handler(new Request('http://localhost/swagger/'))
    expect(res.status).toBe(308)
    expect(res.headers.get('location')).toBe('/swagger')
    const page = await (await h.handler(new Request('http://localhost/swagger'))).text()
    const spec = page.match(/url:\s*['"]([^'"]+)['"]/)?.[1] ?? '/swagger/json'
    const specRes = await h.handler(new Request(new URL(spec, 'http://localhost/swagger').href))
    expect(specRes.status).toBe(200)
    expect(((await specRes.json()) as { openapi: string }).openapi).toMatch(/^3\./)
    // near miss: other paths below /swagger are untouched
    expect((await h.handler(new Request('http://localhost/swagger/json'))).status).toBe(200)
  })

  test('a declared body over 1 MiB is a 413 in the error shape; one at the cap goes through', async () => {
    const h = await setup()
    const big = await h.handler(new Request('http://localhost/v1/models', { method: 'POST', headers: { 'content-length': String(1024 * 1024 + 1) } }))
    expect(big.status).toBe(413)
    expect(((await big.json()) as any).error).toMatchObject({ code: 'body_too_large', type: 'invalid_request_error' })
    const atCap = await h.handler(new Request('http://localhost/health', { headers: { 'content-length': String(1024 * 1024) } }))
    expect(atCap.status).toBe(200)
  })
})

describe('a real server', () => {
  test("Bun's own limits: what it refuses before any JS runs is past what the front door answers in the error shape", async () => {
    const { MAX_BODY_BYTES, SERVER_MAX_BODY_BYTES } = await import('../../src/http/handler')
    const h = await setup()
    const server = Bun.serve({ port: 0, hostname: '127.0.0.1', maxRequestBodySize: SERVER_MAX_BODY_BYTES, fetch: (r, s) => h.handler(r, s) })
    try {
      // a 2 MiB body with its Content-Length: the front door's 413, in the error shape (Bun's limit is above it)
      const res = await fetch(`${server.url}v1/models`, { method: 'POST', body: 'x'.repeat(2 * MAX_BODY_BYTES) })
      expect(res.status).toBe(413)
      expect(((await res.json()) as any).error.code).toBe('body_too_large')
      // a 10 KB URL: the front door's 414 in the error shape, below Bun's 16 KiB header limit
      const long = await fetch(`${server.url}v1/models?q=${'a'.repeat(10_000)}`)
      expect(long.status).toBe(414)
      expect(((await long.json()) as any).error.code).toBe('uri_too_long')
    } finally {
      server.stop(true)
    }
  })
})

describe('metrics', () => {
  test('/metrics exposes refresh, catalog, breaker and HTTP metrics in the Prometheus format', async () => {
    const h = await setup()
    const list = await h.get('/v1/models')
    await h.get('/v1/models', { 'if-none-match': list.headers.get('etag')! })
    await h.get('/v1/models/groq/llama-3.1-8b-instant')
    const res = await h.get('/metrics')
    expect(res.headers.get('content-type')).toContain('text/plain')
    const text = await res.text()
    expect(text).toMatch(/^modelcat_refresh_total\{provider="groq",outcome="ok"\} 1$/m)
    expect(text).toMatch(/^modelcat_refresh_duration_seconds_count\{provider="groq",outcome="ok"\} 1$/m)
    expect(text).toMatch(new RegExp(`^modelcat_models\\{provider="groq"\\} ${h.store.countOfferings(['groq'])}$`, 'm'))
    expect(text).toMatch(new RegExp(`^modelcat_catalog_version ${h.store.version}$`, 'm'))
    expect(text).toMatch(/^modelcat_catalog_age_seconds \d/m)
    expect(text).toMatch(/^modelcat_http_not_modified_total 1$/m)
    expect(text).toMatch(/^modelcat_http_request_duration_seconds_count\{route="\/v1\/models",method="GET",status="200"\} 1$/m)
    expect(text).toMatch(/^modelcat_http_request_duration_seconds_count\{route="\/v1\/models\/\{id\}",method="GET",status="200"\} 1$/m)
  })
})

describe('the hot path serves /v1/models only', () => {
  test('after a list was served, other paths that merely contain /v1/models are not answered with it', async () => {
    const h = await setup()
    expect((await h.get('/v1/models')).status).toBe(200)
    expect((await h.get('/nope/v1/models')).status).toBe(404)
    expect((await h.get('/admin/circuit-breakers?x=/v1/models')).status).toBe(404) // no admin token: every admin route is a 404
    expect((await h.get('/v1/modelsX')).status).toBe(404)
  })
})

describe('a snapshot that keeps the version number but changes the content', () => {
  test('replaces every cached answer (the cache follows the catalog, not just its number)', async () => {
    const h = await setup()
    const before = await (await h.get('/v1/models?gateway=groq')).json()
    const snap = exportSnapshot(h.store)
    // another catalog with the same version: groq's list shortened to one model
    const other = makeHarness({ toml: `${tomlFor(up!.url, { groq: GROQ })}\n` })
    try {
      up!.set(`${GROQ}/models`, { kind: 'body', body: JSON.stringify({ data: [{ id: 'only-one' }] }) })
      await other.worker.refresh({ force: true })
      const otherSnap = exportSnapshot(other.store, snap.version)
      applySnapshot(h.store, otherSnap.data)
      expect(h.store.version).toBe(snap.version)
      const after = (await (await h.get('/v1/models?gateway=groq')).json()) as { data: { id: string }[] }
      expect(after.data.map((m) => m.id)).toEqual(['groq/only-one'])
      expect(after).not.toEqual(before)
    } finally {
      await other.close()
    }
  })
})
