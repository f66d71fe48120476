import pkg from '../../package.json'
import { DEFAULTS } from '../config'
import { type ArgSpec, CliError, parseCommandArgs, UsageError } from './common'
import { configCommand } from './config-check'
import { exportCommand } from './export'
import { healthcheckCommand } from './healthcheck'
import { identityCommand } from './identity'
import { refreshCommand } from './refresh'
import { providersCommand } from './providers'
import { serveCommand } from './serve'

/** One subcommand: its line in the command list, its own help, what it accepts and what it does. */
export interface Command {
  name: string
  summary: string
  usage: string
  args: ArgSpec
  run(parsed: ReturnType<typeof parseCommandArgs>): void | Promise<void>
}

/** The command table (a new command: one entry here). */
const COMMANDS: Command[] = [serveCommand, refreshCommand, providersCommand, exportCommand, configCommand, healthcheckCommand, identityCommand]

/** Written once, in `modelcat --help`; each command's help points here. */
const ENVIRONMENT = `Environment:
  PORT                       listen port (default ${DEFAULTS.port}; 0: any free port; serve --port wins)
  HOST                       listen address (default ${DEFAULTS.host}; serve --host wins)
  MODELCAT_DB                SQLite file (default ${DEFAULTS.dbPath})
  MODELCAT_CONFIG            TOML config file (optional)
  MODELCAT_ADMIN_TOKEN       Bearer token for /admin/* (unset: admin routes are 404)
  MODELCAT_REFRESH_INTERVAL  seconds between refreshes (default ${DEFAULTS.intervalSeconds})
  LOG_LEVEL                  fatal|error|warn|info|debug|trace|silent (default ${DEFAULTS.logLevel})
  MODELCAT_RATE_LIMIT        requests per minute per client IP (default 0: no limit)
  REDIS_URL                  several replicas sharing one refresher (see README)
  provider keys              each provider's own variable(s), e.g. GROQ_API_KEY, HF_TOKEN, SCW_SECRET_KEY
                             (\`modelcat config check\` lists the enabled providers and the variable each reads)
`

const USAGE = `modelcat ${pkg.version} — model-catalog sidecar

Serves GET /v1/models from a local SQLite catalog that a background worker refreshes from every
configured provider. Swagger UI at /swagger.

Usage: modelcat [command] [options]     (no command: serve)
       modelcat <command> --help        a command's options
       modelcat --version

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`).join('\n')}

${ENVIRONMENT}`

const ENV_POINTER = 'Environment variables (PORT, MODELCAT_DB, MODELCAT_CONFIG, provider keys, …): modelcat --help'

/** A pipe closed by its reader (`modelcat export | head`) ends the process quietly. */
function quietOnClosedPipe() {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0)
      throw err
    })
  }
}

/**
 * Dispatches `modelcat [command] [args]`. The command is the first argument when it is no flag (else serve);
 * every command parses its arguments strictly: an unknown flag or an extra argument is exit 2 with the
 * usage, never ignored and never a server start.
 */
export async function main(argv: string[]) {
  quietOnClosedPipe()
  const named = argv[0] !== undefined && !argv[0].startsWith('-')
  const command = named ? COMMANDS.find((c) => c.name === argv[0]) : serveCommand
  const args = named ? argv.slice(1) : argv
  if (argv.includes('--version') || argv.includes('-v')) return void process.stdout.write(`modelcat ${pkg.version}\n`)
  if (!command) {
    process.stderr.write(`modelcat: unknown command '${argv[0]}'\n\n${USAGE}`)
    process.exit(2)
  }
  if (args.includes('--help') || args.includes('-h')) return void process.stdout.write(named ? `${command.usage}\n\n${ENV_POINTER}\n` : USAGE)
  try {
    await command.run(parseCommandArgs(args, command.args))
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`modelcat: ${err.message}\n`)
      if (err instanceof UsageError) process.stderr.write(`\n${named ? command.usage : USAGE}\n`)
      process.exit(err.code)
    }
    throw err
  }
}
