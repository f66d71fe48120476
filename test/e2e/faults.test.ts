import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { syntheticOutcomes } from '../../bench/synthetic'
import { SORT_KEYS } from '../../src/catalog/reads'
import { CatalogStore } from '../../src/catalog/store'
import { openDb } from '../../src/db/client'
import { FakeUpstream } from '../helpers/fake-upstream'
import { checkedFetch, makeHarness, routeTable, tempDir, tomlFor, type Harness } from '../helpers/harness'
import { spawnGroup } from '../helpers/process'

/**
 * Faults, with real processes and real files: hostile upstreams in one refresh of the running service,
 * SIGKILL in the middle of the write transaction, a full disk, and fuzzed query strings. Only 127.0.0.1.
 * Random choices come from a seeded PRNG; the seed is printed when a test fails (FAULTS_SEED=<n> replays it).
 */

setDefaultTimeout(60_000)

const ROOT = join(import.meta.dir, '..', '..')
const GROQ = '/groq/openai/v1'
const TOGETHER = '/together/v1'
const FIX = `${import.meta.dir}/../fixtures/upstream`

const SEED = Number(process.env.FAULTS_SEED ?? Math.floor(Math.random() * 2 ** 31))

/** mulberry32: a small seeded PRNG (floats in [0, 1)). */
function prng(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    chance: (p: number) => next() < p,
  }
}

/** Runs `fn`; on failure prints the seed that reproduces it. */
async function seeded<T>(label: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    console.log(`${label} failed with FAULTS_SEED=${SEED} (run again with FAULTS_SEED=${SEED} to reproduce)`)
    throw err
  }
}

/** Lines of a child's stdout, read with a deadline. */
function lineReader(stream: ReadableStream<Uint8Array>) {
  const reader = stream.pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>).getReader()
  const queue: string[] = []
  let buffer = ''
  let done = false
  return {
    /** The next line, or null at the end of the stream or after `timeoutMs`. */
    async next(timeoutMs = 15_000): Promise<string | null> {
      const deadline = Date.now() + timeoutMs
      while (queue.length === 0 && !done) {
        const left = deadline - Date.now()
        if (left <= 0) return null
        const r = await Promise.race([reader.read(), Bun.sleep(left).then(() => 'timeout' as const)])
        if (r === 'timeout') return null
        if (r.done) {
          done = true
          if (buffer) queue.push(buffer)
          break
        }
        buffer += r.value
        const parts = buffer.split('\n')
        buffer = parts.pop()!
        queue.push(...parts.filter(Boolean))
      }
      return queue.shift() ?? null
    },
  }
}

const procs: ReturnType<typeof spawnGroup>[] = []
const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const p of procs.splice(0)) p.kill('SIGKILL')
  for (const c of cleanups.splice(0).reverse()) await c()
})

// ─── a. hostile upstreams in one refresh of the running service ──────────────────────────────────────

const TIMEOUT_MS = 1000
const MAX_BYTES = 10_000_000

/** A valid small list: each faulty provider's "last good" models. */
const goodList = (id: string) =>
  JSON.stringify({
    object: 'list',
    data: [
      { id: `${id}-small`, owned_by: 'fault-test', context_window: 8192 },
      { id: `${id}-large`, owned_by: 'fault-test', context_window: 131072 },
    ],
  })

/**
 * A raw TCP server speaking just enough HTTP/1.1: `good` answers goodList, `reset` closes the connection
 * with a RST as soon as the request arrives, `short` declares a body longer than it sends and hangs up.
 */
function rawHttpServer(id: string) {
  let mode: 'good' | 'reset' | 'short' = 'good'
  const server = Bun.listen<{ answered: boolean }>({
    hostname: '127.0.0.1',
    port: 0,
    socket: {
      open(socket) {
        socket.data = { answered: false }
      },
      data(socket) {
        if (socket.data.answered) return
        socket.data.answered = true
        if (mode === 'reset') return socket.terminate()
        const body = goodList(id)
        const length = mode === 'short' ? body.length + 5000 : body.length
        const sent = mode === 'short' ? body.slice(0, body.length >> 1) : body
        socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\nconnection: close\r\n\r\n${sent}`)
        socket.end()
      },
    },
  })
  return {
    url: `http://127.0.0.1:${server.port}`,
    set: (m: typeof mode) => void (mode = m),
    stop: () => server.stop(true),
  }
}

/** Streams 50 MB (chunked, no content-length) once switched to `huge`; goodList before. */
function streamingServer(id: string) {
  let huge = false
  const chunk = new TextEncoder().encode(`{"id":"${'x'.repeat(1000)}"},`)
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    idleTimeout: 0,
    fetch() {
      if (!huge) return new Response(goodList(id), { headers: { 'content-type': 'application/json' } })
      let sent = 0
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent === 0) controller.enqueue(new TextEncoder().encode('{"data":['))
          for (let i = 0; i < 64 && sent < 50_000_000; i++, sent += chunk.length) controller.enqueue(chunk)
          if (sent >= 50_000_000) controller.close()
        },
      })
      return new Response(stream, { headers: { 'content-type': 'application/json' } })
    },
  })
  return { url: `http://127.0.0.1:${server.port}`, setHuge: () => void (huge = true), stop: () => server.stop(true) }
}

/** Starts `bun run start` (PORT=0) and waits for its "listening" line. */
async function startService(toml: string, env: Record<string, string> = {}) {
  const dir = tempDir('modelcat-faults-')
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'modelcat.toml'), toml)
  const proc = spawnGroup(['bun', 'run', 'start'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, PORT: '0', HOST: '127.0.0.1', MODELCAT_DB: join(dir, 'catalog.db'), MODELCAT_CONFIG: join(dir, 'modelcat.toml'), ...env },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  procs.push(proc)
  const out = lineReader(proc.stdout as ReadableStream<Uint8Array>)
  const seen: string[] = []
  for (;;) {
    const line = await out.next()
    if (line === null) throw new Error(`service did not start: ${seen.join('\n')} ${await new Response(proc.stderr as ReadableStream).text()}`)
    seen.push(line)
    const entry = JSON.parse(line)
    if (entry.msg === 'modelcat listening') {
      void (async () => {
        while ((await out.next(600_000)) !== null);
      })() // keep draining: a full pipe would block the service
      return { url: String(entry.url).replace(/\/$/, ''), proc }
    }
  }
}

type ProviderResult = { provider: string; status: string; model_count: number; error: string | null; duration_ms: number }

describe('a. provider faults in one refresh', () => {
  test('each faulty provider fails alone within its timeout and keeps its last good rows; the healthy one lands', async () => {
    const up = new FakeUpstream().replay(`${GROQ}/models`, 'groq/groq_models_2025-10-05.json')
    const reset = rawHttpServer('reset')
    const short = rawHttpServer('shortbody')
    const stream = streamingServer('hugestream')
    const refused = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response(goodList('refused'), { headers: { 'content-type': 'application/json' } }) })
    cleanups.push(
      () => {
        for (const s of [up, reset, short, stream]) s.stop()
      },
      () => refused.stop(true),
    )

    // the faults behind FakeUpstream routes, each served good rows first
    const routed = ['hang', 'drip', 'http500', 'http429', 'html', 'truncated', 'shape', 'huge'] as const
    for (const id of routed) up.set(`/${id}/models`, { kind: 'body', body: goodList(id) })
    const baseUrls: Record<string, string> = {
      ...Object.fromEntries(routed.map((id) => [id, `${up.url}/${id}`])),
      hugestream: stream.url,
      reset: reset.url,
      shortbody: short.url,
      refused: `http://127.0.0.1:${refused.port}`,
    }
    const faulty = Object.keys(baseUrls)
    const toml = [
      `[refresh]`,
      `providers = ["groq", ${faulty.map((id) => `"${id}"`).join(', ')}]`,
      `max_response_bytes = ${MAX_BYTES}`,
      `interval_seconds = 3600`,
      `[providers.groq]`,
      `base_url = "${up.url}${GROQ}"`,
      `api_key = "test-key-groq"`,
      `timeout_ms = ${TIMEOUT_MS}`,
      ...faulty.flatMap((id) => [`[providers.${id}]`, `adapter = "openai"`, `base_url = "${baseUrls[id]}"`, `timeout_ms = ${TIMEOUT_MS}`]),
      `[references.models-dev]`,
      `enabled = false`,
      `[references.litellm]`,
      `enabled = false`,
    ].join('\n')
    const { url } = await startService(toml, { MODELCAT_ADMIN_TOKEN: 'tok' })
    const fetchChecked = checkedFetch(await routeTable()) // every JSON answer against its route's schema
    const get = async <T>(path: string) => (await (await fetchChecked(`${url}${path}`)).json()) as T
    type Providers = { data: { id: string; status: string; last_error: string | null; model_count: number }[] }

    // the startup refresh: everything good (waited for by its outcome: /ready may answer before it, from a bootstrap catalog)
    const allOk = (p: Providers) => ['groq', ...faulty].every((id) => p.data.find((x) => x.id === id)?.status === 'ok')
    let first = await get<Providers>('/v1/providers')
    for (let i = 0; i < 400 && !allOk(first); i++) {
      await Bun.sleep(25)
      first = await get<Providers>('/v1/providers')
    }
    for (const id of ['groq', ...faulty]) expect({ id, status: first.data.find((p) => p.id === id)?.status }).toEqual({ id, status: 'ok' })
    const before = new Map<string, unknown[]>()
    for (const id of faulty) {
      // /v1/providers reads the DB at once; /v1/models serves the version the refresh thread handed over (its index)
      let rows = (await get<{ data: unknown[] }>(`/v1/models?gateway=${id}`)).data
      for (let i = 0; i < 400 && rows.length < 2; i++) {
        await Bun.sleep(25)
        rows = (await get<{ data: unknown[] }>(`/v1/models?gateway=${id}`)).data
      }
      expect(rows).toHaveLength(2)
      before.set(id, rows)
    }

    // now every one but groq misbehaves
    up.replay(`${GROQ}/models`, 'groq/groq_models_2026-01-22.json')
    up.set('/hang/models', { kind: 'hang' })
      .set('/drip/models', { kind: 'drip', chunk: '{"id":"drip"},', everyMs: 50 })
      .set('/http500/models', { kind: 'body', body: 'Internal Server Error', status: 500, contentType: 'text/plain' })
      .set('/http429/models', { kind: 'body', body: '{"error":{"message":"Rate limit reached, slow down"}}', status: 429, headers: { 'retry-after': '30' } })
      .set('/html/models', { kind: 'body', body: '<!doctype html><html><body>Just a moment...</body></html>', contentType: 'text/html' })
      .set('/truncated/models', { kind: 'body', body: goodList('truncated').slice(0, 60) })
      .set('/shape/models', { kind: 'body', body: '{"models":{"data":"nope"}}' })
      .set('/huge/models', { kind: 'body', body: `{"data":[${`{"id":"${'y'.repeat(1000)}"},`.repeat(50_000)}{"id":"z"}]}` })
    stream.setHuge()
    reset.set('reset')
    short.set('short')
    refused.stop(true) // the port now refuses connections

    const started = performance.now()
    const res = await fetchChecked(`${url}/admin/refresh?wait=true`, { method: 'POST', headers: { authorization: 'Bearer tok' } })
    const elapsed = performance.now() - started
    expect(res.status).toBe(200)
    const report = (await res.json()) as { catalog_version: number; results: ProviderResult[] }
    expect(elapsed).toBeLessThan(TIMEOUT_MS + 1000)
    console.log(`faulty refresh: ${Math.round(elapsed)} ms (report: ${(report as { duration_ms?: number }).duration_ms} ms)`)

    const result = (id: string) => report.results.find((r) => r.provider === id)!
    expect(result('groq')).toMatchObject({ status: 'ok', model_count: 16, error: null })
    const expected: Record<string, RegExp> = {
      hang: /^timed out after 1000 ms$/,
      drip: /^timed out after 1000 ms$/,
      http500: /^HTTP 500: Internal Server Error$/,
      http429: /^HTTP 429: Rate limit reached, slow down$/,
      html: /expected JSON, got text\/html/,
      truncated: /invalid JSON body/,
      shape: /unexpected response shape/,
      huge: new RegExp(`response too large: \\d+ bytes \\(cap ${MAX_BYTES}\\)`),
      hugestream: new RegExp(`response too large: over ${MAX_BYTES} bytes`),
      reset: /./,
      shortbody: /./,
      refused: /./,
    }
    for (const id of faulty) {
      const r = result(id)
      expect({ id, status: r.status, error: r.error }).toEqual({ id, status: 'failed', error: expect.stringMatching(expected[id]!) })
      // connection-level faults fail fast, not by the timeout
      if (['reset', 'shortbody', 'refused', 'http500', 'http429', 'html', 'truncated', 'shape', 'huge'].includes(id))
        expect({ id, timedOut: r.error!.startsWith('timed out') }).toEqual({ id, timedOut: false })
    }

    // the healthy provider's new list landed; every faulty one still serves its last good rows, marked stale with its error
    const groqIds = ((await Bun.file(`${FIX}/groq/groq_models_2026-01-22.json`).json()) as { data: { id: string }[] }).data.map((m) => `groq/${m.id}`).sort()
    expect((await get<{ data: { id: string }[] }>('/v1/models?gateway=groq')).data.map((m) => m.id).sort()).toEqual(groqIds)
    const after = await get<Providers>('/v1/providers')
    for (const id of faulty) {
      expect({ id, rows: (await get<{ data: unknown[] }>(`/v1/models?gateway=${id}`)).data }).toEqual({ id, rows: before.get(id)! })
      const p = after.data.find((x) => x.id === id)!
      expect({ id, status: p.status, model_count: p.model_count, last_error: p.last_error }).toEqual({ id, status: 'stale', model_count: 2, last_error: result(id).error })
    }
  })
})

// ─── b. SIGKILL during the write transaction ─────────────────────────────────────────────────────────

const WRITE_LOOP = join(import.meta.dir, 'write-loop.ts')
const OFFERINGS = 20_000

type LoopLine = { phase: 'ready' | 'begin' | 'committed' | 'log'; variant?: 'A' | 'B'; version?: number; count?: number; ms?: number; msg?: string }

/** What a reader of the DB file finds. */
function inspect(dbPath: string) {
  const db = new Database(dbPath)
  try {
    const n = (q: string, ...params: (string | number)[]) => (db.query(q).get(...params) as { n: number }).n
    const version = (db.query('select version from catalog_state where id = 1').get() as { version: number }).version
    return {
      quickCheck: (db.query('pragma quick_check').values() as string[][]).map((r) => r[0]),
      version,
      run: db.query('select id, trigger, results, finished_at from refresh_runs where catalog_version = ? order by id desc limit 1').get(version) as {
        id: number
        trigger: string
        results: string
        finished_at: number | null
      } | null,
      offerings: n('select count(*) as n from offerings'),
      prices: n('select count(*) as n from pricing'),
      withoutPrices: n('select count(*) as n from offerings o where not exists (select 1 from pricing p where p.offering_id = o.id)'),
      orphanPrices: n('select count(*) as n from pricing p where not exists (select 1 from offerings o where o.id = p.offering_id)'),
      unfinishedRuns: n('select count(*) as n from refresh_runs where finished_at is null'),
      names: { A: n(`select count(*) as n from offerings where name like '% [A]'`), B: n(`select count(*) as n from offerings where name like '% [B]'`) },
    }
  } finally {
    db.close()
  }
}

describe('b. kill -9 during the write transaction', () => {
  test('5 × SIGKILL at a random moment of a 20,000-offering write loop: the DB is always one committed version, intact', async () => {
    const rand = prng(SEED)
    const dir = tempDir('modelcat-kill-')
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    const dbPath = join(dir, 'catalog.db')
    let killedMidCommit = 0
    await seeded('kill -9 test', async () => {
      for (let round = 0; round < 5; round++) {
        const child = spawnGroup(['bun', WRITE_LOOP, dbPath, String(OFFERINGS), '50'], { cwd: ROOT, stdout: 'pipe', stderr: 'pipe' })
        procs.push(child)
        const out = lineReader(child.stdout as ReadableStream<Uint8Array>)
        const lines: LoopLine[] = []
        let firstCommit: LoopLine | undefined
        while (!firstCommit) {
          const line = await out.next(30_000)
          if (line === null) throw new Error(`round ${round}: no first commit: ${JSON.stringify(lines)} ${await new Response(child.stderr as ReadableStream).text()}`)
          lines.push(JSON.parse(line))
          if (lines.at(-1)!.phase === 'committed') firstCommit = lines.at(-1)
        }
        // keep reading while the loop goes on; kill at a random moment within about one more commit
        const pump = (async () => {
          for (let l = await out.next(60_000); l !== null; l = await out.next(60_000)) lines.push(JSON.parse(l))
        })()
        await Bun.sleep(rand.next() * 1.2 * firstCommit.ms!)
        child.kill('SIGKILL')
        await child.exited
        await pump
        expect(child.signalCode).toBe('SIGKILL')
        expect(lines.filter((l) => l.phase === 'log')).toEqual([]) // openDb never found the file damaged
        const committed = lines.filter((l) => l.phase === 'committed')
        const last = committed.at(-1)!
        if (lines.at(-1)!.phase === 'begin') killedMidCommit++

        const found = inspect(dbPath)
        expect(found.quickCheck).toEqual(['ok'])
        // every commit the child reported survived; at most the one it was in (or had just made) is beyond it
        expect(found.version).toBeGreaterThanOrEqual(last.version!)
        expect(found.version).toBeLessThanOrEqual(last.version! + 1)
        expect(found.run).not.toBeNull()
        const run = found.run!
        expect(run.finished_at).not.toBeNull()
        expect(found.unfinishedRuns).toBe(0)
        const variant = run.trigger.replace('variant-', '')
        const wrote = (JSON.parse(run.results) as { model_count: number }[]).reduce((n, r) => n + r.model_count, 0)
        expect(wrote).toBe(variant === 'A' ? OFFERINGS : OFFERINGS - OFFERINGS / 10)
        expect(found.offerings).toBe(wrote)
        expect(found.names[variant as 'A' | 'B']).toBe(wrote) // no offering of the other version
        expect(found.withoutPrices).toBe(0)
        expect(found.prices).toBe(2 * wrote) // prompt + completion, each offering
        expect(found.orphanPrices).toBe(0)
      }
    })
    expect(readdirSync(dir).filter((f) => f.includes('.corrupt-'))).toEqual([])
    console.log(`kill -9: ${killedMidCommit}/5 kills landed inside a commit (seed ${SEED})`)
  })
})

// ─── c. disk full ────────────────────────────────────────────────────────────────────────────────────

describe('c. disk full', () => {
  test('a refresh that runs out of pages throws SQLITE_FULL and leaves the previous catalog as it was', () => {
    const dir = tempDir('modelcat-full-')
    const db = openDb(join(dir, 'catalog.db'))
    cleanups.push(() => {
      db.$client.close()
      rmSync(dir, { recursive: true, force: true })
    })
    const store = new CatalogStore(db)
    store.commitRefresh('before', Date.now(), syntheticOutcomes(2000, 4))
    const rows = store.listOfferings()
    const version = store.version
    const runs = () => (db.$client.query('select count(*) as n from refresh_runs').get() as { n: number }).n
    const runsBefore = runs()
    expect(rows).toHaveLength(2000)

    const { page_count } = db.$client.query('pragma page_count').get() as { page_count: number }
    db.$client.exec(`PRAGMA max_page_count = ${page_count + 8}`)
    const big = syntheticOutcomes(20_000, 4).map((o) => (o.ok ? { ...o, offerings: o.offerings.map((m) => ({ ...m, name: `${m.name} (new)` })) } : o))
    let error: unknown
    try {
      store.commitRefresh('full', Date.now(), big)
    } catch (err) {
      error = err
    }
    expect((error as { code?: string } | undefined)?.code).toMatch(/^SQLITE_FULL/)

    expect(store.version).toBe(version)
    expect(store.readVersion()).toBe(version)
    expect(store.listOfferings()).toEqual(rows)
    expect(runs()).toBe(runsBefore)
    expect(db.$client.query('pragma quick_check').values()).toEqual([['ok']])

    // room again: the next refresh commits
    db.$client.exec('PRAGMA max_page_count = 1073741823')
    expect(store.commitRefresh('after', Date.now(), big).version).toBe(version + 1)
    expect(store.countOfferings()).toBe(20_000)
  })
})

// ─── d. fuzzed query strings ─────────────────────────────────────────────────────────────────────────

describe('d. fuzzed query strings', () => {
  let up: FakeUpstream
  let h: Harness
  beforeAll(async () => {
    up = new FakeUpstream().replay(`${GROQ}/models`, 'groq/groq_models_2026-01-22.json').replay(`${TOGETHER}/models`, 'together/together_v1_models_2026-01-23.json')
    h = makeHarness({ toml: tomlFor(up.url, { groq: GROQ, together: TOGETHER }) })
    await h.worker.refresh()
  })
  afterAll(async () => {
    await h?.close()
    up?.stop()
  })
  // the error handler prints the stack of every 500; the known bug below would flood the output
  const quiet = console.error
  beforeAll(() => void (console.error = () => undefined))
  afterAll(() => void (console.error = quiet))

  const PARAMS = [
    'gateway',
    'exclude_gateway',
    'q',
    'input_modalities',
    'output_modalities',
    'supported_parameters',
    'min_context',
    'max_prompt_price',
    'max_completion_price',
    'free',
    'sort',
    'order',
    'limit',
    'offset',
    'cursor',
    'unique',
  ] as const
  const JUNK_KEYS = [
    'foo',
    '',
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    'a[b]',
    'limit[]',
    'gateway[0]',
    'q[]',
    'sort[x]',
    '%ZZ',
    '%00',
    'q%00',
    '💥',
    'x'.repeat(300),
    'LIMIT',
    'Gateway',
    ' q',
    'q ',
    'free.x',
    '[]',
    '=',
  ]
  const NUMBERS = [
    '0',
    '1',
    '-1',
    '2',
    '50',
    '1000',
    '1001',
    '1e3',
    '1e309',
    '-1e309',
    'NaN',
    'Infinity',
    '-Infinity',
    '0x10',
    '0b1',
    '1.5',
    ' 7 ',
    '9007199254740993',
    '-0',
    '00012',
    '1,2',
    '١٢',
    '0.000001',
    '1e-9',
  ]
  const WORDS = [
    'groq',
    'together',
    'all',
    'hug',
    'GROQ',
    'groq,together',
    ' groq , together ',
    'groq,,',
    ',',
    'nope',
    'openai',
    'text',
    'image',
    'text,image',
    'tools',
    'tools,response_format',
    'true',
    'false',
    'TRUE',
    'yes',
    'asc',
    'desc',
    'ASC',
    ...SORT_KEYS,
    'random',
  ]
  const NASTY = [
    '',
    '%00',
    '%ZZ',
    '%',
    '%%',
    '%E0%A4%A',
    '%ED%A0%80',
    '%C0%AF',
    '%FF%FE',
    '%2C%2C',
    '%26%3D',
    'ñandú',
    '模型',
    '🦙🦙',
    '\u202e',
    'e\u0301',
    "' or 1=1 --",
    '%27%3B drop table offerings;--',
    '\\',
    '_%',
    'null',
    'undefined',
    '[]',
    '{}',
    '[object Object]',
    '%0d%0aSet-Cookie:%20x=1',
  ]

  /** encodeURIComponent of any string: lone surrogates become U+FFFD first (it throws on them). */
  const enc = (s: string) => encodeURIComponent(s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'))

  function value(r: ReturnType<typeof prng>, cursors: string[]): string {
    switch (r.int(0, 6)) {
      case 0:
        return r.pick(NUMBERS)
      case 1:
        return r.pick(WORDS)
      case 2:
        return r.pick(NASTY)
      case 3: // huge
        return r.chance(0.5) ? 'a'.repeat(r.int(150, 20_000)) : '%41'.repeat(r.int(50, 5000))
      case 4: // cursors: real ones, and forged ones
        return r.pick([
          ...cursors,
          'abc',
          Buffer.from('{"v":{},"i":1}').toString('base64url'),
          Buffer.from('{"v":1,"i":"x","s":"nope"}').toString('base64url'),
          Buffer.from('"just a string"').toString('base64url'),
          Buffer.from('null').toString('base64url'),
          `=${'A'.repeat(999)}`,
        ])
      case 5: // random printable bytes
        return Array.from({ length: r.int(1, 40) }, () => String.fromCharCode(r.int(1, 0x7e))).join('')
      default: // random code points, including lone surrogates
        return Array.from({ length: r.int(1, 10) }, () => String.fromCharCode(r.int(0x80, 0xffff))).join('')
    }
  }

  function queryString(r: ReturnType<typeof prng>, cursors: string[]): string {
    const pairs: string[] = []
    for (let n = r.int(0, 6), i = 0; i < n; i++) {
      let key: string = r.chance(0.8) ? r.pick(PARAMS) : r.pick(JUNK_KEYS)
      if (r.chance(0.1)) key += r.pick(['[]', '[0]', '[a]'])
      const v = value(r, cursors)
      const encode = (s: string) => (r.chance(0.5) ? enc(s).replace(/%25(?=[0-9A-Fa-f]{2}|ZZ|$)/g, '%') : s)
      const pair = r.chance(0.05) ? encode(key) : `${encode(key)}=${encode(v)}`
      pairs.push(pair)
      if (r.chance(0.15)) pairs.push(`${encode(key)}=${encode(value(r, cursors))}`) // repeated key
    }
    return pairs.join(r.chance(0.95) ? '&' : ';')
  }

  function modelId(r: ReturnType<typeof prng>, ids: string[]): string {
    const real = r.pick(ids)
    return r.pick([
      real,
      enc(real),
      real.replace('/', '%2F'),
      `${real}%ZZ`,
      `${real}%00`,
      `%${r.pick(['ZZ', '', 'E0%A4', 'ED%A0%80', 'C0%AF'])}`,
      'groq',
      'groq/',
      '/',
      `groq/${'a'.repeat(r.int(100, 10_000))}`,
      '..%2F..%2Fetc%2Fpasswd',
      '../../etc/passwd',
      enc('模型/🦙'),
      enc(value(r, [])),
      value(r, []).replace(/[#?]/g, ''),
      'meta-llama/llama-3.3-70b-instruct',
    ])
  }

  /** A /v1/models/<id> path whose id is not valid percent-encoding (`%ZZ`, a cut UTF-8 sequence, a lone `%`). */
  const malformedPath = (path: string) => {
    const m = /^\/v1\/models\/([^?]*)/.exec(path)
    if (!m) return false
    try {
      decodeURIComponent(m[1]!)
      return false
    } catch {
      return true
    }
  }

  // KNOWN BUG (src/modules/models/index.ts, not fixed here): the retrieve route calls decodeURIComponent on
  // the raw id, which throws URIError on a malformed escape; the error handler turns that into a 500.
  test('GET /v1/models/<id with a malformed %-escape> answers 404 in the error shape, not 500', async () => {
    for (const path of ['/v1/models/%ZZ', '/v1/models/groq/llama-3.1-8b-instant%E0%A4', '/v1/models/%']) {
      const res = await h.get(path)
      expect({ path, status: res.status }).toEqual({ path, status: 404 })
      expect(((await res.json()) as { error: { type: string } }).error.type).toBe('not_found_error')
    }
  })

  test('a few hundred random query strings: never a 5xx, every 4xx in the error shape', async () => {
    const r = prng(SEED)
    const all = (await (await h.get('/v1/models')).json()) as { data: { id: string; canonical_id: string }[] }
    const ids = [...all.data.map((m) => m.id), ...all.data.map((m) => m.canonical_id)]
    const cursors: string[] = []
    for (const q of ['limit=5', 'limit=3&sort=name', 'limit=2&unique=true', 'limit=4&sort=prompt_price&order=desc']) {
      const c = ((await (await h.get(`/v1/models?${q}`)).json()) as { next_cursor?: string }).next_cursor
      if (c) cursors.push(c)
    }
    expect(cursors.length).toBe(4)

    const failures: string[] = []
    const known: string[] = []
    const statuses = new Map<number, number>()
    const check = async (path: string) => {
      let res: Response
      try {
        res = await h.get(path)
      } catch (err) {
        failures.push(`${path.slice(0, 300)} → threw ${(err as Error).message}`)
        return
      }
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
      const text = await res.text()
      if (res.status === 500 && malformedPath(path)) return void known.push(path) // the known bug below: counted, not failed
      if (res.status >= 500) return void failures.push(`${path.slice(0, 300)} → ${res.status} ${text.slice(0, 200)}`)
      let body: any
      try {
        body = JSON.parse(text)
      } catch {
        return void failures.push(`${path.slice(0, 300)} → ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`)
      }
      if (res.status >= 400) {
        const e = body?.error
        const shaped =
          e &&
          typeof e === 'object' &&
          Object.keys(body).length === 1 &&
          typeof e.message === 'string' &&
          typeof e.type === 'string' &&
          (e.param === null || typeof e.param === 'string') &&
          (e.code === null || typeof e.code === 'string')
        if (!shaped) failures.push(`${path.slice(0, 300)} → ${res.status} not in the error shape: ${text.slice(0, 200)}`)
      } else if (res.status === 200 && body?.object !== 'list' && body?.object !== 'model') failures.push(`${path.slice(0, 300)} → 200 but neither a list nor a model: ${text.slice(0, 200)}`)
    }

    for (let i = 0; i < 300; i++) {
      const qs = queryString(r, cursors)
      const list = `/v1/models?${qs}`
      await check(list)
      await check(list) // the same raw query again: the hot path answers it when the first one succeeded
      await check(`/v1/models/${modelId(r, ids)}${r.chance(0.3) ? `?${qs}` : ''}`)
    }
    if (failures.length) quiet(`fuzz: ${failures.length} failures with FAULTS_SEED=${SEED}; first ones:\n${[...new Set(failures)].slice(0, 15).join('\n')}`)
    expect(failures).toEqual([])
    if (known.length) console.log(`fuzz: ${known.length} requests hit the known 500 on a malformed %-escape in the model id (seed ${SEED})`)
    // the fuzzing reached both sides of validation
    expect(statuses.get(200)).toBeGreaterThan(50)
    expect(statuses.get(400)).toBeGreaterThan(50)
    expect(statuses.get(404)).toBeGreaterThan(10)
  })
})
