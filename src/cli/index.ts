import { DEFAULTS } from '../config'
import { CliError } from './common'
import { configCommand } from './config-check'
import { exportCommand } from './export'
import { healthcheckCommand } from './healthcheck'
import { identityCommand } from './identity'
import { refreshCommand } from './refresh'
import { providersCommand } from './providers'
import { serveCommand } from './serve'

interface Command {
  name: string
  summary: string
  usage: string
  run(args: string[]): void | Promise<void>
}

const COMMANDS: Command[] = [serveCommand, refreshCommand, providersCommand, exportCommand, configCommand, healthcheckCommand, identityCommand]

const ENVIRONMENT = `Environment:
  PORT                       listen port (default ${DEFAULTS.port})
  HOST                       listen address (default ${DEFAULTS.host})
  MODELCAT_DB                SQLite file (default ${DEFAULTS.dbPath})
  MODELCAT_CONFIG            TOML config file (optional)
  MODELCAT_ADMIN_TOKEN       Bearer token for /admin/* (unset: admin routes are 404)
  MODELCAT_REFRESH_INTERVAL  seconds between refreshes (default ${DEFAULTS.intervalSeconds})
  LOG_LEVEL                  fatal|error|warn|info|debug|trace|silent (default ${DEFAULTS.logLevel})
  MODELCAT_RATE_LIMIT        requests per minute per client IP (default 0: no limit)
  REDIS_URL                  several replicas sharing one refresher (see README)
  <PROVIDER>_API_KEY         provider keys, e.g. GROQ_API_KEY, TOGETHER_API_KEY (see README)
`

const USAGE = `modelcat — model-catalog sidecar

Serves GET /v1/models from a local SQLite catalog that a background worker refreshes from every
configured provider. Swagger UI at /swagger.

Usage: modelcat [command] [--help]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`).join('\n')}

${ENVIRONMENT}`

/** Dispatches `modelcat <command> [args]`; `--help` works on its own and after every command. */
export async function main(argv: string[]) {
  const name = argv.find((a) => !a.startsWith('-'))
  const command = name ? COMMANDS.find((c) => c.name === name) : serveCommand
  const help = argv.includes('--help') || argv.includes('-h')
  if (!command) {
    process.stderr.write(`modelcat: unknown command '${name}'\n\n${USAGE}`)
    process.exit(2)
  }
  if (help) {
    process.stdout.write(name ? `${command.usage}\n\n${ENVIRONMENT}` : USAGE)
    return
  }
  try {
    await command.run(argv.filter((a) => a !== name))
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`modelcat: ${err.message}\n`)
      process.exit(err.code)
    }
    throw err
  }
}
