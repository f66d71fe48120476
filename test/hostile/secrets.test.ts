import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { readFileSync, existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { exportSnapshot } from '../../src/catalog/snapshot'
import { createLogger } from '../../src/lib/log'
import { configSecrets, createScrubber, redactUrl, scrub, scrubberFor, MAX_SCRUBBED_CHARS } from '../../src/lib/scrub'
import { FakeUpstream } from '../helpers/fake-upstream'
import { makeHarness, tempDir, type Harness } from '../helpers/harness'

setDefaultTimeout(30_000)
const ENTRY = join(import.meta.dir, '..', '..', 'src', 'index.ts')

const rand = (n: number) => Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'[b % 57]).join('')
/** Each a distinct secret: none shares an 8-char run with another or with ordinary output. */
const KEY_FULL = `sk-live-${rand(40)}`
const KEY_TRUNC = `gw-${rand(44)}`
const KEY_TAIL = `k${rand(47)}`
const KEY_ANSI = `ak-${rand(30)}`
const ADMIN = `admin-${rand(30)}`
const HOOK_SECRET = `whsec-${rand(30)}`
const HOOK_TOKEN = `ht${rand(30)}`
const REF_PASS = `rp${rand(20)}`
const REF_TOKEN = `rt${rand(30)}`
const SIGNATURE = rand(64)
const SESSION = `FQoGZXIvYXdz${rand(60)}`
const SECRETS = { KEY_FULL, KEY_TRUNC, KEY_TAIL, KEY_ANSI, ADMIN, HOOK_SECRET, HOOK_TOKEN, REF_PASS, REF_TOKEN, SIGNATURE, SESSION }

/** Names of the secrets of which any run of 8 chars occurs in `text`. */
function leaks(text: string): string[] {
  return Object.entries(SECRETS)
    .filter(([, s]) => Array.from({ length: s.length - 7 }, (_, i) => s.slice(i, i + 8)).some((run) => text.includes(run)))
    .map(([name]) => name)
}

const PRESIGNED = `/presigned/bucket/models.json?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=${SIGNATURE}&X-Amz-Security-Token=${SESSION}`
const json = (body: unknown, status: number) => ({ kind: 'body' as const, body: JSON.stringify(body), status })

let up: FakeUpstream
let hook: ReturnType<typeof Bun.serve>
let h: Harness
let dir: string
const lines: string[] = []
let report: any

beforeAll(async () => {
  up = new FakeUpstream()
    .set('/good/models', json({ object: 'list', data: [{ id: 'model-a', object: 'model', created: 1, owned_by: 'x' }] }, 200))
    // a gateway that echoes the refused credential, whole, truncated, its tail
    .set('/full/models', json({ error: { message: `Malformed API Key passed in. Passed in: Bearer ${KEY_FULL}` } }, 401))
    .set('/trunc/models', json({ error: `Incorrect API key provided: ${KEY_TRUNC.slice(0, 20)}...${KEY_TRUNC.slice(-4)}` }, 401))
    .set('/tail/models', { kind: 'body', body: `forbidden: key ending in ${KEY_TAIL.slice(-12)} is not allowed here`, status: 403, contentType: 'text/plain' })
    // a redirect to a presigned URL (signature and session token in its query)
    .set('/redirect/models', { kind: 'body', body: '', status: 302, headers: { location: `https://bucket.s3.example.com${PRESIGNED}` } })
    // terminal escapes (colour, title, clear screen) and newlines around the key
    .set('/ansi/models', { kind: 'body', body: `\x1b[31mupstream exploded\x1b[0m\x1b]0;pwned\x07\nkey=${KEY_ANSI}\x1b[2J\r\n`, status: 500, contentType: 'text/plain' })
    // a reference catalog whose URL carries a password and a token, and which echoes them back
    .set('/ref/api.json', json({ error: `bad credentials for ${REF_PASS} with token ${REF_TOKEN}` }, 401))
  hook = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response('no', { status: 500 }) })
  dir = tempDir('modelcat-secrets-')
  const base = up.url
  const ref = base.replace('http://', `http://refuser:${REF_PASS}@`)
  const toml = [
    '[refresh]',
    'providers = ["good", "full", "trunc", "tail", "redirect", "ansi"]',
    ...['good', 'full', 'trunc', 'tail', 'redirect', 'ansi'].flatMap((id) => [
      `[providers.${id}]`,
      'adapter = "openai"',
      `base_url = "${base}/${id}"`,
      `api_key = "${{ good: `good-${rand(20)}`, full: KEY_FULL, trunc: KEY_TRUNC, tail: KEY_TAIL, redirect: `rd-${rand(20)}`, ansi: KEY_ANSI }[id]}"`,
    ]),
    '[references.models-dev]',
    `url = "${ref}/ref/api.json?token=${REF_TOKEN}"`,
    '[references.litellm]',
    'enabled = false',
    '[[webhooks]]',
    `url = "http://127.0.0.1:${hook.port}/hook?token=${HOOK_TOKEN}"`,
    `secret = "${HOOK_SECRET}"`,
  ].join('\n')
  // the generic scrubber only (it does not know the keys): what reaches the log was scrubbed where it entered
  const log = createLogger('debug', { destination: { write: (s: string) => void lines.push(s) } })
  h = makeHarness({ toml, dir, log, env: { MODELCAT_ADMIN_TOKEN: ADMIN }, webhookRetryDelaysMs: [10] })
  const res = await h.post('/admin/refresh?wait=true', { authorization: `Bearer ${ADMIN}` })
  expect(res.status).toBe(200)
  report = await res.json()
  await h.references.refresh()
  // a second list with a new model: a change, delivered to the webhook (which refuses it: logged with its URL)
  up.set('/good/models', json({ object: 'list', data: ['model-a', 'model-b'].map((id) => ({ id, object: 'model', created: 1, owned_by: 'x' })) }, 200))
  await h.worker.refresh({ providers: ['good'] })
  for (let i = 0; i < 200 && !lines.some((l) => l.includes('webhook given up')); i++) await Bun.sleep(20)
})

afterAll(async () => {
  await h?.close(false)
  up?.stop()
  hook?.stop(true)
  rmSync(dir, { recursive: true, force: true })
})

const get = async (path: string) => (await h.get(path, { authorization: `Bearer ${ADMIN}` })).text()
const errorOf = (list: any[], id: string, key = 'provider') => list.find((x) => x[key] === id)

describe('hostile upstream: secrets', () => {
  test('the refresh really failed as the upstreams said, and the useful part of each message stays', async () => {
    const r = (id: string) => errorOf(report.results, id)
    expect(r('good').status).toBe('ok')
    expect(r('full').error).toBe('HTTP 401: Malformed API Key passed in. Passed in: Bearer [REDACTED]')
    expect(r('trunc').error).toStartWith('HTTP 401: Incorrect API key provided: [REDACTED]')
    expect(r('tail').error).toBe('HTTP 403: forbidden: key ending in [REDACTED] is not allowed here')
    expect(r('redirect').error).toBe('refused redirect (HTTP 302 to https://bucket.s3.example.com/presigned/bucket/models.json?[REDACTED])')
    expect(r('ansi').error).toBe('HTTP 500: upstream exploded key=[REDACTED]')
    expect(up.lastHeaders.get('/full/models')?.get('authorization')).toBe(`Bearer ${KEY_FULL}`) // the key was sent: the echo was real
    expect(leaks(JSON.stringify(report))).toEqual([])
  })

  test('no secret on /v1/providers, /health/providers or the circuit-breaker endpoint; reference URL shown without credentials', async () => {
    const providers = await get('/v1/providers')
    const health = await get('/health/providers')
    const breakers = await get('/admin/circuit-breakers')
    for (const body of [providers, health, breakers]) {
      expect(leaks(body)).toEqual([])
      expect(body).not.toContain('\\u001b')
    }
    const p = JSON.parse(providers)
    expect(errorOf(p.data, 'full', 'id').last_error).toContain('Malformed API Key passed in')
    const ref = errorOf(p.references, 'models.dev', 'id')
    expect(ref.url).toBe(`http://[REDACTED]@127.0.0.1:${up.server.port}/ref/api.json?[REDACTED]`)
    expect(ref.last_error).toBe('HTTP 401: bad credentials for [REDACTED] with token [REDACTED]')
    expect(errorOf(JSON.parse(health).data, 'redirect').last_error).toContain('refused redirect (HTTP 302 to https://bucket.s3.example.com/presigned/bucket/models.json?')
    const b = errorOf(JSON.parse(breakers).data, 'full')
    expect(b.state).toBe('misconfigured')
    expect(b.last_error).toContain('Malformed API Key passed in')
  })

  test('no secret in the log lines (errors, webhook URL) nor in the SQLite files or a cluster snapshot', () => {
    const log = lines.join('')
    expect(log).toContain('provider refresh failed')
    expect(log).toContain('reference refresh failed')
    expect(log).toContain(`"url":"http://127.0.0.1:${hook.port}/hook?[REDACTED]"`)
    expect(leaks(log)).toEqual([])
    expect(log).not.toContain('\\u001b')

    const files = ['catalog.db', 'catalog.db-wal'].map((f) => join(dir, f)).filter(existsSync)
    expect(files.length).toBeGreaterThan(0)
    const bytes = files.map((f) => readFileSync(f).toString('latin1')).join('')
    expect(bytes).toContain('Malformed API Key passed in') // the errors are in there: it is the secrets that are not
    expect(leaks(bytes)).toEqual([])

    const snapshot = new TextDecoder().decode(Bun.gunzipSync(exportSnapshot(h.store).data))
    expect(snapshot).toContain('Malformed API Key passed in')
    expect(leaks(snapshot)).toEqual([])
  })

  test('a row stored before scrubbing existed (raw key, escapes) is scrubbed on every way out', async () => {
    const raw = `HTTP 401: \x1b[1mbad key\x1b[0m ${KEY_FULL.slice(3, 30)}`
    h.db.$client.run('update providers set last_error = ? where id = ?', [raw, 'trunc'])
    h.db.$client.run('update breakers set last_error = ? where provider = ?', [raw, 'trunc'])
    for (const body of [await get('/v1/providers'), await get('/health/providers'), await get('/admin/circuit-breakers')]) {
      expect(body).toContain('HTTP 401: bad key [REDACTED]')
      expect(leaks(body)).toEqual([])
    }
    // the snapshot scrubs what it can without the config (escapes, tokens); the start-up pass of the refresh thread does the rest
    const before = new TextDecoder().decode(Bun.gunzipSync(exportSnapshot(h.store).data))
    expect(before).not.toContain('\\u001b')
    expect(h.store.rescrub(scrubberFor(h.config))).toBe(2)
    expect(h.store.rescrub(scrubberFor(h.config))).toBe(0) // idempotent
    const snapshot = new TextDecoder().decode(Bun.gunzipSync(exportSnapshot(h.store).data))
    expect(snapshot).toContain('HTTP 401: bad key [REDACTED]')
    expect(leaks(snapshot)).toEqual([])
    expect(leaks(JSON.stringify(h.store.loadBreakers()))).toEqual([])
  })

  test('`modelcat providers` (table and --json) and `modelcat refresh` print no secret and no terminal escape', async () => {
    const run = async (args: string[]) => {
      const env = { PATH: process.env.PATH ?? '', MODELCAT_DB: join(dir, 'catalog.db'), MODELCAT_CONFIG: join(dir, 'modelcat.toml'), MODELCAT_ADMIN_TOKEN: ADMIN }
      const p = Bun.spawn(['bun', ENTRY, ...args], { env, stdout: 'pipe', stderr: 'pipe' })
      const [stdout, stderr] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited])
      return stdout + stderr
    }
    const asJson = await run(['providers', '--json'])
    // (stderr, after the JSON, says which config the read command used)
    expect(errorOf(JSON.parse(asJson.slice(0, asJson.lastIndexOf('}') + 1)).data, 'full', 'id').last_error).toContain('Malformed API Key passed in. Passed in: Bearer [REDACTED]')
    const tableOut = await run(['providers'])
    expect(tableOut).toContain('Malformed API Key passed in')
    const refreshOut = await run(['refresh', '--provider', 'ansi,full,redirect'])
    expect(refreshOut).toContain('✗ ansi: HTTP 500: upstream exploded key=[REDACTED]')
    expect(refreshOut).toContain('refused redirect (HTTP 302 to https://bucket.s3.example.com/')
    const check = await run(['config', 'check'])
    expect(check).toContain(`webhook http://127.0.0.1:${hook.port}/hook?[REDACTED]`)
    for (const out of [asJson, tableOut, refreshOut, check]) {
      expect(leaks(out)).toEqual([])
      expect(out).not.toContain('\x1b')
      expect(out).not.toContain('\x07')
    }
  })
})

describe('scrubber (src/lib/scrub.ts)', () => {
  const key = 'sk-proj-Zq8vN3xLk2Pw9RtY7uBc4DfGh6JmQs1A'
  const s = createScrubber([key, 'short7x'])

  test('a configured key is removed whole, truncated, by its tail, inside a longer token; runs under 8 chars stay', () => {
    expect(s(`Passed in: ${key}`)).toBe('Passed in: [REDACTED]')
    expect(s(`provided: ${key.slice(0, 14)}...${key.slice(-4)}`)).toBe(`provided: [REDACTED]...${key.slice(-4)}`)
    expect(s(`ending ${key.slice(-12)} refused`)).toBe('ending [REDACTED] refused')
    expect(s(`ending ${key.slice(-8)} refused`)).toBe('ending [REDACTED] refused')
    expect(s(`ending ${key.slice(-7)} refused`)).toBe(`ending ${key.slice(-7)} refused`) // 7 chars: no longer the key
    expect(s(`xx${key.slice(5, 25)}yy`)).toBe('xx[REDACTED]yy')
    expect(s('the short7x secret')).toBe('the [REDACTED] secret') // a short configured secret: exact only
    expect(scrub(`ending ${key.slice(-12)} refused`)).toBe(`ending ${key.slice(-12)} refused`) // without the config it cannot know
  })

  test('credential patterns: Bearer/Basic in any case, headers, key=value pairs, JSON fields, known prefixes, JWTs', () => {
    expect(scrub('bearer abcdef123456xyz, BEARER Zyx987654321, Basic dXNlcjpwYXNz')).toBe('bearer [REDACTED], BEARER [REDACTED], Basic [REDACTED]')
    expect(scrub('Authorization: Token abc')).toBe('Authorization: Token [REDACTED]')
    expect(scrub('x-api-key: abc, api-key=xyz')).toBe('x-api-key: [REDACTED], api-key=[REDACTED]')
    expect(scrub('api_key=abc123&token=t&password=hunter2')).toBe('api_key=[REDACTED]&token=[REDACTED]&password=[REDACTED]')
    expect(scrub('{"api_key": "qwerty", "secret":"s"}')).toBe('{"api_key": "[REDACTED]", "secret":"[REDACTED]"}')
    expect(scrub('key: abcd1234efgh')).toBe('key: [REDACTED]')
    expect(scrub('gsk_abcdefghij1234567890KLMN hf_AbCdEfGhIjKlMnOpQrStUv12 xai-a1b2c3d4e5f6g7h8i9 ghp_0123456789abcdefghij')).toBe('[REDACTED] [REDACTED] [REDACTED] [REDACTED]')
    expect(scrub('AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStU')).toBe('[REDACTED]')
    expect(scrub('jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl')).toBe('jwt [REDACTED]')
    expect(scrub('aws wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYabcdef0123 end')).toBe('aws [REDACTED] end')
  })

  test('near misses stay: model ids, plain English, numbers, ids, prose about tokens', () => {
    for (const text of [
      'meta-llama/Llama-3.3-70B-Instruct-Turbo not found',
      'claude-3-5-sonnet-20241022 and gemini-2.0-flash-exp-0827 and Qwen/Qwen2.5-Coder-32B-Instruct',
      'HTTP 500: Internal server error, try again in 30 seconds',
      'Invalid key: check your settings; max_tokens=4096 and 12345',
      'missing Bearer token. Use basic auth instead. Basic authentication required.',
      'request id 3f2a7b9c-1d4e-4f6a-8b2c-9e0d1f2a3b4c, req_011CSHoEeqs5C35K2UUqLMTF',
      'task-force monkey=banana sk-learn',
      'x'.repeat(40),
    ])
      expect(scrub(text)).toBe(text)
  })

  test('scrubbing twice changes nothing more (stored text is scrubbed again on its way out)', () => {
    for (const text of [`Passed in: Bearer ${key}`, 'to https://h/x.json?sig=abc123), then', 'key=abc123 api_key=[REDACTED]', 'https://u:p@h/p#f', `\x1b[31m${key.slice(-9)}\x1b[0m`]) {
      const once = s(text)
      expect(s(once)).toBe(once)
    }
  })

  test('URLs: userinfo, query and fragment go; scheme, host, port and path stay', () => {
    expect(redactUrl('https://user:pass@host.example:8443/a/b')).toBe('https://[REDACTED]@host.example:8443/a/b')
    expect(redactUrl('https://host/p?X-Amz-Signature=abc#frag')).toBe('https://host/p?[REDACTED]')
    expect(redactUrl('https://host/p#frag')).toBe('https://host/p#[REDACTED]')
    expect(redactUrl('https://models.dev/api.json')).toBe('https://models.dev/api.json')
    expect(scrub('to https://h.example/x.json?sig=1), then')).toBe('to https://h.example/x.json?[REDACTED]), then')
    expect(scrub('see https://docs.example.com/v1/errors/auth for help')).toBe('see https://docs.example.com/v1/errors/auth for help')
  })

  test('control characters and escape sequences go entirely, newlines become spaces, plain spaces stay; the length is capped', () => {
    expect(scrub('\x1b[31mred\x1b[0m  two\x1b]0;title\x07 \x9b2Jdone\u202e!')).toBe('red  two done!')
    expect(scrub('line one\nline two\r\n\tthree\x00\x7f')).toBe('line one line two three')
    const long = scrub('word '.repeat(1000))
    expect(long.length).toBe(MAX_SCRUBBED_CHARS)
    expect(long.endsWith('…')).toBe(true)
    expect(scrub('a'.repeat(MAX_SCRUBBED_CHARS))).toBe('a'.repeat(MAX_SCRUBBED_CHARS))
    expect(scrub(null)).toBeNull()
  })

  test('configSecrets finds every secret of a config: provider keys, admin token, webhook and cluster secrets, URL passwords and tokens', () => {
    const found = configSecrets({
      adminToken: 'admin-tok',
      providers: [{ id: 'a', apiKey: 'key-a-123', apiKeyEnv: ['A_API_KEY'], baseUrl: 'https://h/v1?key=querykey123' }, { id: 'b' }],
      webhooks: [{ url: 'https://h/hook', secret: 'hook-secret' }],
      cluster: { namespace: 'modelcat', secret: 'cluster-secret' },
      redisUrl: 'redis://:redispass@127.0.0.1:6379',
      overrides: new Map([['x', { apiKey: 'not-a-table' }]]),
    })
    expect(found.sort()).toEqual(['admin-tok', 'cluster-secret', 'hook-secret', 'key-a-123', 'querykey123', 'redispass'])
  })

  test('the logger scrubs error, err and url fields with the scrubber it is given', () => {
    const out: string[] = []
    const log = createLogger('info', { scrub: createScrubber([key]), destination: { write: (l: string) => void out.push(l) } })
    log.warn({ error: `tail ${key.slice(-10)}`, url: 'https://u:p@h/x?sig=1', provider: 'p' }, 'failed')
    log.error({ err: new Error(`boom\x1b[2J ${key}`) }, 'crashed')
    const text = out.join('')
    expect(text).not.toContain(key.slice(-10))
    expect(text).not.toContain('sig=1')
    expect(text).not.toContain('\\u001b')
    expect(JSON.parse(out[0]!)).toMatchObject({ error: 'tail [REDACTED]', url: 'https://[REDACTED]@h/x?[REDACTED]', provider: 'p' })
    expect(JSON.parse(out[1]!).err.message).toBe('boom [REDACTED]')
  })
})
