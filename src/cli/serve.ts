import { SERVER_MAX_BODY_BYTES } from '../http/handler'
import { createLogger } from '../lib/log'
import { scrubberFor } from '../lib/scrub'
import { openServer } from '../runtime'
import { recordServiceConfig } from '../runtime/service-config'
import { type ArgSpec, CliError, configOrExit, UsageError } from './common'

/** `--port`/`--host` over PORT/HOST: checked like the environment's values. */
function listenFlags(values: Record<string, string | boolean | undefined>): Record<string, string> {
  const env: Record<string, string> = {}
  if (typeof values.port === 'string') {
    if (!/^\d{1,5}$/.test(values.port) || Number(values.port) > 65535) throw new UsageError(`--port: expected 0–65535, got '${values.port}'`)
    env.PORT = values.port
  }
  if (typeof values.host === 'string') {
    if (!values.host.trim()) throw new UsageError('--host: expected an address')
    env.HOST = values.host
  }
  return env
}

/** Bun.serve, or one line naming the address when it cannot listen (a busy port is no stack trace). */
function listen(options: Parameters<typeof Bun.serve>[0] & { hostname: string; port: number }) {
  try {
    return Bun.serve(options)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const where = `${options.hostname}:${options.port}`
    if (code === 'EADDRINUSE') throw new CliError(`cannot listen on ${where}: the port is in use; choose another with PORT=<port> or --port <port> (0: any free port)`, 1)
    if (code === 'EACCES') throw new CliError(`cannot listen on ${where}: permission denied; choose a port above 1023 with PORT=<port> or --port <port>`, 1)
    throw new CliError(`cannot listen on ${where}: ${(err as Error).message}`, 1)
  }
}

export const serveCommand = {
  name: 'serve',
  summary: 'run the service (default)',
  usage: `Usage: modelcat serve [--port <port>] [--host <address>]

Serves the catalog on HOST:PORT and refreshes it in the background. Records its effective config beside
the DB (<MODELCAT_DB>.service.json: TOML path, enabled providers, which have a key; no key itself) for
the CLI's read commands.

  --port <port>      listen port (overrides PORT; 0: any free port)
  --host <address>   listen address (overrides HOST)`,
  args: { options: { port: { type: 'string' }, host: { type: 'string' } } } as ArgSpec,
  /** config → runtime → listen → refresher → signals. The only place that listens. */
  async run({ values }: { values: Record<string, string | boolean | undefined> }) {
    const config = configOrExit({ ...process.env, ...listenFlags(values) })
    const log = createLogger(config.logLevel, { scrub: scrubberFor(config) })
    const runtime = await openServer(config, log)
    let server: ReturnType<typeof Bun.serve>
    try {
      server = listen({
        hostname: config.host,
        port: config.port,
        maxRequestBodySize: SERVER_MAX_BODY_BYTES, // the front door answers 413 past MAX_BODY_BYTES, in the error shape
        fetch: runtime.handler,
      })
    } catch (err) {
      await runtime.stop() // the refresh thread and the DB, before the one-line exit
      throw err
    }
    recordServiceConfig(config) // once the port is ours: the CLI's read commands in another shell use what this service uses
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
