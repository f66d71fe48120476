#!/usr/bin/env bun
import { createApp } from './app'
import { CatalogStore } from './catalog/store'
import { ConfigError, DEFAULTS, loadConfig } from './config'
import { openDb } from './db/client'
import { createLogger } from './log'
import { RefreshWorker } from './refresh/worker'

const USAGE = `modelcat — model-catalog sidecar

Usage: modelcat [serve | healthcheck] [--help]

  serve        run the service (default)
  healthcheck  exit 0 when GET /health on 127.0.0.1:$PORT answers 200 (for Docker HEALTHCHECK)

Serves GET /v1/models from a local SQLite catalog that a background worker refreshes from every
configured provider. Swagger UI at /swagger.

Environment:
  PORT                       listen port (default ${DEFAULTS.port})
  HOST                       listen address (default ${DEFAULTS.host})
  MODELCAT_DB                SQLite file (default ${DEFAULTS.dbPath})
  MODELCAT_CONFIG            TOML config file (optional)
  MODELCAT_ADMIN_TOKEN       Bearer token for /admin/* (unset: admin routes are 404)
  MODELCAT_REFRESH_INTERVAL  seconds between refreshes (default ${DEFAULTS.intervalSeconds})
  LOG_LEVEL                  fatal|error|warn|info|debug|trace|silent (default ${DEFAULTS.logLevel})
  REDIS_URL                  reserved for several replicas sharing one refresher (not used yet)
  <PROVIDER>_API_KEY         provider keys, e.g. GROQ_API_KEY, TOGETHER_API_KEY (see README)
`

/** Entry point: config → db → app → listen → worker → signals. The only file that listens. */
function main(argv: string[]) {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE)
    return
  }
  const command = argv.find((a) => !a.startsWith('-')) ?? 'serve'
  if (command === 'healthcheck') return healthcheck()
  if (command !== 'serve') {
    process.stderr.write(`modelcat: unknown command '${command}'\n\n${USAGE}`)
    process.exit(2)
  }

  let config
  try {
    config = loadConfig()
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`modelcat: ${err.message}\n`)
      process.exit(2)
    }
    throw err
  }

  const log = createLogger(config.logLevel)
  const db = openDb(config.dbPath)
  const store = new CatalogStore(db)
  const worker = new RefreshWorker({
    store,
    providers: config.providers,
    log,
    intervalSeconds: config.refresh.intervalSeconds,
    maxResponseBytes: config.refresh.maxResponseBytes,
    maxPages: config.refresh.maxPages,
    maxDropFraction: config.refresh.maxDropFraction,
  })
  const app = createApp({ config, store, worker, log })
  app.listen({ hostname: config.host, port: config.port }, (server) => {
    log.info({ url: server.url.href, db: config.dbPath, catalog_version: store.version, providers: worker.enabledProviders.map((p) => p.id) }, 'modelcat listening')
    worker.start() // after listening: a refresh never delays startup
  })

  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    log.info({ signal }, 'shutting down')
    const force = setTimeout(() => process.exit(1), 5000)
    force.unref()
    await app.stop() // stop accepting, drain in-flight requests
    await worker.stop() // abort fetches; an aborted refresh commits nothing
    db.$client.close()
    log.info('bye')
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
}

/** Docker HEALTHCHECK without curl in the image: GET /health on this container's port. */
function healthcheck() {
  let port = DEFAULTS.port
  try {
    port = loadConfig().port
  } catch {}
  fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) })
    .then((res) => process.exit(res.ok ? 0 : 1))
    .catch(() => process.exit(1))
}

main(process.argv.slice(2))
