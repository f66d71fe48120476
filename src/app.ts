import { Elysia } from 'elysia'
import type { Logger } from 'pino'
import type { Config } from './config'
import type { CatalogStore } from './catalog/store'
import { docs } from './http/docs'
import { errorHandler } from './http/error-handler'
import type { Metrics } from './http/metrics'
import { adminModule } from './modules/admin'
import { changesDocPaths, changesModule } from './modules/changes'
import { healthModule } from './modules/health'
import { modelsDocPaths, modelsModule } from './modules/models'
import type { ModelsService } from './modules/models/service'
import { providersModule } from './modules/providers'
import { exportsDocPaths, exportsModule } from './modules/exports'
import type { ExportsService } from './modules/exports/service'
import { openrouterModule } from './modules/openrouter'
import type { OpenRouterService } from './modules/openrouter/service'
import { quoteModule } from './modules/quote'
import type { QuoteService } from './modules/quote/service'
import type { Refresher } from './refresh/refresher'
import { webModule } from './modules/web'

export interface AppDeps {
  config: Config
  store: CatalogStore
  refresher: Refresher
  log: Logger
  /** The models service (with its answer cache, shared with the front door's fast path). */
  models: ModelsService
  /** Quotes, exports, the OpenRouter-compatible list (src/runtime openConsumers). */
  consumers: { quote: QuoteService; exports: ExportsService; openrouter: OpenRouterService }
  /** Metrics registry (the front door and refresh reports feed it). */
  metrics: Metrics
  /** Cooldown between admin refreshes of the same scope (tests shorten it; default: the config's). */
  adminCooldownMs?: number
}

/** The HTTP app, from parts the composition root (src/runtime) built. No side effects: it never listens, schedules or reads the environment. */
export function createApp({ config, store, refresher, models: service, consumers, metrics, adminCooldownMs }: AppDeps) {
  const app = new Elysia()
    .use(errorHandler())
    .use(docs({ ...modelsDocPaths, ...changesDocPaths, ...exportsDocPaths }))
    .use(healthModule(store, config, refresher))
    .get('/metrics', async () => new Response(await metrics.registry.metrics(), { headers: { 'content-type': metrics.registry.contentType } }), {
      detail: { tags: ['health'], summary: 'Prometheus metrics', description: 'Refresh, breaker, catalog and HTTP metrics in the Prometheus text format (prom-client).' },
    })
    .use(modelsModule(service))
    .use(changesModule(store, config.providers, config.publicUrl))
    .use(providersModule(store, config))
    .use(quoteModule(consumers.quote))
    .use(exportsModule(consumers.exports))
    .use(openrouterModule(consumers.openrouter))
    .use(webModule())
  return config.adminToken ? app.use(adminModule(config.adminToken, refresher, config.providers, store, adminCooldownMs ?? config.adminRefreshCooldownMs, config.adminWaitMaxSeconds * 1000)) : app
}
export type App = ReturnType<typeof createApp>
