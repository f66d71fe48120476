import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino, { type Logger } from 'pino'
import { createApp } from '../../src/app'
import { WebhookDispatcher } from '../../src/webhooks/dispatcher'
import { createCanonicalizer } from '../../src/catalog/canonical'
import { CatalogStore } from '../../src/catalog/store'
import { loadConfig } from '../../src/config'
import { createHandler } from '../../src/http/handler'
import { createMetrics } from '../../src/http/metrics'
import { ModelsService } from '../../src/modules/models/service'
import { openDb } from '../../src/db/client'
import { resolveReferences } from '../../src/reference'
import type { BreakerRegistryOptions } from '../../src/refresh/breakers'
import { ReferenceRefresher } from '../../src/refresh/reference-refresher'
import { RefreshWorker } from '../../src/refresh/refresher'
import { checkContract, type RouteLike } from './contracts'

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
  /** `<METHOD> <route path> <status>` of every answer checked against its declared schema. */
  const contracts = new Set<string>()
  const checked = async (method: string, path: string, headers: Record<string, string>) => {
    const response = await handler(new Request(`http://localhost${path}`, { method, headers }))
    const key = await checkContract(app, method, path, response)
    if (key) contracts.add(key)
    return response
  }
  return {
    dir,
    config,
    db,
    store,
    worker,
    /** The reference catalogs' refresher (not started: tests call loadSnapshots() / refresh()). */
    references,
    app,
    metrics,
    /** The models service (its cache and hot path) the app and the front door share. */
    models,
    handler,
    webhooks,
    contracts,
    // every answer is checked against the schema its route declares (the hot path's bytes too): see contracts.ts
    get: (path: string, headers: Record<string, string> = {}) => checked('GET', path, headers),
    post: (path: string, headers: Record<string, string> = {}) => checked('POST', path, headers),
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

/**
 * The route table of a full app (admin routes included), for checking the answers of a service started
 * as a process (same source: same routes, same schemas).
 */
export async function routeTable(): Promise<{ routes: readonly RouteLike[] }> {
  const h = makeHarness({ toml: '', env: { MODELCAT_ADMIN_TOKEN: 'route-table' } })
  const routes = h.app.routes
  await h.close()
  return { routes }
}

/** fetch(), each answer checked against the schema its route in `table` declares (see contracts.ts). */
export const checkedFetch =
  (table: { routes: readonly RouteLike[] }) =>
  async (url: string, init?: RequestInit): Promise<Response> => {
    const res = await fetch(url, init)
    const { pathname, search } = new URL(url)
    await checkContract(table, init?.method ?? 'GET', pathname + search, res)
    return res
  }
