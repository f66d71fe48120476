import { Elysia } from 'elysia'
import type { Logger } from 'pino'
import type { Config } from './config'
import type { CatalogStore } from './catalog/store'
import { docs } from './http/docs'
import { errorHandler } from './http/errors'
import { adminModule } from './modules/admin'
import { healthModule } from './modules/health'
import { modelsModule } from './modules/models'
import { ModelsService } from './modules/models/service'
import { providersModule } from './modules/providers'
import type { Refresher } from './refresh/worker'

export interface AppDeps {
  config: Config
  store: CatalogStore
  worker: Refresher
  log: Logger
  /** The models service (built here when not given; `serve` shares it with the refresh thread's handle). */
  models?: ModelsService
}

/** The HTTP app. No side effects: it never listens, schedules or reads the environment. */
export function createApp({ config, store, worker, models }: AppDeps) {
  const app = new Elysia()
    .use(errorHandler())
    .use(docs())
    .use(healthModule(store))
    .use(modelsModule(models ?? new ModelsService(store, config.providers)))
    .use(providersModule(store, config))
  return config.adminToken ? app.use(adminModule(config.adminToken, worker, config.providers)) : app
}
export type App = ReturnType<typeof createApp>
