import { afterAll, afterEach, beforeAll, describe, expect, spyOn, test } from 'bun:test'
import { connect } from 'node:net'
import { gunzipSync } from 'node:zlib'
import pino from 'pino'
import { loadConfig, ConfigError } from '../../src/config'
import { CACHE_CONTROL } from '../../src/serving/cached-body'
import { methodOf, routeOf } from '../../src/http/handler'
import { MAX_LIST_VALUES } from '../../src/http/query'
import { ListModelsQuery } from '../../src/modules/models/model'
import { FakeUpstream } from '../helpers/fake-upstream'
import { makeHarness, tomlFor, type Harness } from '../helpers/harness'

/**
 * Issue 12, input from an unauthenticated client: metric labels from the route table only, bounded
 * comma lists normalised before any query, feed links from configuration (never the Host header),
 * authentication before any parsing, exact token and ETag comparisons (with their near misses).
 */

const GROQ = '/groq/openai/v1'
const TOGETHER = '/together/v1'
const OPENROUTER = '/openrouter/api/v1'
const TOKEN = 'Adm1n-t0ken-for-tests'

let up: FakeUpstream
let h: Harness
const logLines: string[] = []

beforeAll(async () => {
  up = new FakeUpstream()
    .replay(`${GROQ}/models`, 'groq/groq_models_2025-01-14.json')
    .replay(`${TOGETHER}/models`, 'together/together_v1_models_2026-01-23.json')
    .replay(`${OPENROUTER}/models`, 'openrouter/roo-code_openrouter-models_2025-04-24.DECODED_BODY.json')
  const log = pino({ level: 'info' }, { write: (s: string) => void logLines.push(s) })
  h = makeHarness({ toml: tomlFor(up.url, { groq: GROQ, together: TOGETHER, openrouter: OPENROUTER }), env: { MODELCAT_ADMIN_TOKEN: TOKEN }, log })
  await h.worker.refresh()
  // a second version that adds models: the Atom feed has entries
  up.replay(`${GROQ}/models`, 'groq/groq_models_2026-01-22.json').replay(`${OPENROUTER}/models`, 'openrouter/roo-code_openrouter-models_2025-05-12.DECODED_BODY.json')
  await h.worker.refresh()
})
afterAll(async () => {
  await h.close()
  up.stop()
})

/** Every console.error of a test (Elysia's 500 path prints the error with its stack there). */
let consoleErrors: unknown[][] = []
let spy: ReturnType<typeof spyOn> | undefined
const watchStderr = () => {
  consoleErrors = []
  spy = spyOn(console, 'error').mockImplementation((...args: unknown[]) => void consoleErrors.push(args))
}
afterEach(() => {
  spy?.mockRestore()
  spy = undefined
})
/** No 500 and nothing on stderr, no error-level log line: a client's input is never a server error. */
const expectNoServerError = () => {
  expect(consoleErrors).toEqual([])
  expect(logLines.filter((l) => JSON.parse(l).level >= 50)).toEqual([])
}

const request = (method: string, path: string, headers: Record<string, string> = {}, body?: string) => h.handler(new Request(`http://localhost${path}`, { method, headers, body }))
const errorOf = async (res: Response) => ((await res.json()) as { error: { message: string; type: string; param: string | null; code: string | null } }).error
const randomToken = (n = 12) => Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('')
const mValues = (n: number) => Array.from({ length: n }, (_, i) => `m${i}`).join(',')
/** `count` distinct case spellings of `word` (bit i of k upper-cases letter i). */
const spellings = (word: string, count: number) => Array.from({ length: count }, (_, k) => [...word].map((c, i) => ((k >> i) & 1 ? c.toUpperCase() : c)).join(''))

describe('hostile client', () => {
  describe('metric labels come from the route table only', () => {
    test('routeOf: known routes keep their pattern; anything else, however close, is `other`', () => {
      const cases: [string, string][] = [
        ['/v1/models', '/v1/models'],
        ['/v1/models/groq/llama-3.1-8b-instant', '/v1/models/{id}'],
        ['/v1/providers', '/v1/providers'],
        ['/v1/changes', '/v1/changes'],
        ['/v1/changes.atom', '/v1/changes.atom'],
        ['/health', '/health'],
        ['/health/providers', '/health/providers'],
        ['/ready', '/ready'],
        ['/metrics', '/metrics'],
        ['/swagger', '/swagger'],
        ['/swagger/json', '/swagger'],
        ['/admin/refresh', '/admin/refresh'],
        ['/admin/refresh/groq', '/admin/refresh/{provider}'],
        ['/admin/circuit-breakers', '/admin/circuit-breakers'],
        ['/admin/circuit-breakers/reset', '/admin/circuit-breakers/reset'],
        ['/admin/circuit-breakers/groq', '/admin/circuit-breakers/{provider}'],
        ['/admin/circuit-breakers/groq/reset', '/admin/circuit-breakers/{provider}/reset'],
        // near misses
        ['/admin/x7f3k', 'other'],
        ['/admin/', 'other'],
        ['/admin', 'other'],
        ['/admin/refresh/groq/extra', 'other'],
        ['/admin/refresh/', 'other'],
        ['/admin/circuit-breakers/groq/reset/extra', 'other'],
        ['/admin/circuit-breakers/groq/other', 'other'],
        ['/v1/modelsX', 'other'],
        ['/v1/models-and-more', 'other'],
        ['/v1/changes.atomx', 'other'],
        ['/v1/random', 'other'],
        ['/health/', 'other'],
        ['/swaggerx', 'other'],
        ['/metrics/x', 'other'],
        // the catalog page (issue 19): its three files, and near misses
        ['/', '/'],
        ['/assets/app.js', '/assets/app.js'],
        ['/assets/app.css', '/assets/app.css'],
        ['/assets/app.jsx', 'other'],
        ['/assets/', 'other'],
        ['/assets/x9', 'other'],
        ['//', 'other'],
      ]
      for (const [path, label] of cases) expect([path, routeOf(path)]).toEqual([path, label])
    })

    test('methodOf: the standard methods as they are, any other token `OTHER`', () => {
      for (const m of ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) expect(methodOf(m)).toBe(m)
      for (const m of ['FOO', 'get', 'PROPFIND', 'GETX', 'X'.repeat(100)]) expect(methodOf(m)).toBe('OTHER')
    })

    test('300 random paths (200 under /admin) and 50 random methods leave /metrics bounded and free of client strings', async () => {
      const warm = ['/v1/models', '/v1/random-warmup', '/admin/warmup', '/nope']
      for (const p of warm) for (const m of ['GET', 'POST', 'WARMUP']) await request(m, p)
      const before = await (await h.get('/metrics')).text()
      const sent: string[] = []
      for (let i = 0; i < 300; i++) {
        const r = randomToken()
        sent.push(r)
        const path = i < 200 ? [`/admin/${r}`, `/admin/refresh/${r}/x`, `/admin/circuit-breakers/${r}/x/y`, `/admin/${r}/reset`][i % 4]! : i % 2 ? `/v1/${r}` : `/${r}`
        await request(i % 3 ? 'GET' : 'POST', path)
      }
      for (let i = 0; i < 50; i++) {
        const m = `M${randomToken(8).toUpperCase()}`
        sent.push(m.toLowerCase())
        await request(m, i % 2 ? '/v1/models' : `/admin/${randomToken()}`)
      }
      const after = await (await h.get('/metrics')).text()
      for (const s of sent) expect(after.toLowerCase()).not.toContain(s)
      const routes = new Set([...after.matchAll(/route="([^"]*)"/g)].map((m) => m[1]))
      const methods = new Set([...after.matchAll(/method="([^"]*)"/g)].map((m) => m[1]))
      for (const r of routes) expect(r === 'other' || r!.startsWith('/')).toBe(true)
      expect([...routes].filter((r) => r !== 'other' && routeOf(r!) !== r)).toEqual([])
      for (const m of methods) expect(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'OTHER']).toContain(m!)
      // the warm-up already made every (other, method, status) series: at most a few new statuses
      expect(after.length - before.length).toBeLessThan(20_000)
    })

    test('over real HTTP, an unknown method is labelled OTHER and a Host header is never reflected', async () => {
      const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: (req, srv) => h.handler(req, srv) })
      try {
        const raw = (text: string) =>
          new Promise<string>((resolve, reject) => {
            const chunks: Buffer[] = []
            const s = connect(server.port!, '127.0.0.1', () => s.end(text))
            s.on('data', (c: Buffer) => chunks.push(c))
            s.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
            s.on('error', reject)
          })
        const feed = await raw('GET /v1/changes.atom HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n')
        expect(feed).toStartWith('HTTP/1.1 200')
        expect(feed).toContain('<entry>')
        expect(feed).not.toContain('evil.example')
        await raw(`BREW${randomToken(4).toUpperCase()} /admin/${randomToken()} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)
        const metrics = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text()
        expect(metrics).not.toMatch(/method="BREW/)
      } finally {
        server.stop(true)
      }
    })
  })

  describe('comma lists: at most 64 distinct values, normalised before any query', () => {
    const LIST_ROUTES: [path: string, param: string, admin?: boolean][] = [
      ['/v1/models', 'input_modalities'],
      ['/v1/models', 'output_modalities'],
      ['/v1/models', 'supported_parameters'],
      ['/v1/models', 'gateway'],
      ['/v1/models', 'exclude_gateway'],
      ['/v1/changes', 'gateway'],
      ['/admin/refresh', 'provider', true],
    ]

    test(`933 values (and ${MAX_LIST_VALUES + 1}) are a 400 naming the parameter, never a 500, nothing on stderr`, async () => {
      expect(MAX_LIST_VALUES).toBe(64)
      watchStderr()
      for (const [path, param, admin] of LIST_ROUTES) {
        for (const n of [933, MAX_LIST_VALUES + 1]) {
          const res = await request(admin ? 'POST' : 'GET', `${path}?${param}=${mValues(n)}`, admin ? { authorization: `Bearer ${TOKEN}` } : {})
          expect([path, param, n, res.status]).toEqual([path, param, n, 400])
          const e = await errorOf(res)
          expect(e.param).toBe(param)
          expect(e.code).toBe('invalid_parameter')
          expect(e.message).toContain(`at most ${MAX_LIST_VALUES}`)
        }
        // a repeated key is the same list
        const repeated = Array.from({ length: MAX_LIST_VALUES + 1 }, (_, i) => `${param}=v${i}`).join('&')
        expect((await errorOf(await request(admin ? 'POST' : 'GET', `${path}?${repeated}`, admin ? { authorization: `Bearer ${TOKEN}` } : {}))).param).toBe(param)
      }
      expectNoServerError()
    })

    test('exactly 64 distinct values pass the cap; spellings of fewer values (case, spaces, repeats, empties) never count', async () => {
      watchStderr()
      const at = await h.get(`/v1/models?input_modalities=${mValues(MAX_LIST_VALUES)}`)
      expect(at.status).toBe(200)
      expect(((await at.json()) as { data: unknown[] }).data).toEqual([])
      // 64 distinct values written 3 ways each (192 items) plus empty items: still 64
      const items = Array.from({ length: MAX_LIST_VALUES }, (_, i) => [`m${i}`, `M${i}`, ` m${i} `]).flat()
      const spelled = await h.get(`/v1/models?supported_parameters=${encodeURIComponent(`${items.join(',')},,,`)}`)
      expect(spelled.status).toBe(200)
      // gateways: 64 unknown names are refused as unknown (the cap is not what refuses them)
      const unknown = await errorOf(await h.get(`/v1/models?gateway=${mValues(MAX_LIST_VALUES)}`))
      expect(unknown.code).toBe('unknown_gateway')
      expectNoServerError()
    })

    test('600 case spellings of one value are that one value: same query, same cache key, same ETag, same body', async () => {
      const many = spellings('temperature', 600)
      expect(new Set(many).size).toBe(600)
      const url = `/v1/models?supported_parameters=${many.join(',')}`
      expect(url.length).toBeGreaterThan(7000)
      const single = await h.get('/v1/models?supported_parameters=temperature')
      const spelled = await h.get(url)
      expect(spelled.status).toBe(200)
      expect(spelled.headers.get('etag')).toBe(single.headers.get('etag'))
      const body = (await spelled.json()) as { data: { supported_parameters: string[] | null }[] }
      expect(body.data.length).toBeGreaterThan(0)
      expect(body).toEqual((await single.json()) as never)
      for (const m of body.data) expect(m.supported_parameters!.map((p) => p.toLowerCase())).toContain('temperature')
      // the validated query already is the single value: the SQL gets one condition
      const parsed = ListModelsQuery.parse({ supported_parameters: many.join(',') })
      expect(parsed.supported_parameters).toBe('temperature')
      expect(h.models.normalize(parsed).catalog.supportedParameters).toEqual(['temperature'])
      expect(h.models.keyOf(parsed)).toBe(h.models.keyOf(ListModelsQuery.parse({ supported_parameters: 'temperature' })))
      // same for every list: modalities, gateways, and their mix of spellings
      for (const [param, value] of [
        ['input_modalities', 'text'],
        ['output_modalities', 'text'],
        ['gateway', 'groq'],
        ['exclude_gateway', 'together'],
      ]) {
        const a = await h.get(`/v1/models?${param}=${value}`)
        const b = await h.get(`/v1/models?${param}=${spellings(value!, 2 ** value!.length).join(',')}`)
        expect([param, b.status]).toEqual([param, 200])
        expect(b.headers.get('etag')).toBe(a.headers.get('etag'))
      }
      const changesA = await (await h.get('/v1/changes?gateway=groq&limit=1000')).json()
      const changesB = await (await h.get(`/v1/changes?limit=1000&gateway=${spellings('groq', 16).join(',')}`)).json()
      expect(changesB).toEqual(changesA as never)
    })

    test('q: 200 characters is a search, 201 a 400 naming q; a URL over 8192 characters is a 414', async () => {
      watchStderr()
      expect((await h.get(`/v1/models?q=${'a'.repeat(200)}`)).status).toBe(200)
      const long = await h.get(`/v1/models?q=${'a'.repeat(201)}`)
      expect(long.status).toBe(400)
      expect((await errorOf(long)).param).toBe('q')
      expect((await h.get(`/v1/models?q=${'%25'.repeat(3000)}`)).status).toBe(414)
      expectNoServerError()
    })
  })

  describe('the Atom feed: links from configuration, cached like every answer', () => {
    test('with no public_url the links are relative, whatever the Host header says', async () => {
      for (const host of ['evil.example', 'localhost:1', 'x"><script>']) {
        const res = await h.handler(new Request(`http://${host.startsWith('x') ? 'localhost' : host}/v1/changes.atom`, { headers: { host } }))
        const xml = await res.text()
        expect(xml).not.toContain('evil.example')
        expect(xml).not.toContain('localhost')
        const hrefs = [...xml.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!)
        expect(hrefs.length).toBeGreaterThan(1)
        expect(xml.match(/https?:\/\//g)).toEqual(['http://']) // the Atom namespace only
        for (const href of hrefs) expect(href).toMatch(/^\/v1\/(models\/|changes\.atom$)/)
      }
    })

    test('with public_url every link is under it (a trailing slash is dropped)', async () => {
      const other = makeHarness({ toml: `[http]\npublic_url = "https://cat.example.com/base/"\n` })
      try {
        const xml = await (await other.handler(new Request('http://evil.example/v1/changes.atom', { headers: { host: 'evil.example' } }))).text()
        expect(xml).toContain('<link rel="self" href="https://cat.example.com/base/v1/changes.atom"/>')
        expect(xml).not.toContain('evil.example')
      } finally {
        await other.close()
      }
    })

    test('links to models are percent-encoded per path segment and resolve to the model', async () => {
      const xml = await (await h.get('/v1/changes.atom')).text()
      const href = [...xml.matchAll(/<link href="([^"]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'))[0]!
      const res = await h.get(href)
      expect(res.status).toBe(200)
      expect(((await res.json()) as { id: string }).id).toBe(decodeURIComponent(href.slice('/v1/models/'.length)))
    })

    test('Cache-Control, ETag, Last-Modified, Vary; 304 on If-None-Match; gzip; the same bytes until a new version', async () => {
      const res = await h.get('/v1/changes.atom')
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8')
      expect(res.headers.get('cache-control')).toBe(CACHE_CONTROL)
      expect(res.headers.get('vary')).toBe('Accept-Encoding')
      expect(res.headers.get('last-modified')).toBeTruthy()
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      const etag = res.headers.get('etag')!
      expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/)
      const xml = await res.text()
      expect((await h.get('/v1/changes.atom', { 'if-none-match': etag })).status).toBe(304)
      const gz = await h.get('/v1/changes.atom', { 'accept-encoding': 'gzip' })
      expect(gz.headers.get('content-encoding')).toBe('gzip')
      expect(gunzipSync(new Uint8Array(await gz.arrayBuffer())).toString('utf8')).toBe(xml)
      expect(await (await h.get('/v1/changes.atom')).text()).toBe(xml)
    })
  })

  describe('public_url setting', () => {
    test('env MODELCAT_PUBLIC_URL and TOML http.public_url: absolute http(s) only, no query, fragment or credentials', () => {
      expect(loadConfig({}).publicUrl).toBeUndefined()
      expect(loadConfig({ MODELCAT_PUBLIC_URL: 'https://cat.example.com/' }).publicUrl).toBe('https://cat.example.com')
      expect(loadConfig({ MODELCAT_PUBLIC_URL: 'http://10.0.0.1:8080/modelcat' }).publicUrl).toBe('http://10.0.0.1:8080/modelcat')
      for (const bad of [
        '/relative',
        'cat.example.com',
        'ftp://cat.example.com',
        'javascript:alert(1)',
        'https://u:p@cat.example.com',
        'https://user@cat.example.com',
        'https://cat.example.com/?a=1',
        'https://cat.example.com/?',
        'https://cat.example.com/#x',
      ]) {
        let err: unknown
        try {
          loadConfig({ MODELCAT_PUBLIC_URL: bad })
        } catch (e) {
          err = e
        }
        expect([bad, err instanceof ConfigError]).toEqual([bad, true])
        expect((err as ConfigError).problems.join('\n')).toContain('MODELCAT_PUBLIC_URL')
      }
    })
  })

  describe('admin: authentication first, then the exact token', () => {
    const ROUTES: [method: string, path: string][] = [
      ['POST', '/admin/refresh'],
      ['POST', '/admin/refresh/groq'],
      ['GET', '/admin/circuit-breakers'],
      ['GET', '/admin/circuit-breakers/groq'],
      ['POST', '/admin/circuit-breakers/reset'],
      ['POST', '/admin/circuit-breakers/groq/reset'],
    ]
    const NEAR_MISSES: Record<string, string | undefined> = {
      none: undefined,
      'empty bearer': 'Bearer ',
      'bearer only': 'Bearer',
      prefix: `Bearer ${TOKEN.slice(0, -1)}`,
      'first character': `Bearer ${TOKEN[0]}`,
      superset: `Bearer ${TOKEN}x`,
      'case variant': `Bearer ${TOKEN.toUpperCase()}`,
      'extra word': `Bearer ${TOKEN} x`,
      'token twice': `Bearer ${TOKEN},${TOKEN}`,
      'no scheme': TOKEN,
      'wrong scheme': `Basic ${TOKEN}`,
      'basic base64': `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}`,
      'scheme glued': `Bearer${TOKEN}`,
      'other scheme': `Token ${TOKEN}`,
    }

    test('every near miss of the token is a 401 on every admin route, and starts nothing', async () => {
      const hits = up.count(`${GROQ}/models`)
      const version = h.store.version
      for (const [method, path] of ROUTES) {
        for (const [name, authorization] of Object.entries(NEAR_MISSES)) {
          const res = await request(method, path, authorization === undefined ? {} : { authorization })
          expect([method, path, name, res.status]).toEqual([method, path, name, 401])
          expect(res.headers.get('www-authenticate')).toStartWith('Bearer')
          expect((await errorOf(res)).type).toBe('authentication_error')
        }
      }
      expect(up.count(`${GROQ}/models`)).toBe(hits)
      expect(h.store.version).toBe(version)
    })

    test('unauthenticated: 401 before any parameter, body or path is read; authenticated: the 400/404 names it', async () => {
      const unauth: [string, string, string?][] = [
        ['POST', '/admin/refresh?wait=maybe'],
        ['POST', '/admin/refresh?force=maybe&provider=nope'],
        ['POST', `/admin/refresh?provider=${mValues(933)}`],
        ['POST', '/admin/refresh/nope?wait=maybe'],
        ['POST', '/admin/refresh/groq?wait=maybe'],
        ['GET', '/admin/circuit-breakers/nope'],
        ['POST', '/admin/circuit-breakers/nope/reset'],
        ['POST', '/admin/refresh', '{not json'],
      ]
      for (const [method, path, body] of unauth) {
        const res = await request(method, path, body ? { 'content-type': 'application/json' } : {}, body)
        expect([method, path, res.status]).toEqual([method, path, 401])
        expect((await errorOf(res)).param).toBeNull()
      }
      const authed = await request('POST', '/admin/refresh?wait=maybe', { authorization: `Bearer ${TOKEN}` })
      expect(authed.status).toBe(400)
      expect((await errorOf(authed)).param).toBe('wait')
      const unknown = await request('GET', '/admin/circuit-breakers/nope', { authorization: `Bearer ${TOKEN}` })
      expect(unknown.status).toBe(404)
    })

    test('the exact token passes on every admin route (header scheme in any case; surrounding whitespace is not part of a header value)', async () => {
      for (const [method, path] of ROUTES) {
        const res = await request(method, path, { authorization: `Bearer ${TOKEN}` })
        expect([method, path, res.status < 300 || res.status === 429]).toEqual([method, path, true])
      }
      for (const authorization of [`bearer ${TOKEN}`, `Bearer  ${TOKEN}`, `Bearer ${TOKEN} `]) {
        expect((await request('GET', '/admin/circuit-breakers', { authorization })).status).toBe(200)
      }
      await h.worker.refresh() // joins the refreshes started above: nothing runs behind the next tests
    })
  })

  describe('If-None-Match: the exact ETag, a list containing it, * or its weak form; nothing else', () => {
    for (const path of ['/v1/models', '/v1/models?unique=true', '/v1/changes.atom']) {
      test(path, async () => {
        const first = await h.get(path)
        const etag = first.headers.get('etag')!
        expect(etag).toMatch(/^"[A-Za-z0-9_-]{20,}"$/)
        const inner = etag.slice(1, -1)
        const notModified = [etag, `"a", ${etag}`, `${etag}, "b"`, `"a",${etag}`, '*', ` * `, `W/${etag}`, `"x", W/${etag}`, `${etag},`]
        const modified = [
          `"${inner.slice(0, -1)}"`, // prefix
          `"${inner.slice(1)}"`, // suffix
          `"${inner}x"`, // superset
          `"x${inner}"`,
          inner, // unquoted
          `"${inner}`, // no closing quote
          `${inner}"`,
          '"',
          '""',
          `"${inner},garbage"`, // the etag followed by comma-garbage inside one tag
          `"${inner}" garbage`,
          `W/ ${etag}`,
          `w/${etag}`,
          `"${inner.toUpperCase() === inner ? inner.toLowerCase() : inner.toUpperCase()}"`, // case variant
          '"a", "b"',
          '**',
          `*${etag}`,
          'W/"x"',
        ]
        // twice each: the first answer takes the full path, later ones the hot path for /v1/models
        for (let round = 0; round < 2; round++) {
          for (const v of notModified) expect([v, (await h.get(path, { 'if-none-match': v })).status]).toEqual([v, 304])
          for (const v of modified) expect([v, (await h.get(path, { 'if-none-match': v })).status]).toEqual([v, 200])
        }
        // an ETag of another answer (another query) is not this one's
        const otherEtag = (await h.get('/v1/models?gateway=groq')).headers.get('etag')!
        expect(otherEtag).not.toBe(etag)
        expect((await h.get(path, { 'if-none-match': otherEtag })).status).toBe(200)
      })
    }

    test("an ETag of another catalog version is not the current one's", async () => {
      const before = (await h.get('/v1/models?gateway=groq')).headers.get('etag')!
      up.replay(`${GROQ}/models`, 'groq/groq_models_2025-10-05.json')
      await h.worker.refresh({ providers: ['groq'], force: true })
      const res = await h.get('/v1/models?gateway=groq', { 'if-none-match': before })
      expect(res.status).toBe(200)
      expect(res.headers.get('etag')).not.toBe(before)
      expect((await h.get('/v1/models?gateway=groq', { 'if-none-match': res.headers.get('etag')! })).status).toBe(304)
    })
  })
})
