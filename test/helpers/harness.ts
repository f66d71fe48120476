import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino, { type Logger } from 'pino'
import { createApp } from '../../src/app'
import { WebhookDispatcher } from '../../src/changes/webhooks'
import { createCanonicalizer } from '../../src/catalog/canonical'
import { CatalogStore } from '../../src/catalog/store'
import { loadConfig } from '../../src/config'
import { createHandler } from '../../src/http/handler'
import { createMetrics } from '../../src/http/metrics'
import { ModelsService } from '../../src/modules/models/service'
import { openDb } from '../../src/db/client'
import { resolveReferences } from '../../src/reference'
import type { BreakerRegistryOptions } from '../../src/refresh/breakers'
import { ReferenceRefresher } from '../../src/refresh/reference-worker'
import { RefreshWorker } from '../../src/refresh/worker'

export const tempDir = (prefix = 'modelcat-test-') => mkdtempSync(join(tmpdir(), prefix))

/**
 * Everything `src/index.ts` wires, minus the port: a real SQLite file in a temp dir, a config read
 * from a real TOML file, the worker and the app (driven with app.handle).
 */
export function makeHarness(opts: { toml: string; env?: Record<string, string>; dir?: string; log?: Logger; breakers?: BreakerRegistryOptions; webhookRetryDelaysMs?: number[] }) {
  const dir = opts.dir ?? tempDir()
  const configPath = join(dir, 'modelcat.toml')
  writeFileSync(configPath, opts.toml)
  const config = loadConfig({ MODELCAT_CONFIG: configPath, MODELCAT_DB: join(dir, 'catalog.db'), ...opts.env })
  const db = openDb(config.dbPath)
  const store = new CatalogStore(db, { canonicalId: createCanonicalizer(config.canonical), overrides: config.overrides, changeRetentionDays: config.changeRetentionDays })
  const log = opts.log ?? pino({ level: 'silent' })
  // as the refresh thread does: each commit's changes to the configured webhooks (short retries in tests)
  const webhooks = new WebhookDispatcher(config.webhooks, log, { db: db.$client, retryDelaysMs: opts.webhookRetryDelaysMs ?? [50, 100, 200] })
  if (config.webhooks.length) store.onChanges((rows) => webhooks.dispatch(rows))
  webhooks.resume()
  const metrics = createMetrics(store)
  const worker = RefreshWorker.fromConfig(config, store, log, { onReport: (r) => metrics.observeReport(r), breakerOptions: opts.breakers })
  const references = new ReferenceRefresher({
    store,
    references: resolveReferences(config),
    intervalSeconds: 86_400,
    maxResponseBytes: config.refresh.maxResponseBytes,
    log,
  })
  const models = new ModelsService(store, config.providers)
  const app = createApp({ config, store, worker, log, models, metrics })
  // requests go through the same front door as `modelcat serve` (request ids, logs, metrics, CORS)
  const handler = createHandler({ app, models, metrics, log, rateLimitPerMinute: config.rateLimitPerMinute })
  return {
    dir,
    config,
    db,
    store,
    worker,
    /** The reference catalogs' refresher (not started: tests call loadSnapshots() / refresh()). */
    references,
    app,
    models,
    metrics,
    handler,
    webhooks,
    get: (path: string, headers: Record<string, string> = {}) => handler(new Request(`http://localhost${path}`, { headers })),
    post: (path: string, headers: Record<string, string> = {}) => handler(new Request(`http://localhost${path}`, { method: 'POST', headers })),
    async close(removeDir = !opts.dir) {
      await Promise.all([worker.stop(), references.stop()])
      webhooks.stop()
      db.$client.close()
      if (removeDir) rmSync(dir, { recursive: true, force: true })
    },
  }
}
export type Harness = ReturnType<typeof makeHarness>

/** A TOML config that refreshes exactly `providers`, each pointed at the fake upstream under /<id>. */
export function tomlFor(upstreamUrl: string, providers: Record<string, string>, extra = '') {
  const lines = [`[refresh]`, `providers = [${Object.keys(providers).map((p) => `"${p}"`).join(', ')}]`, extra, '']
  for (const [id, path] of Object.entries(providers)) {
    lines.push(`[providers.${id}]`, `base_url = "${upstreamUrl}${path}"`, `api_key = "test-key-${id}"`, '')
  }
  return lines.join('\n')
}
