import { createLogger } from '../lib/log'
import { scrubberFor } from '../lib/scrub'
import { openServer } from '../runtime'
import { configOrExit } from './common'

export const serveCommand = {
  name: 'serve',
  summary: 'run the service (default)',
  usage: `Usage: modelcat serve

Serves the catalog on HOST:PORT and refreshes it in the background (see the environment below).`,
  /** config → runtime → listen → refresher → signals. The only place that listens. */
  async run() {
    const config = configOrExit()
    const log = createLogger(config.logLevel, { scrub: scrubberFor(config) })
    const runtime = await openServer(config, log)
    const server = Bun.serve({
      hostname: config.host,
      port: config.port,
      maxRequestBodySize: 1024 * 1024, // no route takes a body: 1 MiB is plenty
      fetch: runtime.handler,
    })
    log.info({ url: server.url.href, db: config.dbPath, catalog_version: runtime.store.version, providers: runtime.refresher.enabledProviders.map((p) => p.id) }, 'modelcat listening')
    runtime.refresher.start() // after listening: refreshes never delay startup

    let stopping = false
    const shutdown = async (signal: string) => {
      if (stopping) return
      stopping = true
      log.info({ signal }, 'shutting down')
      const force = setTimeout(() => process.exit(1), 5000)
      force.unref()
      // stop accepting and drain in-flight requests while aborting the refresh (a request waiting on it,
      // e.g. POST /admin/refresh?wait=true, ends with it instead of holding the shutdown), then close the DB
      await runtime.stop(server)
      log.info('bye')
      process.exit(0)
    }
    process.on('SIGTERM', () => void shutdown('SIGTERM'))
    process.on('SIGINT', () => void shutdown('SIGINT'))
  },
}
