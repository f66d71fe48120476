import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import pino from 'pino'
import { ClusterCoordinator } from '../../src/cluster/coordinator'
import { ClusterReplica } from '../../src/cluster/replica'
import { FakeUpstream } from '../helpers/fake-upstream'
import { makeHarness, tomlFor, type Harness } from '../helpers/harness'
import { startRedisServer, type RedisServer } from '../helpers/redis-server'

/**
 * Three replicas (each its own SQLite file, service and refresher) sharing one real redis-server, a
 * fake upstream counting fetches. Short intervals; bounded waits.
 */
setDefaultTimeout(60_000)
const GROQ = '/groq/openai/v1'
const TOGETHER = '/together/v1'
const INTERVAL = 1500
const silent = pino({ level: 'silent' })

let redis: RedisServer
let up: FakeUpstream
const replicas: { h: Harness; r: ClusterReplica }[] = []

const fetches = () => [up.count(`${GROQ}/models`), up.count(`${TOGETHER}/models`)]
const etags = async () => Promise.all(replicas.map(async ({ h }) => (await h.get('/v1/models')).headers.get('etag')))
const bodies = async () => Promise.all(replicas.map(async ({ h }) => (await h.get('/v1/models')).text()))
async function until(what: string, check: () => Promise<boolean> | boolean, ms = 10_000) {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await check()) return
    await Bun.sleep(50)
  }
  throw new Error(`timed out waiting for: ${what}`)
}
const converged = async () => {
  const e = await etags()
  return e[0] !== null && replicas.every(({ h }) => h.store.countOfferings() > 0) && e.every((x) => x === e[0])
}

beforeAll(async () => {
  redis = await startRedisServer()
  up = new FakeUpstream().replay(`${GROQ}/models`, 'groq/groq_models_2026-01-22.json').replay(`${TOGETHER}/models`, 'together/together_v1_models_2026-01-23.json')
  const namespace = `replicas-${Math.random().toString(36).slice(2)}`
  for (let i = 0; i < 3; i++) {
    const h = makeHarness({ toml: `${tomlFor(up.url, { groq: GROQ, together: TOGETHER })}\n[references.models-dev]\nenabled = false\n[references.litellm]\nenabled = false\n` })
    const r = new ClusterReplica({
      coordinator: new ClusterCoordinator({ url: redis.url, namespace, replicaId: `replica-${i}`, commandTimeoutMs: 300 }),
      store: h.store,
      worker: h.worker,
      log: silent,
      intervalMs: INTERVAL,
      pollMs: 100,
      graceMs: 1000,
    })
    replicas.push({ h, r })
  }
  for (const { r } of replicas) r.start()
})
afterAll(async () => {
  for (const { r, h } of replicas) {
    await r.stop().catch(() => undefined)
    await h.close()
  }
  up.stop()
  await redis.stop()
})

describe('three replicas, one Redis', () => {
  test('exactly one replica fetches each provider per interval, and all three serve the same bytes and ETag', async () => {
    await until('all replicas hold the shared catalog', converged)
    expect(fetches()).toEqual([1, 1])
    const [a, b, c] = await bodies()
    expect(b).toBe(a!)
    expect(c).toBe(a!)
    const versions = await Promise.all(replicas.map(async ({ h }) => (await h.get('/v1/models')).headers.get('x-catalog-version')))
    expect(new Set(versions).size).toBe(1)
    // the next interval: one more fetch per provider, not three
    await Bun.sleep(INTERVAL + 300)
    expect(fetches()).toEqual([2, 2])
  })

  test('an admin refresh on a follower triggers the shared refresh; everyone gets the new catalog', async () => {
    up.replay(`${GROQ}/models`, 'groq/groq_models_2025-10-05.json')
    const before = fetches()
    const etagBefore = (await etags())[0]
    // a replica that does not hold the lock
    const holders = await Promise.all(replicas.map(({ r }) => (r as unknown as { opts: { coordinator: ClusterCoordinator } }).opts.coordinator.holdsLock()))
    const follower = replicas[holders.findIndex((x) => !x)]!
    await follower.r.refresh({ trigger: 'admin' })
    await until('the new catalog everywhere', async () => (await converged()) && (await etags())[0] !== etagBefore)
    const after = fetches()
    expect(after[0]! - before[0]!).toBeGreaterThanOrEqual(1)
    expect(after[0]! - before[0]!).toBeLessThanOrEqual(2) // the forwarded refresh, maybe plus the interval's own
  })

  test('Redis killed: every replica keeps serving; after the grace period each refreshes alone; Redis back: they converge', async () => {
    await redis.kill()
    for (const { h } of replicas) expect((await h.get('/v1/models')).status).toBe(200)
    const before = fetches()
    await until('every replica refreshing on its own', () => fetches()[0]! - before[0]! >= 3, 8000)
    for (const { h } of replicas) expect((await h.get('/v1/models?gateway=groq')).status).toBe(200)
    // back, empty (no persistence): a leader publishes again, the others follow
    up.replay(`${GROQ}/models`, 'groq/groq_models_2026-01-22.json')
    await redis.restart()
    const restartedAt = fetches()
    await until('converged after Redis came back', async () => (await converged()) && fetches()[0]! > restartedAt[0]!, 15_000)
    const [a, b, c] = await bodies()
    expect(b).toBe(a!)
    expect(c).toBe(a!)
  })
})
