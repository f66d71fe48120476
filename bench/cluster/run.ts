/**
 * Upstream calls per refresh interval with 1 vs 3 replicas, with and without a shared Redis.
 * Real redis-server (apt-get install -y redis-server), a fake upstream on loopback counting requests.
 *
 *   bun bench/cluster/run.ts [--intervals 4] [--interval-ms 1000]
 */
import { parseArgs } from 'node:util'
import pino from 'pino'
import { ClusterCoordinator } from '../../src/cluster/coordinator'
import { ClusterReplica } from '../../src/cluster/replica'
import { FakeUpstream } from '../../test/helpers/fake-upstream'
import { makeHarness, tomlFor } from '../../test/helpers/harness'
import { startRedisServer } from '../../test/helpers/redis-server'

const { values } = parseArgs({ options: { intervals: { type: 'string', default: '4' }, 'interval-ms': { type: 'string', default: '1000' } } })
const intervals = Number(values.intervals)
const intervalMs = Number(values['interval-ms'])
const redis = await startRedisServer()
const GROQ = '/groq/openai/v1'

async function run(replicas: number, shared: boolean) {
  const up = new FakeUpstream().replay(`${GROQ}/models`, 'groq/groq_models_2026-01-22.json')
  const namespace = `bench-${Math.random().toString(36).slice(2)}`
  const nodes = Array.from({ length: replicas }, (_, i) => {
    const h = makeHarness({ toml: `${tomlFor(up.url, { groq: GROQ })}\n[references.models-dev]\nenabled = false\n[references.litellm]\nenabled = false\n` })
    const r = shared
      ? new ClusterReplica({
          coordinator: new ClusterCoordinator({ url: redis.url, namespace, replicaId: `r${i}` }),
          store: h.store,
          worker: h.worker,
          log: pino({ level: 'silent' }),
          intervalMs,
          pollMs: 100,
          graceMs: 60_000,
        })
      : undefined
    return { h, r }
  })
  const timers: ReturnType<typeof setInterval>[] = []
  for (const n of nodes) {
    if (n.r) n.r.start()
    else {
      // standalone replicas: each refreshes on its own schedule, as without REDIS_URL
      void n.h.worker.refresh()
      timers.push(setInterval(() => void n.h.worker.refresh(), intervalMs))
    }
  }
  await Bun.sleep(intervals * intervalMs - intervalMs / 2)
  const calls = up.count(`${GROQ}/models`)
  for (const t of timers) clearInterval(t)
  for (const n of nodes) {
    await n.r?.stop()
    await n.h.close()
  }
  up.stop()
  return calls
}

console.log(`${intervals} refresh intervals of ${intervalMs} ms, one provider`)
for (const [replicas, shared] of [
  [1, false],
  [3, false],
  [1, true],
  [3, true],
] as const) {
  const calls = await run(replicas, shared)
  console.log(`${String(replicas).padStart(2)} replica(s) ${shared ? 'sharing Redis' : 'standalone   '}: ${calls} upstream calls (${(calls / intervals).toFixed(2)} per interval)`)
}
await redis.stop()
