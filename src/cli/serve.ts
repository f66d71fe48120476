import { createApp } from '../app'
import { createLogger } from '../log'
import { resolveReferences } from '../reference'
import { ReferenceRefresher } from '../refresh/reference-worker'
import { RefreshWorker } from '../refresh/worker'
import { configOrExit, openCatalog } from './common'

export const serveCommand = {
  name: 'serve',
  summary: 'run the service (default)',
  usage: `Usage: modelcat serve

Serves the catalog on HOST:PORT and refreshes it in the background (see the environment below).`,
  /** config → db → app → listen → worker → signals. The only place that listens. */
  run() {
    const config = configOrExit()
    const log = createLogger(config.logLevel)
    const catalog = openCatalog(config)
    const { store } = catalog
    const worker = new RefreshWorker({
      store,
      providers: config.providers,
      log,
      intervalSeconds: config.refresh.intervalSeconds,
      maxResponseBytes: config.refresh.maxResponseBytes,
      maxPages: config.refresh.maxPages,
      maxDropFraction: config.refresh.maxDropFraction,
    })
    const references = new ReferenceRefresher({
      store,
      references: resolveReferences(config),
      intervalSeconds: Math.min(...Object.values(config.references).map((r) => r.intervalSeconds)),
      maxResponseBytes: config.refresh.maxResponseBytes,
      log,
    })
    const app = createApp({ config, store, worker, log })
    app.listen({ hostname: config.host, port: config.port }, (server) => {
      log.info({ url: server.url.href, db: config.dbPath, catalog_version: store.version, providers: worker.enabledProviders.map((p) => p.id) }, 'modelcat listening')
      // after listening: refreshes never delay startup
      worker.start()
      references.start()
    })

    let stopping = false
    const shutdown = async (signal: string) => {
      if (stopping) return
      stopping = true
      log.info({ signal }, 'shutting down')
      const force = setTimeout(() => process.exit(1), 5000)
      force.unref()
      await app.stop() // stop accepting, drain in-flight requests
      await Promise.all([worker.stop(), references.stop()]) // abort fetches; an aborted refresh commits nothing
      catalog.close()
      log.info('bye')
      process.exit(0)
    }
    process.on('SIGTERM', () => void shutdown('SIGTERM'))
    process.on('SIGINT', () => void shutdown('SIGINT'))
  },
}
