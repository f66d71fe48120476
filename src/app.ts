import { Elysia } from 'elysia'
import type { Logger } from 'pino'
import type { Config } from './config'
import type { CatalogStore } from './catalog/store'
import { docs } from './http/docs'
import { errorHandler } from './http/errors'
import { createMetrics, type Metrics } from './http/metrics'
import { adminModule } from './modules/admin'
import { changesModule } from './modules/changes'
import { healthModule } from './modules/health'
import { modelsModule } from './modules/models'
import { ModelsService } from './modules/models/service'
import { providersModule } from './modules/providers'
import type { Refresher } from './refresh/refresher'

export interface AppDeps {
  config: Config
  store: CatalogStore
  worker: Refresher
  log: Logger
  /** The models service (built here when not given; `serve` shares it with the refresh thread's handle). */
  models?: ModelsService
  /** Metrics registry (built here when not given; the request handler and refresh reports feed it). */
  metrics?: Metrics
  /** Cooldown between admin refreshes of the same scope (tests shorten it). */
  adminCooldownMs?: number
}

/** The HTTP app. No side effects: it never listens, schedules or reads the environment. */
export function createApp({ config, store, worker, models, metrics = createMetrics(store), adminCooldownMs }: AppDeps) {
  const service = models ?? new ModelsService(store, config.providers)
  const app = new Elysia()
    .use(errorHandler())
    .use(docs())
    .use(healthModule(store, config))
    .get('/metrics', async () => new Response(await metrics.registry.metrics(), { headers: { 'content-type': metrics.registry.contentType } }), {
      detail: { tags: ['health'], summary: 'Prometheus metrics', description: 'Refresh, breaker, catalog and HTTP metrics in the Prometheus text format (prom-client).' },
    })
    .use(modelsModule(service))
    .use(changesModule(store, service, config.publicUrl))
    .use(providersModule(store, config))
  return config.adminToken ? app.use(adminModule(config.adminToken, worker, config.providers, store, adminCooldownMs)) : app
}
export type App = ReturnType<typeof createApp>
