import { listProviders } from '../modules/providers/service'
import { scrubberFor } from '../lib/scrub'
import { openCatalog } from '../runtime'
import { age, configOrExit, table } from './common'

export const providersCommand = {
  name: 'providers',
  summary: 'gateway counts per provider: status, total, unique, duplicates, last refresh, error',
  usage: `Usage: modelcat providers [--json] [--all]

Reads the catalog DB (MODELCAT_DB) and prints one row per provider: status, offerings (total),
distinct underlying models (unique), the same model listed twice (duplicates), models no other
provider offers (exclusive), last successful refresh and last error, origin (builtin, reference:
from models.dev, config) and the variable that would enable it. Disabled providers are left out
unless --all.

  --json   the same data as GET /v1/providers, as JSON
  --all    include disabled providers (every known one)`,
  run(args: string[]) {
    const config = configOrExit()
    const catalog = openCatalog(config)
    try {
      // scrubbed (src/lib/scrub.ts): no key, signed URL or terminal escape reaches the operator's terminal
      const known = listProviders(catalog.store, config.providers, scrubberFor(config))
      const data = known.filter((p) => args.includes('--all') || p.enabled)
      if (args.includes('--json')) return void process.stdout.write(`${JSON.stringify({ object: 'list', data }, null, 2)}\n`)
      const rows = data.map((p) => ({
        provider: p.id,
        status: p.status,
        total: p.total,
        unique: p.unique,
        duplicates: p.duplicates,
        exclusive: p.exclusive,
        refreshed: age(p.last_success_at),
        error: p.last_error ? p.last_error.slice(0, 80) : p.last_warning ? `warning: ${p.last_warning.slice(0, 70)}` : null,
        origin: p.origin,
        'enable with': p.unusable_reason ? `(not usable: ${p.unusable_reason.slice(0, 60)})` : p.enable_with.join(' or ') || null,
      }))
      process.stdout.write(`${table(rows, ['provider', 'status', 'total', 'unique', 'duplicates', 'exclusive', 'refreshed', 'error', 'origin', 'enable with'])}\n`)
      const off = known.length - data.length
      if (off) process.stdout.write(`${known.length} known providers; ${off} off (not listed): modelcat providers --all lists them with the variable that enables each\n`)
    } finally {
      catalog.close()
    }
  },
}
