import { afterEach, describe, expect, test } from 'bun:test'
import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CatalogStore } from '../../src/catalog/store'
import { openDb, type Db } from '../../src/db/client'
import { FakeUpstream } from '../helpers/fake-upstream'
import { makeHarness, tempDir, tomlFor } from '../helpers/harness'

const GROQ = '/groq/openai/v1'
const TOGETHER = '/together/v1'

const dirs: string[] = []
const dbs: Db[] = []
afterEach(() => {
  for (const db of dbs.splice(0)) db.$client.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function logger() {
  const lines: { msg: string; fields?: object }[] = []
  return { lines, log: (msg: string, fields?: object) => void lines.push({ msg, fields }) }
}

/** A real catalog file: a refresh of two providers over HTTP, then closed (checkpointed). */
async function realCatalog() {
  const up = new FakeUpstream().replay(`${GROQ}/models`, 'groq/groq_models_2026-01-22.json').replay(`${TOGETHER}/models`, 'together/together_v1_models_2026-01-23.json')
  const dir = tempDir('modelcat-integrity-')
  dirs.push(dir)
  const h = makeHarness({ toml: tomlFor(up.url, { groq: GROQ, together: TOGETHER }), dir })
  await h.worker.refresh()
  const rows = h.store.listOfferings()
  const version = h.store.version
  await h.close(false)
  up.stop()
  expect(rows.length).toBeGreaterThan(100)
  return { dir, path: join(dir, 'catalog.db'), rows, version }
}

/** The fresh DB works: a refresh commits and reads back. */
function expectFreshAndWorking(db: Db) {
  const store = new CatalogStore(db)
  expect(store.version).toBe(0)
  expect(store.countOfferings()).toBe(0)
  store.commitRefresh('test', Date.now(), [
    { provider: 'groq', ok: true, offerings: [{ providerModelId: 'm-1', name: 'M 1', pricing: { prompt: '0.000001' } }], skipped: 0, durationMs: 1, warning: null },
  ])
  expect(store.version).toBe(1)
  expect(store.getOffering('groq/m-1')?.pricing).toEqual({ prompt: '0.000001' })
}

const corruptFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.includes('.corrupt-'))
    .sort()

describe('openDb: startup integrity', () => {
  test('a file that is not a database is moved aside with its -wal and -shm; a fresh DB works; the log says so', () => {
    const dir = tempDir('modelcat-integrity-')
    dirs.push(dir)
    const path = join(dir, 'catalog.db')
    const garbage = { '': randomBytes(8192), '-wal': randomBytes(4096), '-shm': randomBytes(32768) }
    for (const [suffix, bytes] of Object.entries(garbage)) writeFileSync(`${path}${suffix}`, bytes)
    const { lines, log } = logger()

    const db = openDb(path, { log })
    dbs.push(db)

    const moved = corruptFiles(dir)
    expect(moved).toHaveLength(3)
    const base = moved.find((f) => !f.endsWith('-wal') && !f.endsWith('-shm'))!
    expect(base).toMatch(/^catalog\.db\.corrupt-\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    expect(moved).toEqual([base, `${base}-shm`, `${base}-wal`])
    // moved, not rewritten: the bytes are the ones that were there (the -shm is only an index SQLite rebuilds)
    expect(readFileSync(join(dir, base)).equals(garbage[''])).toBe(true)
    expect(readFileSync(join(dir, `${base}-wal`)).equals(garbage['-wal'])).toBe(true)

    expect(lines).toHaveLength(1)
    expect(lines[0]!.msg).toContain(join(dir, base))
    expect(lines[0]!.msg).toMatch(/not a database/)
    expect(lines[0]!.fields).toMatchObject({ db: path, moved_to: join(dir, base) })
    expectFreshAndWorking(db)
  })

  test('a real catalog truncated to half is moved aside; a fresh DB works; the log says why', async () => {
    const { dir, path } = await realCatalog()
    writeFileSync(`${path}-wal`, '') // a leftover (empty) WAL travels with it
    truncateSync(path, Math.floor(statSync(path).size / 2))
    const { lines, log } = logger()

    const db = openDb(path, { log })
    dbs.push(db)

    const moved = corruptFiles(dir)
    expect(moved.length).toBeGreaterThanOrEqual(1)
    expect(moved.some((f) => f.endsWith('-wal'))).toBe(true)
    expect(lines).toHaveLength(1)
    expect(lines[0]!.msg).toContain(`${path}.corrupt-`)
    expect(lines[0]!.msg).toMatch(/malformed|corrupt|quick_check/i)
    expectFreshAndWorking(db)
  })

  test('a healthy DB is left alone: same rows and version after reopening, nothing logged', async () => {
    const { dir, path, rows, version } = await realCatalog()
    const { lines, log } = logger()

    const db = openDb(path, { log })
    dbs.push(db)

    const store = new CatalogStore(db)
    expect(store.version).toBe(version)
    expect(store.listOfferings()).toEqual(rows)
    expect(lines).toEqual([])
    expect(corruptFiles(dir)).toEqual([])
  })

  test('an in-memory DB is opened as before (nothing to move)', () => {
    const { lines, log } = logger()
    const db = openDb(':memory:', { log })
    dbs.push(db)
    expectFreshAndWorking(db)
    expect(lines).toEqual([])
  })
})
