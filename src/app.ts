import { Elysia } from 'elysia'
import type { Logger } from 'pino'
import type { Config } from './config'
import type { CatalogStore } from './catalog/store'
import { docs } from './http/docs'
import { errorHandler } from './http/errors'
import type { Metrics } from './http/metrics'
import { adminModule } from './modules/admin'
import { changesDocPaths, changesModule } from './modules/changes'
import { healthModule } from './modules/health'
import { modelsDocPaths, modelsModule } from './modules/models'
import type { ModelsService } from './modules/models/service'
import { providersModule } from './modules/providers'
import type { Refresher } from './refresh/refresher'
import { webModule } from './modules/web'

export interface AppDeps {
  config: Config
  store: CatalogStore
  refresher: Refresher
  log: Logger
  /** The models service (with its answer cache, shared with the front door's fast path). */
  models: ModelsService
  /** Metrics registry (the front door and refresh reports feed it). */
  metrics: Metrics
  /** Cooldown between admin refreshes of the same scope (tests shorten it; default: the config's). */
  adminCooldownMs?: number
}

/** The HTTP app, from parts the composition root (src/runtime) built. No side effects: it never listens, schedules or reads the environment. */
export function createApp({ config, store, refresher, models: service, metrics, adminCooldownMs }: AppDeps) {
  const app = new Elysia()
    .use(errorHandler())
    .use(docs({ ...modelsDocPaths, ...changesDocPaths }))
    .use(healthModule(store, config, refresher))
    .get('/metrics', async () => new Response(await metrics.registry.metrics(), { headers: { 'content-type': metrics.registry.contentType } }), {
      detail: { tags: ['health'], summary: 'Prometheus metrics', description: 'Refresh, breaker, catalog and HTTP metrics in the Prometheus text format (prom-client).' },
    })
    .use(modelsModule(service))
    .use(changesModule(store, config.providers, config.publicUrl))
    .use(providersModule(store, config))
    .use(webModule())
  return config.adminToken ? app.use(adminModule(config.adminToken, refresher, config.providers, store, adminCooldownMs ?? config.adminRefreshCooldownMs, config.adminWaitMaxSeconds * 1000)) : app
}
export type App = ReturnType<typeof createApp>
