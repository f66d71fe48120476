import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { gunzipSync, gzipSync } from 'node:zlib'
import pino from 'pino'
import { exportSnapshot, type SnapshotLimits, type SnapshotRejectReason } from '../../src/catalog/snapshot'
import { ClusterCoordinator } from '../../src/cluster/coordinator'
import { ClusterReplica, snapshotSignature } from '../../src/cluster/replica'
import { FakeUpstream } from '../helpers/fake-upstream'
import { makeHarness, tomlFor, type Harness } from '../helpers/harness'
import { startRedisServer, type RedisServer } from '../helpers/redis-server'

/**
 * Redis as untrusted input: whoever can write to it writes the shared snapshot. A real redis-server,
 * real SQLite files; followers are driven by calling sync() (no timers), except where start() is the subject.
 */
setDefaultTimeout(30_000)
const GROQ = '/groq/openai/v1'
const silent = pino({ level: 'silent' })
const sha256 = (data: Uint8Array) => new Bun.CryptoHasher('sha256').update(data).digest('hex')
const SECRET = 'cluster-secret-0123456789'

let redis: RedisServer
let up: FakeUpstream
let source: Harness
/** The valid snapshot document a real catalog exports (tests tamper with copies). */
let doc: { version: number; updatedAt: number; tables: Record<string, { columns: string[]; rows: unknown[][] }> }
const cleanup: (() => Promise<unknown>)[] = []
let nsN = 0

beforeAll(async () => {
  redis = await startRedisServer()
  up = new FakeUpstream().replay(`${GROQ}/models`, 'groq/groq_models_2025-10-05.json')
  source = harness()
  await source.worker.refresh({ trigger: 'cli' })
  up.replay(`${GROQ}/models`, 'groq/groq_models_2026-01-22.json') // a second list: the change feed has entries
  await source.worker.refresh({ trigger: 'cli', force: true })
  doc = JSON.parse(gunzipSync(exportSnapshot(source.store).data).toString())
  expect(doc.tables.offerings!.rows.length).toBeGreaterThan(5)
  expect(doc.tables.changes!.rows.length).toBeGreaterThan(5)
})
afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined)
  await source.close()
  up.stop()
  await redis.stop()
})

function harness() {
  return makeHarness({ toml: `${tomlFor(up.url, { groq: GROQ })}\n[references.models-dev]\nenabled = false\n[references.litellm]\nenabled = false\n` })
}

/** A replica on its own SQLite file and namespace; `rejected` hears each rejection. */
async function replica(namespace: string, opts: { secret?: string; limits?: SnapshotLimits; log?: pino.Logger; connect?: boolean } = {}) {
  const h = harness()
  const coordinator = new ClusterCoordinator({ url: redis.url, namespace, commandTimeoutMs: 1000 })
  const rejected: SnapshotRejectReason[] = []
  const r = new ClusterReplica({
    coordinator,
    store: h.store,
    worker: h.worker,
    log: opts.log ?? silent,
    intervalMs: 60_000,
    pollMs: 60_000,
    graceMs: 60_000,
    secret: opts.secret,
    limits: opts.limits,
    onRejected: (x) => rejected.push(x),
  })
  cleanup.push(async () => {
    await r.stop()
    await h.close()
  })
  if (opts.connect !== false) await coordinator.connect()
  return { h, r, rejected }
}

/** Stores bytes under the next version with the fenced publish (what anyone with Redis access can do). */
async function publisher(namespace: string) {
  const c = new ClusterCoordinator({ url: redis.url, namespace, commandTimeoutMs: 1000 })
  cleanup.push(() => c.close())
  await c.connect()
  let version = 100
  return async (data: Uint8Array, sign?: (version: number, sha: string) => string) => {
    version++
    const sha = sha256(data)
    expect(await c.publish(1, { version, sha256: sha, data, signature: sign?.(version, sha) })).toBe('published')
    return version
  }
}

const gz = (o: unknown) => new Uint8Array(gzipSync(JSON.stringify(o)))
/** A copy of the valid document under `version`, changed by `edit`. */
const tampered = (version: number, edit: (d: typeof doc) => void = () => {}) => {
  const d = structuredClone(doc)
  d.version = version
  edit(d)
  return gz(d)
}
const ns = () => `hostile-${process.pid}-${++nsN}`

describe('hostile cluster', () => {
  test('a valid snapshot applies (the baseline every rejection below is measured against)', async () => {
    const n = ns()
    const publish = await publisher(n)
    const f = await replica(n)
    const v = await publish(tampered(101))
    await f.r.sync()
    expect(f.rejected).toEqual([])
    expect(f.h.store.version).toBe(v)
    expect(f.h.store.countOfferings()).toBe(source.store.countOfferings())
    expect(await (await f.h.get('/v1/models')).text()).toBe(await (await source.get('/v1/models')).text())
  })

  test('a gzip bomb is rejected while inflating (decompressed cap), a snapshot at exactly the cap applies', async () => {
    const n = ns()
    const publish = await publisher(n)
    const valid = tampered(101)
    const inflated = gunzipSync(valid).byteLength
    const member = gzipSync(Buffer.alloc(1024 * 1024, 0x20))
    const bomb = new Uint8Array(Buffer.concat(Array(256).fill(member))) // ~260 KB stored, 256 MiB inflated
    expect(bomb.byteLength).toBeLessThan(1024 * 1024)
    const f = await replica(n, { limits: { maxCompressedBytes: 1024 * 1024, maxDecompressedBytes: 8 * 1024 * 1024 } })
    await publish(bomb)
    await f.r.sync()
    expect(f.rejected).toEqual(['decompressed_too_large'])
    expect(f.h.store.version).toBe(0)
    // near miss: the cap is inclusive; one byte less and the valid snapshot is refused too
    const exact = await replica(n, { limits: { maxCompressedBytes: 1024 * 1024, maxDecompressedBytes: inflated } })
    const under = await replica(n, { limits: { maxCompressedBytes: 1024 * 1024, maxDecompressedBytes: inflated - 1 } })
    const v = await publish(tampered(102))
    await exact.r.sync()
    await under.r.sync()
    expect(exact.rejected).toEqual([])
    expect(exact.h.store.version).toBe(v)
    expect(under.rejected).toEqual(['decompressed_too_large'])
  })

  test('an oversized stored value is rejected before gunzip (not even gzip: the reason is the size)', async () => {
    const n = ns()
    const publish = await publisher(n)
    // the valid snapshot published third (version 103), so the cap is exactly its size: gzip sizes of documents
    // that differ in one digit can differ by a byte
    const valid = tampered(103)
    const junk = new Uint8Array(valid.byteLength + 1).fill(0x41)
    const f = await replica(n, { limits: { maxCompressedBytes: valid.byteLength, maxDecompressedBytes: 64 * 1024 * 1024 } })
    await publish(junk)
    await f.r.sync()
    expect(f.rejected).toEqual(['too_large'])
    // near miss: junk within the cap reaches gunzip (and fails there); a valid one of exactly the cap applies
    const g = await replica(n, { limits: { maxCompressedBytes: valid.byteLength, maxDecompressedBytes: 64 * 1024 * 1024 } })
    await publish(junk.subarray(1))
    await g.r.sync()
    expect(g.rejected).toEqual(['gzip'])
    const v = await publish(valid)
    await g.r.sync()
    expect(g.rejected).toEqual(['gzip'])
    expect(g.h.store.version).toBe(v)
  })

  test('an injected column name or an unknown table is rejected as a whole; /v1/changes stays clean', async () => {
    const n = ns()
    const publish = await publisher(n)
    const f = await replica(n)
    const good = await publish(tampered(101))
    await f.r.sync()
    expect(f.h.store.version).toBe(good)
    const feedBefore = await (await f.h.get('/v1/changes?limit=500')).text()
    // what the old code pasted into `insert into changes (...)`: the DB file path and the breakers table
    const injection =
      "catalog_version, at, provider_id, offering_id, canonical_id, name, type) select 1, 1, 'groq', file, 'x', name, 'added' from pragma_database_list union all select 1, 1, 'groq', provider, 'x', state, 'added' from breakers --"
    await publish(
      tampered(102, (d) => {
        d.tables.changes = { columns: [injection], rows: [] }
      }),
    )
    await f.r.sync()
    await publish(
      tampered(103, (d) => {
        d.tables.breakers = { columns: ['provider', 'state'], rows: [['groq', 'closed']] }
      }),
    )
    await f.r.sync()
    await publish(
      tampered(104, (d) => {
        d.tables['offerings; drop table offerings'] = { columns: [], rows: [] }
      }),
    )
    await f.r.sync()
    expect(f.rejected).toEqual(['schema', 'schema', 'schema'])
    expect(f.h.store.version).toBe(good) // nothing of them applied
    const feed = await (await f.h.get('/v1/changes?limit=500')).text()
    expect(feed).toBe(feedBefore)
    expect(feed).not.toContain(f.h.dir)
    expect(feed).not.toContain('catalog.db')
  })

  test('values of the wrong type, a missing required column, a twice-named column or a version mismatch reject the snapshot; null where allowed applies', async () => {
    const col = (t: string, c: string) => doc.tables[t]!.columns.indexOf(c)
    const cases: [string, (d: typeof doc) => void][] = [
      ['string in an integer column', (d) => void (d.tables.offerings!.rows[0]![col('offerings', 'context_length')] = 'lots')],
      ['number in a text column', (d) => void (d.tables.offerings!.rows[0]![col('offerings', 'name')] = 42)],
      ['null in a required column', (d) => void (d.tables.offerings!.rows[0]![col('offerings', 'provider_id')] = null)],
      ['fraction in an integer column', (d) => void (d.tables.changes!.rows[0]![col('changes', 'at')] = 1.5)],
      ['not JSON in a JSON column', (d) => void (d.tables.offerings!.rows[0]![col('offerings', 'capabilities')] = '{oops')],
      ['object where a row value goes', (d) => void (d.tables.changes!.rows[0]![col('changes', 'name')] = { $gt: 0 })],
      ['short row', (d) => void d.tables.changes!.rows[0]!.pop()],
      [
        'missing required column',
        (d) => {
          const i = col('offerings', 'name')
          d.tables.offerings!.columns.splice(i, 1)
          for (const r of d.tables.offerings!.rows) r.splice(i, 1)
        },
      ],
      [
        'column named twice',
        (d) => {
          d.tables.providers!.columns.push('id')
          for (const r of d.tables.providers!.rows) r.push(r[0])
        },
      ],
      ['unknown top-level key', (d) => void ((d as Record<string, unknown>).sql = 'drop table offerings')],
      ['version is not an integer', (d) => void ((d as Record<string, unknown>).version = '101')],
    ]
    const n2 = ns()
    const publish2 = await publisher(n2)
    const g = await replica(n2)
    let v = 100
    for (const [what, edit] of cases) {
      await publish2(tampered(++v, edit))
      await g.r.sync()
      expect([what, g.rejected.at(-1)]).toEqual([what, 'schema'])
    }
    expect(g.rejected.length).toBe(cases.length)
    expect(g.h.store.version).toBe(0)
    // the document says another version than it was stored under
    await publish2(tampered(v + 7))
    await g.r.sync()
    expect(g.rejected.at(-1)).toBe('version')
    // near miss: null in a nullable column, an absent column with a default: applies
    const ok = await publish2(
      tampered(v + 2, (d) => {
        d.tables.offerings!.rows[0]![col('offerings', 'context_length')] = null
        const i = col('offerings', 'source')
        d.tables.offerings!.columns.splice(i, 1)
        for (const r of d.tables.offerings!.rows) r.splice(i, 1)
      }),
    )
    await g.r.sync()
    expect(g.h.store.version).toBe(ok)
    expect(g.rejected.length).toBe(cases.length + 1)
    const first = doc.tables.offerings!.rows[0]![col('offerings', 'id')] as string
    expect(doc.tables.offerings!.rows[0]![col('offerings', 'context_length')]).toBeNumber() // the null is news
    const model = (await (await g.h.get(`/v1/models/${first}`)).json()) as { context_length: unknown }
    expect(model.context_length ?? null).toBeNull()
  })

  test('bytes not matching their stored sha256 are rejected once, not downloaded on every poll', async () => {
    const n = ns()
    const publish = await publisher(n)
    const f = await replica(n)
    await publish(tampered(101))
    const raw = new ClusterCoordinator({ url: redis.url, namespace: n })
    cleanup.push(() => raw.close())
    await raw.connect()
    // the data key rewritten behind the metadata's back (anyone with Redis access can)
    await (raw as unknown as { client: { set(k: string, v: Uint8Array): Promise<unknown> } }).client.set(
      `${n}:snapshot:data`,
      tampered(101, (d) => void (d.updatedAt = 1)),
    )
    for (let i = 0; i < 4; i++) await f.r.sync()
    expect(f.rejected).toEqual(['sha256'])
    expect(f.h.store.version).toBe(0)
    const v = await publish(tampered(102))
    await f.r.sync()
    expect(f.h.store.version).toBe(v)
  })

  test('the same bad snapshot is fetched and parsed once, not on every poll; a new one is looked at', async () => {
    const n = ns()
    const publish = await publisher(n)
    const log: string[] = []
    const f = await replica(n, { log: pino({ level: 'warn' }, { write: (s: string) => void log.push(s) }) })
    await publish(tampered(101, (d) => void (d.tables.nope = { columns: [], rows: [] })))
    for (let i = 0; i < 5; i++) await f.r.sync()
    expect(f.rejected).toEqual(['schema'])
    expect(log.filter((l) => l.includes('shared snapshot rejected')).length).toBe(1) // at warn
    expect(JSON.parse(log[0]!).reason).toBe('schema')
    await publish(gz({ not: 'a snapshot' }))
    for (let i = 0; i < 3; i++) await f.r.sync()
    expect(f.rejected).toEqual(['schema', 'schema'])
    const v = await publish(tampered(103))
    await f.r.sync()
    expect(f.h.store.version).toBe(v)
  })

  test('with a cluster secret: unsigned and wrongly signed snapshots are ignored, a correctly signed one applies', async () => {
    const n = ns()
    const publish = await publisher(n)
    const f = await replica(n, { secret: SECRET })
    await publish(tampered(101))
    await f.r.sync()
    await publish(tampered(102), (v, sha) => snapshotSignature('another-secret-0123456789', v, sha))
    await f.r.sync()
    // signed for another version (a signature copied onto other metadata)
    await publish(tampered(103), (v, sha) => snapshotSignature(SECRET, v - 1, sha))
    await f.r.sync()
    await publish(tampered(104), (v, sha) => snapshotSignature(SECRET, v, sha).slice(0, -1))
    await f.r.sync()
    expect(f.rejected).toEqual(['signature', 'signature', 'signature', 'signature'])
    expect(f.h.store.version).toBe(0)
    const v = await publish(tampered(105), (v, sha) => snapshotSignature(SECRET, v, sha))
    await f.r.sync()
    expect(f.h.store.version).toBe(v)
    // without a secret, behaviour as before: the unsigned one applies
    const plain = await replica(n)
    await publish(tampered(106))
    await plain.r.sync()
    expect(plain.rejected).toEqual([])
  })

  test('a leader with the secret signs what it publishes; a follower with the secret applies it', async () => {
    const n = ns()
    const leader = await replica(n, { secret: SECRET })
    const follower = await replica(n, { secret: SECRET })
    await leader.r.tick() // the lock is free: it leads, refreshes, publishes signed
    expect(leader.h.store.countOfferings()).toBeGreaterThan(0)
    await follower.r.sync()
    expect(follower.rejected).toEqual([])
    expect(follower.h.store.version).toBe(leader.h.store.version)
    expect(follower.h.store.countOfferings()).toBe(leader.h.store.countOfferings())
  })

  test('a fresh replica with Redis up leads on its first tick (waits for the connection, never "Redis unreachable")', async () => {
    const n = ns()
    const lines: string[] = []
    const before = up.count(`${GROQ}/models`)
    const f = await replica(n, { connect: false, log: pino({ level: 'info' }, { write: (s: string) => void lines.push(s) }) })
    f.r.start()
    const end = Date.now() + 10_000
    while (Date.now() < end && !lines.some((l) => l.includes('published the catalog') || l.includes('Redis unreachable'))) await Bun.sleep(20)
    expect(lines.filter((l) => l.includes('Redis unreachable'))).toEqual([])
    expect(lines.some((l) => l.includes('published the catalog'))).toBe(true)
    expect(up.count(`${GROQ}/models`)).toBe(before + 1)
  })
})

describe('hostile cluster: fencing near misses (token and version keys hold different numbers)', () => {
  const make = async (namespace: string) => {
    const c = new ClusterCoordinator({ url: redis.url, namespace })
    cleanup.push(() => c.close())
    await c.connect()
    return c
  }
  const snap = (version: number, text = `v${version}`) => {
    const data = new TextEncoder().encode(text)
    return { version, sha256: sha256(data), data }
  }

  test('older token refused even with a newer version; newer or equal token refused with an older or equal version; both newer accepted', async () => {
    const c = await make(ns())
    // tokens in the tens, versions in the thousands: reading one key for the other changes every answer
    expect(await c.publish(20, snap(1000))).toBe('published')
    expect(await c.publish(19, snap(5000))).toBe('stale') // older token, newer version
    expect(await c.publish(21, snap(999))).toBe('stale') // newer token, older version
    expect(await c.publish(21, snap(1000, 'other bytes'))).toBe('stale') // newer token, equal version
    expect(await c.publish(20, snap(30))).toBe('stale') // equal token, version between the token and the stored version
    expect(await c.latest()).toMatchObject({ version: 1000, token: 20 })
    expect(await c.publish(21, snap(1001))).toBe('published') // both newer
    expect(await c.publish(22, snap(1002))).toBe('published')
    expect(await c.latest()).toMatchObject({ version: 1002, token: 22 })
  })

  test('after another replica took a newer token, the former leader is refused even with a higher version', async () => {
    const n = ns()
    const a = await make(n)
    const b = await make(n)
    const raw = await make(n)
    // the fence counter far from the versions
    expect(await raw.publish(1, snap(500))).toBe('published')
    const old = (await a.tryLead(100))!
    await Bun.sleep(150)
    const fresh = (await b.tryLead(60_000))!
    expect(fresh).toBeGreaterThan(old)
    expect(await b.publish(fresh, snap(501))).toBe('published')
    expect(await a.publish(old, snap(10_000, 'paused former leader'))).toBe('stale')
    expect(await a.latest()).toMatchObject({ version: 501, token: fresh })
    expect(new TextDecoder().decode((await a.fetch())!.data)).toBe('v501')
  })
})
