import { createApp } from '../app'
import { bootstrapCatalog } from '../catalog/bootstrap'
import { REFERENCES } from '../reference'
import { createLogger } from '../lib/log'
import { scrubberFor } from '../lib/scrub'
import { environment } from '../config'
import { createHandler } from '../http/handler'
import { createMetrics } from '../http/metrics'
import { ModelsService } from '../modules/models/service'
import { RefreshThread } from '../runtime/refresh-thread'
import { configOrExit, openCatalog } from './common'

export const serveCommand = {
  name: 'serve',
  summary: 'run the service (default)',
  usage: `Usage: modelcat serve

Serves the catalog on HOST:PORT and refreshes it in the background (see the environment below).`,
  /** config → db → app → listen → worker → signals. The only place that listens. */
  async run() {
    const config = configOrExit()
    const log = createLogger(config.logLevel, { scrub: scrubberFor(config) })
    // the refresh thread's connection brings stored rows in line with rules and overrides; not this one too
    const catalog = openCatalog(config, log, { maintain: false })
    const { store } = catalog
    // first start: the embedded snapshot until the providers answer (never when a catalog exists)
    const bootstrapped = bootstrapCatalog(store, config.providers, await REFERENCES[0]!.snapshot())
    if (bootstrapped) log.info({ offerings: bootstrapped, source: REFERENCES[0]!.snapshotLabel }, 'bootstrap catalog served until the first refreshes land')
    // fetching and the write transaction run on their own thread: the HTTP thread never waits behind them
    const models = new ModelsService(store, config.providers)
    const metrics = createMetrics(store)
    const worker = new RefreshThread({
      env: environment(),
      store,
      providers: config.providers,
      log,
      onBodies: (version, bodies) => models.adopt(version, bodies),
      onReport: (report) => metrics.observeReport(report),
      onSnapshotRejected: (reason) => metrics.clusterSnapshotRejected.inc({ reason }),
    })
    const app = createApp({ config, store, worker, log, models, metrics })
    const server = Bun.serve({
      hostname: config.host,
      port: config.port,
      maxRequestBodySize: 1024 * 1024, // no route takes a body: 1 MiB is plenty
      fetch: createHandler({ app, models, metrics, log, rateLimitPerMinute: config.rateLimitPerMinute }),
    })
    log.info({ url: server.url.href, db: config.dbPath, catalog_version: store.version, providers: worker.enabledProviders.map((p) => p.id) }, 'modelcat listening')
    worker.start() // after listening: refreshes never delay startup

    let stopping = false
    const shutdown = async (signal: string) => {
      if (stopping) return
      stopping = true
      log.info({ signal }, 'shutting down')
      const force = setTimeout(() => process.exit(1), 5000)
      force.unref()
      // stop accepting and drain in-flight requests while aborting the refresh (a request waiting on it,
      // e.g. POST /admin/refresh?wait=true, ends with it instead of holding the shutdown)
      await Promise.all([server.stop(), worker.stop()])
      catalog.close()
      log.info('bye')
      process.exit(0)
    }
    process.on('SIGTERM', () => void shutdown('SIGTERM'))
    process.on('SIGINT', () => void shutdown('SIGINT'))
  },
}
