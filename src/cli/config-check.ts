import { configOrExit, table, UsageError } from './common'
import { redactUrl } from '../lib/scrub'
import { resolveReferences } from '../refresh/reference-refresher'

export const configCommand = {
  name: 'config',
  summary: 'config check: validate the environment and TOML config, show what would run',
  usage: `Usage: modelcat config check

Validates the environment and the TOML file (MODELCAT_CONFIG) exactly as \`modelcat serve\` does at start
(every constraint the service enforces, e.g. breaker_base_seconds ≤ breaker_max_seconds). Bad config: one
message naming every bad key, exit code 2. Good config: a summary of what would be refreshed.`,
  args: { positionals: ['check'] },
  run({ positionals }: { positionals: string[] }) {
    if (positionals[0] !== 'check') throw new UsageError(positionals[0] ? `unknown config subcommand '${positionals[0]}' (expected: check)` : 'expected: modelcat config check')
    const config = configOrExit()
    const rows = config.providers
      .filter((p) => p.enabled)
      .map((p) => ({
        provider: p.id,
        adapter: p.adapter,
        base_url: redactUrl(p.baseUrl),
        key: p.apiKey ? 'set' : p.keyRequired ? `missing (${p.apiKeyEnv.join(' or ') || 'api_key'})` : `not needed (${p.apiKeyEnv.join(' or ') || 'api_key'} optional)`,
      }))
    process.stdout.write(
      `config ok${config.configPath ? ` (${config.configPath})` : ' (environment only)'}\n` +
        `listen ${config.host}:${config.port}, db ${config.dbPath}, refresh every ${config.refresh.intervalSeconds} s, admin API ${config.adminToken ? 'on' : 'off'}\n\n` +
        `${table(rows, ['provider', 'adapter', 'base_url', 'key'])}\n` +
        // URLs shown without userinfo, query or fragment (they may carry credentials)
        resolveReferences(config)
          .filter((r) => r.enabled)
          .map((r) => `reference ${r.source.id}: ${redactUrl(r.url)}\n`)
          .join('') +
        config.webhooks.map((w) => `webhook ${redactUrl(w.url)} (${w.types.join(', ')})\n`).join(''),
    )
  },
}
