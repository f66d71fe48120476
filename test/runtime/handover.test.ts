import { afterEach, expect, test } from 'bun:test'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import pino from 'pino'
import type { IndexData } from '../../src/catalog/engine'
import type { ProviderOutcome } from '../../src/catalog/rows'
import { loadConfig } from '../../src/config'
import { openCatalog, openModels, openRefreshThread } from '../../src/runtime'
import type { PrebuiltBody } from '../../src/serving/answer-cache'
import { tempDir } from '../helpers/harness'

/**
 * The refresh thread's handover (src/runtime/catalog.ts openRefreshThread), driven in-process: after a commit the
 * index and hot views are built on a timer and handed over once; a failed build is logged and the next commit
 * tries again (the thread lives on); a shutdown while a handover waits for its timer hands over nothing and
 * closes cleanly.
 */

let dir: string | undefined
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
  dir = undefined
})

function open(onVersion: (version: number) => void) {
  dir = tempDir()
  writeFileSync(join(dir, 'modelcat.toml'), '[references.models-dev]\nenabled = false\n[references.litellm]\nenabled = false\n')
  const config = loadConfig({ MODELCAT_CONFIG: join(dir, 'modelcat.toml'), MODELCAT_DB: join(dir, 'catalog.db') })
  const errors: string[] = []
  const log = pino({ level: 'error' }, { write: (line: string) => void errors.push(line) })
  let started = false
  const runtime = openRefreshThread(config, log, { onVersion: (version) => started && onVersion(version) })
  runtime.handOverNow() // the version at start, as the thread's start does (not what these tests count)
  started = true
  return { runtime, errors }
}

const outcome = (n: number): ProviderOutcome => ({
  provider: 'static-one',
  ok: true,
  offerings: Array.from({ length: n }, (_, i) => ({ providerModelId: `model-${i}`, name: `Model ${i}`, pricing: { prompt: '0.000001', completion: '0.000002' } })),
  skipped: 0,
  durationMs: 0,
  warning: null,
})

test('commits in a row hand over once, the newest version; a failed build is logged and the next commit hands over', async () => {
  const versions: number[] = []
  let fail = true
  const { runtime, errors } = open((v) => {
    if (fail) {
      fail = false
      throw new Error('boom: the HTTP thread went away')
    }
    versions.push(v)
  })
  try {
    runtime.store.commitRefresh('test', Date.now(), [outcome(3)])
    await runtime.handedOver()
    expect(versions).toEqual([]) // the failed one
    expect(errors.join('\n')).toContain('building the index and hot views of a new version failed')
    expect(errors.join('\n')).toContain('boom')
    // two commits before the timer: one handover, of the newest version
    runtime.store.commitRefresh('test', Date.now(), [outcome(4)])
    runtime.store.commitRefresh('test', Date.now(), [outcome(5)])
    await runtime.handedOver()
    expect(versions).toEqual([runtime.store.version])
  } finally {
    await runtime.stop()
  }
})

test('a shutdown while a handover waits for its timer hands over nothing and closes without an error', async () => {
  const versions: number[] = []
  const { runtime, errors } = open((v) => versions.push(v))
  runtime.store.commitRefresh('test', Date.now(), [outcome(3)])
  await runtime.stop() // before the timer fired
  expect(versions).toEqual([])
  expect(errors).toEqual([])
})

test('between a commit and its handover the served index answers, at the served version (not SQLite at the next one)', async () => {
  const handed: { version: number; bodies: PrebuiltBody[]; index: IndexData }[] = []
  const { runtime } = open((version) => version) // the thread side; what it hands over is captured below
  const config = loadConfig({ MODELCAT_CONFIG: join(dir!, 'modelcat.toml'), MODELCAT_DB: join(dir!, 'catalog.db') })
  // the HTTP side: its own connection, adopting what the thread hands over (as openServer does)
  const reader = openCatalog(config, { maintain: false })
  const models = openModels(config, reader.store, { buildIndex: false })
  const deliver = () => {
    const h = handed.shift()!
    reader.store.serve(h.index.version, h.index.updatedAt) // as the RefreshThread does on its message
    models.adopt(h.version, h.bodies, h.index)
  }
  const thread = openRefreshThread(config, pino({ level: 'silent' }), { onVersion: (version, bodies, index) => handed.push({ version, bodies, index }) })
  // a provider the default config lists (the models service answers for configured providers)
  const named = (prefix: string): ProviderOutcome => ({
    provider: 'openrouter',
    ok: true,
    skipped: 0,
    durationMs: 0,
    warning: null,
    offerings: Array.from({ length: 3 }, (_, i) => ({ providerModelId: `model-${i}`, name: `${prefix} model-${i}`, pricing: { prompt: '0.000001', completion: '0.000002' } })),
  })
  const names = (bytes: Uint8Array) => (JSON.parse(new TextDecoder().decode(bytes)) as { data: { name: string }[] }).data.map((m) => m.name)
  try {
    await runtime.stop() // only `thread` writes from here on
    thread.store.commitRefresh('test', Date.now(), [named('Old')])
    await thread.handedOver()
    deliver()
    const served = reader.store.version
    const servedAt = reader.store.updatedAt
    await Bun.sleep(5) // the next version's updated_at differs
    // the thread commits the next version; its handover has not reached the HTTP side yet
    thread.store.commitRefresh('test', Date.now(), [named('New')])
    expect(reader.store.readVersion()).toBe(served + 1)
    for (const unique of [false, true]) {
      const body = models.list({ q: 'model', limit: 2, sort: 'id', unique } as never)
      expect({ unique, version: body.version, lastModified: body.lastModified.getTime() }).toEqual({ unique, version: served, lastModified: servedAt })
      if (!unique) expect(names(body.bytes)).toEqual(['Old model-0', 'Old model-1'])
      expect(models.list({ q: 'model', limit: 2, sort: 'id', unique } as never)).toBe(body) // held: an answer of the served version
    }
    // near miss: a filter the index does not hold (has_conflicts) is read from SQLite: the DB's version, not held
    const sql = models.list({ has_conflicts: false, limit: 2 } as never)
    expect(sql.version).toBe(served + 1)
    expect(sql.lastModified.getTime()).toBe(thread.store.updatedAt) // that version's Last-Modified, not the served one's
    expect(thread.store.updatedAt).toBeGreaterThan(servedAt)
    expect(names(sql.bytes)).toEqual(['New model-0', 'New model-1'])
    // the handover arrives: the next version answers
    await thread.handedOver()
    deliver()
    const after = models.list({ q: 'model', limit: 2, sort: 'id' } as never)
    expect(after.version).toBe(served + 1)
    expect(names(after.bytes)).toEqual(['New model-0', 'New model-1'])
  } finally {
    await thread.stop()
    reader.close()
  }
})

test('a commit while a handover waits for the full list’s compression is handed over after it; the version being handed over is not dropped', async () => {
  dir = tempDir()
  writeFileSync(join(dir, 'modelcat.toml'), '[references.models-dev]\nenabled = false\n[references.litellm]\nenabled = false\n')
  const config = loadConfig({ MODELCAT_CONFIG: join(dir, 'modelcat.toml'), MODELCAT_DB: join(dir, 'catalog.db') })
  const lines: string[] = []
  const versions: number[] = []
  const runtime = openRefreshThread(config, pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) }), { onVersion: (v) => versions.push(v) })
  try {
    runtime.store.commitRefresh('test', Date.now(), [outcome(300)])
    const first = runtime.store.version
    // the handover has built its index and views and waits for the full list's gzip and br (streams, off this thread)
    while (!lines.some((l) => l.includes('after the index'))) await Bun.sleep(0)
    runtime.store.commitRefresh('test', Date.now(), [outcome(301)])
    await runtime.handedOver()
    expect(versions).toEqual([first, first + 1])
  } finally {
    await runtime.stop()
  }
})

test('the refresh thread starts refreshing only once its first index is handed over: no commit can make that index older than an answer given', async () => {
  const { RefreshThread } = await import('../../src/runtime/refresh-thread')
  const { FakeUpstream } = await import('../helpers/fake-upstream')
  const { tomlFor } = await import('../helpers/harness')
  dir = tempDir()
  const events: string[] = []
  const up = new FakeUpstream().replay('/groq/openai/v1/models', 'groq/groq_models_2026-01-22.json')
  writeFileSync(join(dir, 'modelcat.toml'), tomlFor(up.url, { groq: '/groq/openai/v1' }))
  const env = { MODELCAT_CONFIG: join(dir, 'modelcat.toml'), MODELCAT_DB: join(dir, 'catalog.db') }
  const config = loadConfig(env)
  const catalog = openCatalog(config, { maintain: false })
  catalog.store.commitRefresh('test', Date.now(), [outcome(20_000)]) // a catalog whose first index takes a moment to build
  const thread = new RefreshThread({
    env,
    store: catalog.store,
    providers: config.providers,
    log: pino({ level: 'silent' }),
    onVersion: (v) => events.push(`handover ${v}`),
  })
  try {
    thread.start()
    for (let i = 0; i < 400 && up.count('/groq/openai/v1/models') === 0; i++) await Bun.sleep(25)
    events.push(`upstream asked (${up.count('/groq/openai/v1/models')})`)
    expect(events[0]).toStartWith('handover ')
    expect(events).toContain('upstream asked (1)')
  } finally {
    await thread.stop()
    up.stop()
    catalog.close()
  }
}, 30_000)
