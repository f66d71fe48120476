import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { brotliCompressSync, gzipSync } from 'node:zlib'
import { Elysia } from 'elysia'
import { z } from 'zod'
import { shareSchemas } from '../../src/http/docs'
import { CachedBody } from '../../src/serving/cached-body'
import { checkContract, findRoute, schemaOf, type RouteLike } from '../helpers/contracts'
import { FakeUpstream } from '../helpers/fake-upstream'
import { makeHarness, tomlFor, type Harness } from '../helpers/harness'

const GROQ = '/groq/openai/v1'
const TOGETHER = '/together/v1'
const ADMIN = { authorization: 'Bearer tok' }

let up: FakeUpstream
let h: Harness
beforeAll(() => {
  up = new FakeUpstream().replay(`${GROQ}/models`, 'groq/groq_models_2026-01-22.json').replay(`${TOGETHER}/models`, 'together/together_v1_models_2026-01-23.json')
  h = makeHarness({ toml: tomlFor(up.url, { groq: GROQ, together: TOGETHER }), env: { MODELCAT_ADMIN_TOKEN: 'tok', MODELCAT_BUILD_BUDGET_MS: '1000' } })
})
afterAll(async () => {
  await h.close()
  up.stop()
})

const json = (body: unknown, init: { status?: number; headers?: Record<string, string> } = {}) =>
  new Response(typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body), { status: init.status ?? 200, headers: { 'content-type': 'application/json', ...init.headers } })
const check = (method: string, path: string, response: Response) => checkContract(h.app, method, path, response)

describe('every declared (route, status) answers its schema through the harness', () => {
  // In this order: /ready before any catalog, the admin cooldown after the first refresh.
  const calls: [method: 'GET' | 'POST', path: string, status: number, headers?: Record<string, string>, body?: unknown][] = [
    ['GET', '/health', 200],
    ['GET', '/ready', 503],
    ['POST', '/admin/refresh', 401],
    ['POST', '/admin/refresh?wait=true', 200, ADMIN],
    ['POST', '/admin/refresh?wait=true', 429, ADMIN],
    ['POST', '/admin/refresh?provider=bogus', 400, ADMIN],
    ['POST', '/admin/refresh?provider=groq,together', 202, ADMIN],
    ['POST', '/admin/refresh/groq', 401],
    ['POST', '/admin/refresh/bogus', 404, ADMIN],
    ['POST', '/admin/refresh/groq?wait=maybe', 400, ADMIN],
    ['POST', '/admin/refresh/groq', 202, ADMIN],
    ['POST', '/admin/refresh/groq', 429, ADMIN],
    ['POST', '/admin/refresh/together?wait=true', 200, ADMIN],
    ['GET', '/ready', 200],
    ['GET', '/health/providers', 200],
    ['GET', '/v1/providers', 200],
    ['GET', '/v1/models', 200],
    ['GET', '/v1/models', 200], // the hot path now: the bytes remembered by the first
    ['GET', '/v1/models?unique=true', 200],
    ['GET', '/v1/models?limit=0', 400],
    ['GET', '/v1/models/groq/llama-3.1-8b-instant', 200],
    ['GET', '/v1/models/groq%2Fllama-3.1-8b-instant', 200],
    ['GET', '/v1/models/no/such-model', 404],
    ['GET', '/v1/changes', 200],
    ['GET', '/v1/changes?since=yesterday', 400],
    ['GET', '/admin/circuit-breakers', 401],
    ['GET', '/admin/circuit-breakers', 200, ADMIN],
    ['GET', '/admin/circuit-breakers/groq', 401],
    ['GET', '/admin/circuit-breakers/groq', 200, ADMIN],
    ['GET', '/admin/circuit-breakers/bogus', 404, ADMIN],
    ['POST', '/admin/circuit-breakers/reset', 401],
    ['POST', '/admin/circuit-breakers/reset', 200, ADMIN],
    ['POST', '/admin/circuit-breakers/groq/reset', 401],
    ['POST', '/admin/circuit-breakers/groq/reset', 200, ADMIN],
    ['POST', '/admin/circuit-breakers/bogus/reset', 404, ADMIN],
    ['POST', '/v1/quote', 200, {}, { model: 'groq/llama-3.3-70b-versatile', input_tokens: 10, output_tokens: 10 }],
    ['POST', '/v1/quote', 200, {}, [{ model: 'meta/llama-3.3-70b-instruct', input_tokens: 10, output_tokens: 10 }]],
    ['POST', '/v1/quote', 400, {}, { model: 'groq/llama-3.3-70b-versatile', input_tokens: -1, output_tokens: 10 }],
    ['POST', '/v1/quote', 404, {}, { model: 'bogus/none', input_tokens: 1, output_tokens: 1 }],
    ['GET', '/v1/export/litellm.json', 200],
    ['GET', '/v1/export/litellm.json?gateway=bogus', 400],
    ['GET', '/v1/export/models.dev.json?unique=true', 200],
    ['GET', '/v1/export/models.dev.json?lifecycle=soon', 400],
    ['GET', '/api/v1/models?limit=5', 200],
    ['GET', '/api/v1/models?limit=0', 400],
  ]

  test('each request answers the expected status and passes the check (the harness throws otherwise)', async () => {
    for (const [method, path, status, headers, body] of calls) {
      const res = method === 'GET' ? await h.get(path, headers) : await h.post(path, headers, body)
      expect(`${method} ${path} → ${res.status}`).toBe(`${method} ${path} → ${status}`)
    }
    // admission control: with the build budget overdrawn, uncached answers are 503 (in the error shape)
    h.models.answers.budget!.charge(1e7)
    for (const path of ['/v1/models?q=never-seen', '/v1/models/never/seen']) expect((await h.get(path)).status).toBe(503)
    h.models.answers.budget!.charge(-1e7)
    expect(h.models.answers.fastPath(new Request('http://localhost/v1/models'))).toBeDefined()
  })

  test('together they cover every status of every route that declares a response schema', () => {
    const declared = (h.app.routes as RouteLike[]).flatMap((r) => Object.keys((r.hooks?.response as object | undefined) ?? {}).map((status) => `${r.method} ${r.path} ${status}`))
    expect(declared.length).toBeGreaterThanOrEqual(30)
    expect(declared.filter((d) => !h.contracts.has(d))).toEqual([])
  })

  test('/v1/models/{id}, documented by hand, documents exactly the schemas its route declares and is checked with', async () => {
    const spec = (await (await h.get('/swagger/json')).json()) as { paths: Record<string, { get: { responses: Record<string, { content: Record<string, { schema: unknown }> }> } }> }
    const documented = spec.paths['/v1/models/{id}']!.get.responses
    const declared = findRoute(h.app.routes, 'GET', '/v1/models/groq/x')!.hooks!.response as Record<string, z.ZodType>
    expect(Object.keys(documented).sort()).toEqual(Object.keys(declared).sort())
    // the shared schemas are hoisted to components/schemas (issue 20): the document holds the declared schema with its $defs shared
    for (const status of Object.keys(declared)) expect(documented[status]!.content['application/json']!.schema).toEqual(shareSchemas({ s: z.toJSONSchema(declared[status]!) }).s as unknown)
  })

  test('the routes without a response schema are exactly these (a new one must declare a schema or be listed here)', () => {
    const unchecked = (h.app.routes as RouteLike[]).filter((r) => !r.hooks?.response).map((r) => `${r.method} ${r.path}`)
    expect(unchecked.sort()).toEqual([
      'GET /',
      'GET /assets/app.css',
      'GET /assets/app.js',
      'GET /favicon.ico', // 204: no body
      'GET /metrics',
      'GET /swagger',
      'GET /swagger/assets/swagger-ui-bundle.js',
      'GET /swagger/assets/swagger-ui.css',
      'GET /swagger/json',
      'GET /v1/changes.atom',
      'HEAD /v1/models', // headers only: no body to check
    ])
  })
})

describe('the check fails on a body that breaks the declared schema', () => {
  test('a /v1/models list whose first item lacks id; the unchanged body passes', async () => {
    const body = (await (await h.get('/v1/models')).json()) as { data: Record<string, unknown>[] }
    expect(await check('GET', '/v1/models', json(body))).toBe('GET /v1/models 200')
    const { id: _id, ...rest } = body.data[0]!
    const broken = { ...body, data: [rest, ...body.data.slice(1)] }
    await expect(check('GET', '/v1/models', json(broken))).rejects.toThrow(
      /response contract broken: GET \/v1\/models \(\/v1\/models\) → 200 .*data\.0: no alternative .*#1 data\.0\.id: .*#2 data\.0\.id: /,
    )
    // the hot path's query strings name the same route
    await expect(check('GET', '/v1/models?gateway=groq&limit=5', json(broken))).rejects.toThrow(/GET \/v1\/models \(/)
  })

  test('a /v1/providers answer with a wrong type; the unchanged body passes', async () => {
    const body = (await (await h.get('/v1/providers')).json()) as { data: Record<string, unknown>[] }
    expect(await check('GET', '/v1/providers', json(body))).toBe('GET /v1/providers 200')
    const broken = { ...body, data: [{ ...body.data[0], model_count: 'many' }, ...body.data.slice(1)] }
    await expect(check('GET', '/v1/providers', json(broken))).rejects.toThrow(/GET \/v1\/providers .*→ 200 .*data\.0\.model_count/)
  })

  test('gzip and br bodies are decoded before the check: a broken one fails, a valid one passes', async () => {
    const valid = JSON.stringify({ status: 'ok' })
    const broken = JSON.stringify({ status: 'fine' })
    for (const [encoding, compress] of [
      ['gzip', gzipSync],
      ['br', brotliCompressSync],
    ] as const) {
      const headers = { 'content-encoding': encoding }
      expect(await check('GET', '/health', json(compress(valid), { headers }))).toBe('GET /health 200')
      await expect(check('GET', '/health', new Response(compress(broken), { headers: { 'content-type': 'application/json', ...headers } }))).rejects.toThrow(/GET \/health .*status/)
      // already decoded (as fetch() leaves a body, keeping the header): read as it is
      await expect(checkContract(h.app, 'GET', '/health', json(broken, { headers }), { decoded: true })).rejects.toThrow(/GET \/health .*status/)
    }
    await expect(checkContract(h.app, 'GET', '/health', json(valid, { headers: { 'content-encoding': 'gzip' } }), { decoded: true })).resolves.toBe('GET /health 200')
  })

  test('the schema of the status answered: an error body on a 400, the union of the wildcard route, the prefixed admin routes', async () => {
    const error = { error: { message: 'm', type: 'invalid_request_error', param: null, code: 'x' } }
    expect(await check('GET', '/v1/models', json(error, { status: 400 }))).toBe('GET /v1/models 400')
    await expect(check('GET', '/v1/models', json({ error: { ...error.error, type: undefined } }, { status: 400 }))).rejects.toThrow(/→ 400 .*error\.type/)
    // a list body is no error body, and an error body is no list
    await expect(check('GET', '/v1/models', json({ object: 'list', data: [] }, { status: 400 }))).rejects.toThrow(/→ 400/)
    await expect(check('GET', '/v1/models', json(error))).rejects.toThrow(/→ 200/)

    const model = (await (await h.get('/v1/models/groq/llama-3.1-8b-instant')).json()) as Record<string, unknown>
    expect(await check('GET', '/v1/models/groq%2Fllama-3.1-8b-instant', json(model))).toBe('GET /v1/models/* 200')
    await expect(check('GET', '/v1/models/groq/llama-3.1-8b-instant', json({ ...model, id: 42 }))).rejects.toThrow(/GET \/v1\/models\/\* \(\/v1\/models\/groq\/llama-3\.1-8b-instant\) → 200/)

    const breaker = (await (await h.get('/admin/circuit-breakers/groq', ADMIN)).json()) as Record<string, unknown>
    expect(await check('GET', '/admin/circuit-breakers/groq', json(breaker))).toBe('GET /admin/circuit-breakers/:provider 200')
    await expect(check('GET', '/admin/circuit-breakers/groq', json({ ...breaker, state: 'ajar' }))).rejects.toThrow(/GET \/admin\/circuit-breakers\/:provider .*state/)
    // POST …/reset is its own static route (a list), not :provider
    await expect(check('POST', '/admin/circuit-breakers/reset', json(breaker))).rejects.toThrow(/POST \/admin\/circuit-breakers\/reset .*→ 200/)
    expect(await check('POST', '/admin/circuit-breakers/reset', json({ object: 'list', data: [breaker] }))).toBe('POST /admin/circuit-breakers/reset 200')
  })

  test('a body that is not JSON under a JSON content type fails', async () => {
    await expect(check('GET', '/health', json('{"status":'))).rejects.toThrow(/GET \/health .*not JSON/)
  })

  test('skipped, answering undefined: 304, a status without a schema, a route without one, no route, a body that is not JSON, an empty body', async () => {
    const broken = { nothing: 'like it' }
    expect(await check('GET', '/v1/models', new Response(null, { status: 304 }))).toBeUndefined()
    expect(await check('GET', '/v1/models', json(broken, { status: 500 }))).toBeUndefined()
    expect(await check('GET', '/metrics', json(broken))).toBeUndefined()
    expect(await check('GET', '/v1/nothing-here', json(broken))).toBeUndefined()
    expect(await check('GET', '/v1/changes.atom', json(broken))).toBeUndefined()
    expect(await check('GET', '/health', new Response(JSON.stringify(broken), { headers: { 'content-type': 'text/plain' } }))).toBeUndefined()
    expect(await check('GET', '/health', json(''))).toBeUndefined()
    // the method is part of the route: no POST /health
    expect(await check('POST', '/health', json(broken))).toBeUndefined()
  })
})

describe("the hot path's prebuilt bytes are checked too", () => {
  test('a body adopted from the refresh thread that breaks the schema fails the harness, on the full path and then the hot path, in every encoding', async () => {
    const up2 = new FakeUpstream().replay(`${GROQ}/models`, 'groq/groq_models_2026-01-22.json')
    const h2 = makeHarness({ toml: tomlFor(up2.url, { groq: GROQ }) })
    try {
      await h2.worker.refresh()
      // (another raw query string than the ones below: those must not be remembered with this body)
      const good = (await (await h2.get('/v1/models?gateway=all')).json()) as { data: Record<string, unknown>[] }
      const broken = new TextEncoder().encode(JSON.stringify({ ...good, data: good.data.map((m, i) => (i === 0 ? { ...m, id: undefined } : m)) }))
      h2.models.answers.adopt(h2.store.version, [{ key: h2.models.keyOf({ free: false, unique: false }), bytes: broken, ...CachedBody.compressSync(broken) }])
      await expect(h2.get('/v1/models')).rejects.toThrow(/GET \/v1\/models .*data\.0\.id/)
      // remembered: the next one is answered before routing, from the same bytes
      expect(h2.models.answers.fastPath(new Request('http://localhost/v1/models'))).toBeDefined()
      await expect(h2.get('/v1/models')).rejects.toThrow(/GET \/v1\/models .*data\.0\.id/)
      await expect(h2.get('/v1/models', { 'accept-encoding': 'gzip' })).rejects.toThrow(/data\.0\.id/)
      await expect(h2.get('/v1/models', { 'accept-encoding': 'br' })).rejects.toThrow(/data\.0\.id/)
      // near miss: a valid adopted body passes on the same path
      const bytes = new TextEncoder().encode(JSON.stringify(good))
      h2.models.answers.adopt(h2.store.version, [{ key: h2.models.keyOf({ free: false, unique: false }), bytes }])
      expect(await (await h2.get('/v1/models?gateway=groq')).text()).toBe(JSON.stringify(good))
    } finally {
      await h2.close()
      up2.stop()
    }
  })
})

describe('over real HTTP', () => {
  test('a fetched answer (decoded by fetch, Content-Encoding kept) is checked as it is', async () => {
    const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: (req) => h.handler(req) })
    try {
      // each its own body (its own ETag): none is skipped as already seen
      for (const [encoding, path] of [
        ['gzip', '/v1/models?limit=40'],
        ['br', '/v1/models?limit=41'],
        ['identity', '/v1/models?limit=42'],
      ] as const) {
        const res = await fetch(`http://127.0.0.1:${server.port}${path}`, { headers: { 'accept-encoding': encoding } })
        expect(res.headers.get('content-encoding') ?? 'identity').toBe(encoding)
        // near miss: decoding the fetched body a second time fails
        if (encoding !== 'identity') await expect(checkContract(h.app, 'GET', path, res, { decoded: false })).rejects.toThrow()
        expect(await checkContract(h.app, 'GET', path, res)).toBe('GET /v1/models 200')
        expect(((await res.json()) as { data: unknown[] }).data.length).toBeGreaterThan(0) // the response itself is left unread
      }
    } finally {
      server.stop(true)
    }
  })
})

describe('the same bytes are validated once', () => {
  test('by ETag, else by content; a failure is never remembered', async () => {
    let calls = 0
    const schema = z.object({ ok: z.literal(true) })
    const spy = { safeParse: (v: unknown) => (calls++, schema.safeParse(v)) }
    const app = { routes: [{ method: 'GET', path: '/x', hooks: { response: { 200: spy } } }] }
    expect(await checkContract(app, 'GET', '/x', json({ ok: true }, { headers: { etag: '"a"' } }))).toBe('GET /x 200')
    await checkContract(app, 'GET', '/x', json({ ok: true }, { headers: { etag: '"a"' } }))
    expect(calls).toBe(1)
    await checkContract(app, 'GET', '/x', json({ ok: true }, { headers: { etag: '"b"' } }))
    expect(calls).toBe(2)
    await checkContract(app, 'GET', '/x', json({ ok: true }))
    await checkContract(app, 'GET', '/x', json({ ok: true }))
    expect(calls).toBe(3)
    await checkContract(app, 'GET', '/x', json({ ok: true, more: 1 }))
    expect(calls).toBe(4)
    for (let i = 0; i < 2; i++) await expect(checkContract(app, 'GET', '/x', json({ ok: false }, { headers: { etag: '"c"' } }))).rejects.toThrow(/GET \/x \(\/x\) → 200/)
    expect(calls).toBe(6)
  })
})

describe('route matching follows Elysia', () => {
  // Each handler answers its own route path: what Elysia served is compared with what findRoute picks.
  const paths = ['', '/*', '/a/:x', '/a/b', '/a/:x/c', '/h', '/v1.atom']
  const probe = new Elysia().use(paths.reduce((e: Elysia<any>, p) => e.get(p, () => `/p${p}`).post(p, () => `POST /p${p}`), new Elysia({ prefix: '/p' })))
  const requests = [
    '/p',
    '/p/',
    '/p?x=1',
    '/p/?x=1',
    '/p/a/b',
    '/p/a/b/',
    '/p/a/c',
    '/p/a/c/',
    '/p/a/c/c',
    '/p/a/c/d',
    '/p/a',
    '/p/a/',
    '/p/h',
    '/p/h/',
    '/p/hh',
    '/p/x/y',
    '/p//',
    '/p/a%2Fb',
    '/p/v1.atom',
    '/p/v1xatom',
  ]

  test.each(requests)('GET %s', async (path) => {
    const served = await (await probe.handle(new Request(`http://localhost${path}`))).text()
    expect(findRoute(probe.routes, 'GET', path)?.path).toBe(served)
    expect(await (await probe.handle(new Request(`http://localhost${path}`, { method: 'POST' }))).text()).toBe(`POST ${served}`)
    expect(findRoute(probe.routes, 'POST', path)?.method).toBe('POST')
  })

  test('the app: prefixes, the wildcard, static before :param, a dot is a dot, the method counts', () => {
    const routeOf = (method: string, path: string) => findRoute(h.app.routes, method, path)?.path
    expect(routeOf('GET', '/v1/models')).toBe('/v1/models')
    expect(routeOf('GET', '/v1/models?unique=true')).toBe('/v1/models')
    expect(routeOf('GET', '/v1/models/groq/llama-3.1-8b-instant')).toBe('/v1/models/*')
    expect(routeOf('GET', '/v1/changes.atom')).toBe('/v1/changes.atom')
    expect(routeOf('GET', '/v1/changesXatom')).toBeUndefined()
    expect(routeOf('POST', '/admin/circuit-breakers/reset')).toBe('/admin/circuit-breakers/reset')
    expect(routeOf('GET', '/admin/circuit-breakers/reset')).toBe('/admin/circuit-breakers/:provider')
    expect(routeOf('POST', '/admin/circuit-breakers/groq/reset')).toBe('/admin/circuit-breakers/:provider/reset')
    expect(routeOf('POST', '/admin/refresh/groq')).toBe('/admin/refresh/:provider')
    expect(routeOf('GET', '/admin/refresh')).toBeUndefined()
    expect(schemaOf(findRoute(h.app.routes, 'GET', '/v1/models/x')!, 404)).toBeDefined()
    expect(schemaOf(findRoute(h.app.routes, 'GET', '/v1/models/x')!, 400)).toBeUndefined()
  })
})
