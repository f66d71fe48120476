import type { CanonicalModel } from '../modules/models/serialize'
import type { Model } from '../modules/models/model'
import { openCatalog, openConsumers, openModels } from '../runtime'
import { type ArgSpec, readConfigOrExit, UsageError } from './common'

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v)
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s
}

export const exportCommand = {
  name: 'export',
  summary: 'print the catalog as JSON (the /v1/models body), CSV, or a LiteLLM / models.dev file',
  usage: `Usage: modelcat export [--format json|csv|litellm|models.dev | json|csv|litellm|models.dev] [--unique]

Prints the catalog of the DB (MODELCAT_DB) on stdout, with the config the service recorded beside it
(unless this shell sets MODELCAT_CONFIG; stderr says which): JSON is the GET /v1/models body the service
serves for the same catalog version (the same bytes), CSV one row per model with its prices (USD per token),
litellm exactly the GET /v1/export/litellm.json body (LiteLLM's model_prices_and_context_window.json
format), models.dev exactly GET /v1/export/models.dev.json (models.dev's api.json shape).

  --format FORMAT     json (default), csv, litellm or models.dev (\`modelcat export csv\` is the same as --format csv)
  --unique            one entry per underlying model (as ?unique=true)`,
  args: { options: { format: { type: 'string' }, unique: { type: 'boolean' } }, positionals: ['format'] } as ArgSpec,
  run({ values, positionals }: { values: Record<string, string | boolean | undefined>; positionals: string[] }) {
    const flag = values.format as string | undefined
    const given = positionals[0]
    if (flag !== undefined && given !== undefined && flag !== given) throw new UsageError(`two formats: --format ${flag} and '${given}'`)
    const format = flag ?? given ?? 'json'
    if (format !== 'json' && format !== 'csv' && format !== 'litellm' && format !== 'models.dev')
      throw new UsageError(`${flag !== undefined ? '--format' : 'format'}: expected json, csv, litellm or models.dev, got '${format}'`)
    const unique = values.unique === true
    const config = readConfigOrExit()
    const catalog = openCatalog(config)
    try {
      if (format === 'litellm' || format === 'models.dev') {
        const body = openConsumers(config, catalog.store).exports.export(format, { free: false, unique })
        return void process.stdout.write(`${new TextDecoder().decode(body.bytes)}\n`)
      }
      const body = openModels(config, catalog.store, { warm: false }).list({ free: false, unique })
      if (format === 'json') return void process.stdout.write(`${new TextDecoder().decode(body.bytes)}\n`)
      const { data } = JSON.parse(new TextDecoder().decode(body.bytes)) as { data: (Model | CanonicalModel)[] }
      const lines = unique
        ? [
            ['id', 'name', 'provider_count', 'context_length', 'cheapest_provider', 'prompt', 'completion'],
            ...(data as CanonicalModel[]).map((m) => [m.id, m.name, m.provider_count, m.context_length, m.cheapest?.provider, m.pricing.prompt, m.pricing.completion]),
          ]
        : [
            ['id', 'provider', 'provider_model_id', 'canonical_id', 'name', 'context_length', 'max_output_tokens', 'prompt', 'completion', 'source'],
            ...(data as Model[]).map((m) => [
              m.id,
              m.provider,
              m.provider_model_id,
              m.canonical_id,
              m.name,
              m.context_length,
              m.max_output_tokens,
              m.pricing.prompt,
              m.pricing.completion,
              (m as { source?: string }).source,
            ]),
          ]
      process.stdout.write(`${lines.map((l) => l.map(csvCell).join(',')).join('\n')}\n`)
    } finally {
      catalog.close()
    }
  },
}
