import type { ProviderResult } from '../domain/vocabulary'
import { resolveProviderNames } from '../config'
import { scrubberFor } from '../lib/scrub'
import { openInProcess } from '../runtime'
import { type ArgSpec, clip, CliError, configOrExit, table } from './common'

export const refreshCommand = {
  name: 'refresh',
  summary: 'refresh the catalog once, with live per-provider progress and a summary table',
  usage: `Usage: modelcat refresh [--provider a,b]

Fetches every enabled provider (or the listed ones: ids or aliases) once and writes the results to the
catalog DB (MODELCAT_DB), as the service would. Progress is live on a terminal, plain lines otherwise;
a summary table follows. Exit code 1 when every provider failed, 0 otherwise.

  --provider a,b   only these providers`,
  args: { options: { provider: { type: 'string' } } } as ArgSpec,
  async run({ values }: { values: Record<string, string | boolean | undefined> }) {
    const config = configOrExit()
    const named = typeof values.provider === 'string' ? resolveProviderNames(config.providers, values.provider) : undefined
    if (named?.unknown.length) throw new CliError(`unknown provider '${named.unknown.join("', '")}' (known: ${named.valid.join(', ')})`, 2)
    const ids = named?.ids

    const tty = Boolean(process.stdout.isTTY)
    const pending = new Set((ids ? config.providers.filter((p) => ids.includes(p.id)) : config.providers).filter((p) => p.enabled).map((p) => p.id))
    const total = pending.size
    const status = () => tty && process.stdout.write(`\r\x1b[K[${total - pending.size}/${total}] waiting for ${[...pending].slice(0, 6).join(', ')}${pending.size > 6 ? ', …' : ''}`)
    const scrub = scrubberFor(config) // upstream text on the terminal: no keys, no escapes
    const { refresher, stop } = openInProcess(config, {
      webhooks: false,
      refresherOptions: {
        onProviderDone(provider, o) {
          pending.delete(provider)
          const line = o.ok ? `✓ ${provider}: ${o.models} models in ${o.durationMs} ms` : `✗ ${provider}: ${scrub(o.error)} (${o.durationMs} ms)`
          process.stdout.write(tty ? `\r\x1b[K${line}\n` : `${line}\n`)
          status()
        },
      },
    })
    status()
    try {
      const report = await refresher.refresh({ providers: ids, trigger: 'cli' })
      if (tty) process.stdout.write('\r\x1b[K')
      const rows = report.results.map((r: ProviderResult) => ({
        provider: r.provider,
        status: r.status,
        models: r.model_count,
        skipped: r.skipped,
        ms: r.duration_ms,
        error: clip(scrub(r.error ?? r.warning ?? '') ?? '', 70) || null,
      }))
      process.stdout.write(`\n${table(rows, ['provider', 'status', 'models', 'skipped', 'ms', 'error'])}\n\ncatalog version ${report.catalog_version}, ${report.duration_ms} ms\n`)
      const fetched = report.results.filter((r) => r.status === 'ok' || r.status === 'failed')
      if (fetched.length > 0 && fetched.every((r) => r.status === 'failed')) throw new CliError('every provider failed', 1)
    } finally {
      await stop()
    }
  },
}
