import { afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { FakeUpstream } from '../helpers/fake-upstream'
import { checkedFetch, routeTable, tempDir, tomlFor } from '../helpers/harness'
import { spawnGroup } from '../helpers/process'

// These tests start the service as a subprocess: a busy 2-core CI machine needs headroom.
setDefaultTimeout(30_000)

const ROOT = join(import.meta.dir, '..', '..')
const GROQ = '/groq/openai/v1'
const TOGETHER = '/together/v1'

// every JSON answer is checked against the schema its route declares
let get: ReturnType<typeof checkedFetch>
beforeAll(async () => {
  get = checkedFetch(await routeTable())
})

let up: FakeUpstream | undefined
let proc: ReturnType<typeof spawnGroup> | undefined
afterEach(() => {
  proc?.kill('SIGKILL')
  up?.stop()
  proc = up = undefined
})

/** Starts `bun run start` as a user would (PORT=0: any free port) and waits for its "listening" log line. */
async function startService(toml: string, env: Record<string, string> = {}) {
  const dir = tempDir('modelcat-e2e-')
  writeFileSync(join(dir, 'modelcat.toml'), toml)
  proc = spawnGroup(['bun', 'run', 'start'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, PORT: '0', HOST: '127.0.0.1', MODELCAT_DB: join(dir, 'catalog.db'), MODELCAT_CONFIG: join(dir, 'modelcat.toml'), ...env },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const lines: string[] = []
  const reader = (proc.stdout as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>).getReader()
  let buffer = ''
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline) {
    const { value, done } = await reader.read()
    if (done) break
    buffer += value
    const parts = buffer.split('\n')
    buffer = parts.pop()!
    for (const line of parts) {
      lines.push(line)
      const entry = JSON.parse(line)
      if (entry.msg === 'modelcat listening') {
        void (async () => {
          for (;;) {
            const r = await reader.read()
            if (r.done) return
            lines.push(...r.value.split('\n').filter(Boolean))
          }
        })()
        return { url: String(entry.url).replace(/\/$/, ''), lines, proc: proc! }
      }
    }
  }
  throw new Error(`service did not start: ${lines.join('\n')} ${await new Response(proc.stderr as ReadableStream).text()}`)
}

/** Waits until every listed provider's live list has landed (the bootstrap catalog is served before). */
async function waitRefreshed(url: string, providers: string[]) {
  for (let i = 0; i < 400; i++) {
    const body = (await (await get(`${url}/v1/providers`)).json()) as { data: { id: string; status: string }[] }
    if (providers.every((id) => body.data.find((p) => p.id === id)?.status === 'ok')) return
    await Bun.sleep(25)
  }
  throw new Error('providers never refreshed')
}

describe('the service as a process', () => {
  test('starts, refreshes in the background after listening, and serves the catalog over real HTTP', async () => {
    up = new FakeUpstream().replay(`${GROQ}/models`, 'groq/groq_models_2026-01-22.json', { delayMs: 300 }).replay(`${TOGETHER}/models`, 'together/together_v1_models_2026-01-23.json')
    const { url } = await startService(tomlFor(up.url, { groq: GROQ, together: TOGETHER }), { MODELCAT_ADMIN_TOKEN: 'tok' })
    // listening before the (slow) first refresh has finished: startup never waits on an upstream
    expect((await get(`${url}/health`)).status).toBe(200)
    // first start: the embedded snapshot is served at once
    expect((await get(`${url}/ready`)).status).toBe(200)
    await waitRefreshed(url, ['groq', 'together'])
    // /v1/providers reads the DB at once; /v1/models serves the version the refresh thread has handed over
    let groq = (await (await get(`${url}/v1/models?gateway=groq`)).json()) as { data: { id: string }[] }
    for (let i = 0; i < 400 && groq.data.length !== 16; i++) {
      await Bun.sleep(25)
      groq = (await (await get(`${url}/v1/models?gateway=groq`)).json()) as { data: { id: string }[] }
    }
    expect(groq.data.length).toBe(16)
    const all = (await (await get(`${url}/v1/models`)).json()) as { data: { id: string }[] }
    expect(all.data.length).toBeGreaterThan(groq.data.length)
    const refreshed = await get(`${url}/admin/refresh?wait=true&provider=groq`, { method: 'POST', headers: { authorization: 'Bearer tok' } })
    expect(refreshed.status).toBe(200)
    expect(up.count(`${GROQ}/models`)).toBe(2)
    expect((await get(`${url}/swagger`)).status).toBe(200)
  })

  test('the full list and the unique view, streamed to a client that takes no compression, are the same bodies as their gzip and br', async () => {
    up = new FakeUpstream().replay(`${GROQ}/models`, 'groq/groq_models_2026-01-22.json').replay(`${TOGETHER}/models`, 'together/together_v1_models_2026-01-23.json')
    const { url } = await startService(tomlFor(up.url, { groq: GROQ, together: TOGETHER }))
    await waitRefreshed(url, ['groq', 'together'])
    // once the refresh thread has handed the version over, the full list is streamed from its index (not held):
    // chunked, no length known up front
    const raw = (encoding: string, headers: Record<string, string> = {}, path = '/v1/models') =>
      fetch(`${url}${path}`, { headers: { 'accept-encoding': encoding, ...headers }, decompress: false } as RequestInit)
    // (the version the refresh landed: the first handover may be the embedded snapshot's)
    const groqRows = (text: string) => (JSON.parse(text) as { data: { id: string }[] }).data.filter((m) => m.id.startsWith('groq/')).length
    let identity = await raw('identity')
    let bytes = Buffer.from(await identity.arrayBuffer())
    for (let i = 0; identity.headers.get('transfer-encoding') !== 'chunked' || groqRows(bytes.toString('utf8')) !== 16; i++) {
      if (i > 400) throw new Error('the refreshed full list was never streamed')
      await Bun.sleep(25)
      identity = await raw('identity')
      bytes = Buffer.from(await identity.arrayBuffer())
    }
    expect(identity.status).toBe(200)
    expect(identity.headers.get('content-encoding')).toBeNull()
    const text = bytes.toString('utf8')
    // exactly the text JSON.stringify makes of the answer: every row once, nothing lost
    expect(JSON.stringify(JSON.parse(text))).toBe(text)
    const all = JSON.parse(text) as { object: string; data: { id: string }[] }
    expect(all.object).toBe('list')
    expect(new Set(all.data.map((m) => m.id)).size).toBe(all.data.length)
    const sameEverywhere = async (path: string, identity: Response, bytes: Buffer) => {
      for (const [encoding, inflate] of [
        ['gzip', gunzipSync],
        ['br', brotliDecompressSync],
      ] as const) {
        const r = await raw(encoding, {}, path)
        expect(r.headers.get('content-encoding')).toBe(encoding)
        expect(r.headers.get('x-catalog-version')).toBe(identity.headers.get('x-catalog-version'))
        expect(r.headers.get('etag')).toBe(identity.headers.get('etag'))
        expect(Buffer.compare(inflate(Buffer.from(await r.arrayBuffer())), bytes)).toBe(0)
      }
      expect((await raw('identity', { 'if-none-match': identity.headers.get('etag')! }, path)).status).toBe(304)
      // HEAD: the headers, the length of what a GET sends, no body
      const head = await fetch(`${url}${path}`, { method: 'HEAD', headers: { 'accept-encoding': 'identity' } })
      expect(head.status).toBe(200)
      expect(head.headers.get('etag')).toBe(identity.headers.get('etag'))
      expect(Number(head.headers.get('content-length'))).toBe(bytes.length)
    }
    await sameEverywhere('/v1/models', identity, bytes)
    // the unique view of the same version: streamed from its gzip too, one entry per canonical model
    const unique = await raw('identity', {}, '/v1/models?unique=true')
    expect(unique.headers.get('transfer-encoding')).toBe('chunked')
    expect(unique.headers.get('x-catalog-version')).toBe(identity.headers.get('x-catalog-version'))
    const uniqueBytes = Buffer.from(await unique.arrayBuffer())
    const uniqueText = uniqueBytes.toString('utf8')
    expect(JSON.stringify(JSON.parse(uniqueText))).toBe(uniqueText)
    const groups = (JSON.parse(uniqueText) as { data: { id: string; providers: { id: string }[] }[] }).data
    expect(new Set(groups.map((g) => g.id)).size).toBe(groups.length)
    // every offering in exactly one group
    expect(groups.flatMap((g) => g.providers.map((p) => p.id)).sort()).toEqual(all.data.map((m) => m.id).sort())
    await sameEverywhere('/v1/models?unique=true', unique, uniqueBytes)
  })

  test("from its start, the version a client's answers come from never goes back (the first index is handed over before any refresh commits)", async () => {
    // no provider answers quickly and the embedded references land in the first seconds: commits right after the start
    const { url } = await startService('')
    const seen: number[] = []
    const until = Date.now() + 4000
    while (Date.now() < until) {
      const r = await get(`${url}/v1/models?unique=true&limit=1`)
      if (r.status === 200) seen.push(Number(r.headers.get('x-catalog-version')))
      await r.arrayBuffer()
      await Bun.sleep(5)
    }
    expect(seen.length).toBeGreaterThan(20)
    const back = seen.findIndex((v, i) => i > 0 && v < seen[i - 1]!)
    expect(back === -1 ? null : seen.slice(Math.max(0, back - 3), back + 2)).toBeNull()
  })

  test('SIGTERM during a hanging refresh exits 0 within 5 s', async () => {
    up = new FakeUpstream().set(`${GROQ}/models`, { kind: 'hang' })
    const { url, proc } = await startService(tomlFor(up.url, { groq: GROQ }))
    expect((await get(`${url}/health`)).status).toBe(200)
    await Bun.sleep(100) // the first refresh is now waiting on the hanging upstream
    const started = Date.now()
    proc.kill('SIGTERM')
    const code = await proc.exited
    expect(code).toBe(0)
    expect(Date.now() - started).toBeLessThan(5000)
  })

  test('SIGTERM while an admin refresh waits on a hanging upstream: the refresh is aborted, exit 0 within 5 s', async () => {
    up = new FakeUpstream().set(`${GROQ}/models`, { kind: 'hang' })
    const { url, proc } = await startService(tomlFor(up.url, { groq: GROQ }), { MODELCAT_ADMIN_TOKEN: 'tok' })
    await Bun.sleep(100)
    const waiting = fetch(`${url}/admin/refresh?wait=true`, { method: 'POST', headers: { authorization: 'Bearer tok' } }).catch(() => null)
    await Bun.sleep(200) // the request is in flight, waiting on the refresh
    const started = Date.now()
    proc.kill('SIGTERM')
    expect(await proc.exited).toBe(0)
    expect(Date.now() - started).toBeLessThan(5000)
    await waiting
  })

  test('bad config: one message naming each bad key, exit code 2, nothing started', async () => {
    const dir = tempDir('modelcat-e2e-')
    writeFileSync(join(dir, 'bad.toml'), '[refresh]\ninterval_seconds = "often"\n[providers.groq]\ntimeout_ms = -5\n')
    const p = spawnGroup(['bun', 'run', 'start'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', PORT: 'eighty', MODELCAT_CONFIG: join(dir, 'bad.toml'), MODELCAT_DB: join(dir, 'c.db') },
      stdout: 'pipe',
      stderr: 'pipe',
    })
    expect(await p.exited).toBe(2)
    const err = await new Response(p.stderr as ReadableStream).text()
    expect(err).toContain('PORT')
    expect(err).toContain('refresh.interval_seconds')
    expect(err).toContain('providers.groq.timeout_ms')
    expect(await Bun.file(join(dir, 'c.db')).exists()).toBe(false)
  })
})
