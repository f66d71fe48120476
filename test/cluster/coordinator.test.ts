import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import Redis from 'ioredis'
import { ClusterCoordinator, type CoordinatorLog, type SnapshotMeta } from '../../src/cluster/coordinator'
import { startRedisServer, type RedisServer } from '../helpers/redis-server'

// Real redis-server, no mocks. Each test uses its own namespace so tests do not see each other's keys.

const sha256Hex = (data: Uint8Array) => new Bun.CryptoHasher('sha256').update(data).digest('hex')

const snapshot = (version: number, text = `catalog v${version}`) => {
  // Non-UTF-8 bytes on purpose: the data must round-trip binary-safe.
  const data = new Uint8Array([0x00, 0xff, 0xfe, 0x80, ...new TextEncoder().encode(text), 0x00, 0xc3])
  return { version, sha256: sha256Hex(data), data }
}

const recordingLog = () => {
  const entries: { level: 'info' | 'warn'; o: object; msg: string }[] = []
  const log: CoordinatorLog = {
    info: (o, msg) => entries.push({ level: 'info', o, msg }),
    warn: (o, msg) => entries.push({ level: 'warn', o, msg }),
  }
  return { log, entries }
}

/** Polls `check` until it returns a non-undefined value; bounded. */
async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let lastErr: unknown
  while (Date.now() < deadline) {
    try {
      const v = await check()
      if (v !== undefined) return v
    } catch (err) {
      lastErr = err
    }
    await Bun.sleep(50)
  }
  throw new Error(`timed out waiting for ${what}${lastErr ? `: ${lastErr}` : ''}`)
}

const timed = async (p: Promise<unknown>) => {
  const t0 = performance.now()
  let error: unknown
  try {
    await p
  } catch (err) {
    error = err
  }
  return { error, ms: performance.now() - t0 }
}

let nsCounter = 0
const freshNs = () => `mctest${process.pid}-${++nsCounter}`

describe('ClusterCoordinator against a real redis-server', () => {
  let server: RedisServer
  let raw: Redis
  const opened: ClusterCoordinator[] = []

  const make = async (namespace: string, log?: CoordinatorLog) => {
    const c = new ClusterCoordinator({ url: server.url, namespace, log })
    opened.push(c)
    await c.connect()
    return c
  }

  beforeAll(async () => {
    server = await startRedisServer()
    raw = new Redis(server.url)
  })

  afterAll(async () => {
    await Promise.all(opened.map((c) => c.close()))
    raw?.disconnect()
    await server?.stop()
  })

  test('exactly one of three racing replicas leads; after the TTL the next token is strictly greater', async () => {
    const ns = freshNs()
    const cs = await Promise.all([make(ns), make(ns), make(ns)])
    for (const c of cs) expect(c.healthy).toBe(true)

    const results = await Promise.all(cs.map((c) => c.tryLead(200)))
    const tokens = results.filter((r): r is number => r !== null)
    expect(tokens).toHaveLength(1)
    expect(results.filter((r) => r === null)).toHaveLength(2)
    const first = tokens[0]!

    // Still held: nobody wins.
    expect(await Promise.all(cs.map((c) => c.tryLead(200)))).toEqual([null, null, null])

    await Bun.sleep(250)
    const loser = cs[results.indexOf(null)]!
    const next = await loser.tryLead(200)
    expect(next).not.toBeNull()
    expect(next!).toBeGreaterThan(first)
    expect(await raw.get(`${ns}:lock`)).toBe(loser.replicaId)
  })

  test('publish with the current token stores, announces, and fetch returns identical bytes', async () => {
    const ns = freshNs()
    const leader = await make(ns)
    const follower = await make(ns)
    const heard: SnapshotMeta[] = []
    await follower.subscribe((a) => heard.push(a))

    expect(await follower.latest()).toBeNull()
    expect(await follower.fetch()).toBeNull()

    const token = (await leader.tryLead(1_000))!
    expect(token).toBeGreaterThan(0)
    const s = snapshot(1)
    expect(await leader.publish(token, s)).toBe('published')

    await waitFor('announcement', () => (heard.length > 0 ? true : undefined), 2_000)
    expect(heard).toEqual([{ version: 1, sha256: s.sha256 }])

    expect(await follower.latest()).toEqual({ version: 1, sha256: s.sha256, token })
    const got = await follower.fetch()
    expect(got).not.toBeNull()
    expect(got!.version).toBe(1)
    expect(got!.sha256).toBe(s.sha256)
    expect(Buffer.from(got!.data).equals(Buffer.from(s.data))).toBe(true)
    // Stored bytes are binary-identical, not a string re-encoding.
    expect(Buffer.compare((await raw.getBuffer(`${ns}:snapshot:data`))!, Buffer.from(s.data))).toBe(0)
  })

  test('fetch verifies sha256: corrupted stored bytes give null and a warning', async () => {
    const ns = freshNs()
    const { log, entries } = recordingLog()
    const c = await make(ns, log)
    const token = (await c.tryLead(1_000))!
    const s = snapshot(7)
    expect(await c.publish(token, s)).toBe('published')
    expect((await c.fetch())?.sha256).toBe(s.sha256)

    const corrupted = Buffer.from(s.data)
    corrupted[5] = corrupted[5]! ^ 0x01
    await raw.set(`${ns}:snapshot:data`, corrupted)

    expect(await c.fetch()).toBeNull()
    expect(entries.some((e) => e.level === 'warn' && e.msg.includes('sha256 mismatch'))).toBe(true)
  })

  test('fenced publish: an older token or a not-newer version is stale and changes nothing', async () => {
    const ns = freshNs()
    const a = await make(ns)
    const b = await make(ns)
    const heard: SnapshotMeta[] = []
    await b.subscribe((x) => heard.push(x))

    const oldToken = (await a.tryLead(100))!
    await Bun.sleep(150)
    const newToken = (await b.tryLead(100))!
    expect(newToken).toBeGreaterThan(oldToken)

    const v2 = snapshot(2)
    expect(await b.publish(newToken, v2)).toBe('published')
    const stored = await a.latest()
    expect(stored).toEqual({ version: 2, sha256: v2.sha256, token: newToken })

    // A paused ex-leader wakes up with a newer version but an older token.
    expect(await a.publish(oldToken, snapshot(3, 'zombie'))).toBe('stale')
    // Same token, same or older version.
    expect(await b.publish(newToken, snapshot(2, 'same version, other bytes'))).toBe('stale')
    expect(await b.publish(newToken, snapshot(1))).toBe('stale')

    expect(await a.latest()).toEqual(stored)
    const got = await a.fetch()
    expect(got?.sha256).toBe(v2.sha256)
    expect(Buffer.from(got!.data).equals(Buffer.from(v2.data))).toBe(true)

    // The same token with a newer version is fine (a leader may publish twice in its term).
    const v4 = snapshot(4)
    expect(await b.publish(newToken, v4)).toBe('published')
    expect((await a.latest())?.version).toBe(4)

    await waitFor('two announcements', () => (heard.length >= 2 ? true : undefined), 2_000)
    expect(heard.map((h) => h.version)).toEqual([2, 4]) // nothing announced for stale publishes
  })

  test('requestRefresh reaches onRefreshRequest on every replica, with and without providers', async () => {
    const ns = freshNs()
    const a = await make(ns)
    const b = await make(ns)
    const atA: (string[] | undefined)[] = []
    const atB: (string[] | undefined)[] = []
    a.onRefreshRequest((p) => atA.push(p))
    const off = b.onRefreshRequest((p) => atB.push(p))
    // onRefreshRequest subscribes in the background; the subscription shows up on the server.
    await waitFor('subscription', async () => ((await raw.pubsub('NUMSUB', `${ns}:refresh-requests`))[1] === 2 ? true : undefined), 2_000)

    await a.requestRefresh(['openai', 'mistral'])
    await b.requestRefresh()
    await waitFor('requests at both', () => (atA.length === 2 && atB.length === 2 ? true : undefined), 2_000)
    expect(atA).toEqual([['openai', 'mistral'], undefined])
    expect(atB).toEqual([['openai', 'mistral'], undefined])

    off()
    await a.requestRefresh(['x'])
    await waitFor('third request at A', () => (atA.length === 3 ? true : undefined), 2_000)
    expect(atB).toHaveLength(2)
  })
})

describe('ClusterCoordinator when Redis dies and comes back', () => {
  let server: RedisServer
  const opened: ClusterCoordinator[] = []
  afterAll(async () => {
    await Promise.all(opened.map((c) => c.close()))
    await server?.stop()
  })

  test('fails fast while down, reconnects by itself, subscriptions come back', async () => {
    server = await startRedisServer()
    const ns = freshNs()
    const { log, entries } = recordingLog()
    const make = async () => {
      const c = new ClusterCoordinator({ url: server.url, namespace: ns, log })
      opened.push(c)
      await c.connect()
      return c
    }
    const a = await make()
    const b = await make()
    const heard: SnapshotMeta[] = []
    await b.subscribe((x) => heard.push(x))
    const token = (await a.tryLead(10_000))!
    expect(await a.publish(token, snapshot(1))).toBe('published')
    expect(a.healthy).toBe(true)

    await server.kill()

    const lead = await timed(a.tryLead(1_000))
    expect(lead.error).toBeInstanceOf(Error)
    expect(lead.ms).toBeLessThan(1_500)
    const pub = await timed(a.publish(token, snapshot(2)))
    expect(pub.error).toBeInstanceOf(Error)
    expect(pub.ms).toBeLessThan(1_500)
    const lat = await timed(b.latest())
    expect(lat.error).toBeInstanceOf(Error)
    expect(lat.ms).toBeLessThan(1_500)
    expect(a.healthy).toBe(false)
    expect(b.healthy).toBe(false)
    // The socket's 'close' may arrive a few ms after the first failed command.
    await waitFor('outage logged', () => (entries.some((e) => e.level === 'warn' && e.msg.includes('redis unavailable')) ? true : undefined), 2_000)

    // A replica starting while Redis is down: connect() resolves (no throw) and retries in the background.
    const late = new ClusterCoordinator({ url: server.url, namespace: ns, log })
    opened.push(late)
    const conn = await timed(late.connect())
    expect(conn.error).toBeUndefined()
    expect(conn.ms).toBeLessThan(1_500)
    expect(late.healthy).toBe(false)
    const lateHeard: SnapshotMeta[] = []
    await late.subscribe((x) => lateHeard.push(x))

    await server.restart() // same port, empty dataset (no persistence)

    // Polling is the safety net: everyone reconnects on their own.
    for (const c of [a, b, late]) {
      await waitFor('reconnect', async () => ((await c.latest()) === null ? true : undefined), 6_000)
      expect(c.healthy).toBe(true)
    }
    expect(entries.some((e) => e.msg.includes('connection restored'))).toBe(true)

    // Subscriptions are re-established after 'ready' (asynchronously): publish until both hear one.
    const t2 = (await a.tryLead(10_000))!
    expect(t2).toBeGreaterThan(0)
    let version = 10
    await waitFor(
      'announcements after reconnect',
      async () => {
        expect(await a.publish(t2, snapshot(++version))).toBe('published') // also exercises NOSCRIPT → EVAL
        await Bun.sleep(50)
        return heard.some((h) => h.version >= 10) && lateHeard.some((h) => h.version >= 10) ? true : undefined
      },
      6_000,
    )
    expect((await late.fetch())?.version).toBe(version)
  }, 20_000)
})
