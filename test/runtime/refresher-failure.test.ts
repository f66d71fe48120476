import { afterEach, expect, test } from 'bun:test'
import { join } from 'node:path'
import pino from 'pino'
import { createMetrics } from '../../src/http/metrics'
import { healthModule } from '../../src/modules/health'
import { openCatalog } from '../../src/runtime'
import { RefreshThread } from '../../src/runtime/refresh-thread'
import { loadConfig } from '../../src/config'
import { tempDir } from '../helpers/harness'

/** A refresh thread that dies is a failing /ready and a metric, never a silent bootstrap-forever. */
const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
})

async function readyWith(threadEnv: Record<string, string>) {
  const dir = tempDir()
  const env = { MODELCAT_DB: join(dir, 'catalog.db'), LOG_LEVEL: 'silent' }
  const config = loadConfig(env)
  const catalog = openCatalog(config)
  catalog.store.commitRefresh('test', Date.now(), [{ provider: 'groq', ok: true, offerings: [{ providerModelId: 'm', name: 'M', pricing: {} }], skipped: 0, durationMs: 1, warning: null }])
  expect(catalog.store.version).toBeGreaterThan(0) // a catalog is loaded: only the thread's state decides /ready
  const metrics = createMetrics(catalog.store)
  const failures: string[] = []
  const thread = new RefreshThread({
    env: { ...env, ...threadEnv },
    store: catalog.store,
    providers: config.providers,
    log: pino({ level: 'silent' }),
    onFailure: (e) => (failures.push(e), metrics.refresherFailed.set(1)),
  })
  cleanups.push(async () => {
    await thread.stop()
    catalog.close()
  })
  thread.start()
  const app = healthModule(catalog.store, config, thread)
  // the thread answers 'ready' or 'fatal' quickly; wait for either to be visible
  await thread.resetBreakers().catch(() => undefined) // a round trip: the thread answered 'ready' or died
  const res = await app.handle(new Request('http://localhost/ready'))
  return { res, failures, metrics: await metrics.registry.metrics(), thread }
}

test('a refresh thread that fails at start: /ready is 503 (refresher_failed) and modelcat_refresher_failed is 1', async () => {
  const { res, failures, metrics, thread } = await readyWith({ PORT: 'not-a-port' }) // the thread cannot load its config
  expect(res.status).toBe(503)
  expect(((await res.json()) as any).error.code).toBe('refresher_failed')
  expect(failures).toHaveLength(1)
  expect(thread.failure).toContain('PORT')
  expect(metrics).toMatch(/^modelcat_refresher_failed 1$/m)
  await expect(thread.refresh()).rejects.toThrow('refresh thread failed')
})

test('near miss: a thread that starts keeps /ready at 200 and the metric at 0', async () => {
  const { res, failures, metrics, thread } = await readyWith({})
  expect(res.status).toBe(200)
  expect(failures).toEqual([])
  expect(thread.failure).toBeNull()
  expect(metrics).toMatch(/^modelcat_refresher_failed 0$/m)
})
