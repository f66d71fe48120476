import { REFERENCES } from '../reference'
import { openCatalog } from '../runtime'
import { type ArgSpec, readConfigOrExit, UsageError } from './common'

/** Longest id the command reads (the same cap as a stored provider model id). */
const MAX_ID_CHARS = 256
/** Longest display name the command reads (the canonicalizer reads names up to 200 characters). */
const MAX_NAME_CHARS = 200

export const identityCommand = {
  name: 'identity',
  summary: 'how a model id is read: its identity tokens, canonical id and the basis of the decision',
  usage: `Usage: modelcat identity <id> [--provider <provider>] [--name <display name>] [--json]

Reads <id> as modelcat reads a provider's model id: strips the wrappers (routing prefixes, regions,
serving suffixes, dates), splits the rest into identity tokens (organisation, family, version, size,
variant) and prints them with the canonical id and how it was reached (canonical_basis: override,
rule, learned:<source>, own). What the catalog DB (MODELCAT_DB) holds teaches it first, as at startup:
the reference catalogs and the stored live lists.

  --provider <p>  the provider listing the id (default: the id's first segment when it is a configured
                  provider, as in an offering id "groq/llama-3.3-70b-versatile"; else none)
  --name <n>      the provider's display name of the id (read when it names the model more specifically)
  --json          the decision as JSON`,
  args: { options: { provider: { type: 'string' }, name: { type: 'string' }, json: { type: 'boolean' } }, positionals: ['id'] } as ArgSpec,
  async run({ values, positionals }: { values: Record<string, string | boolean | undefined>; positionals: string[] }) {
    let provider = values.provider as string | undefined
    if (provider !== undefined && !provider) throw new UsageError('--provider needs a value')
    const id = positionals[0]
    if (!id) throw new UsageError('give a model id (modelcat identity <id> [--provider p])')
    if (id.length > MAX_ID_CHARS) throw new UsageError(`id longer than ${MAX_ID_CHARS} characters`)
    const name = values.name as string | undefined
    if (name !== undefined && name.length > MAX_NAME_CHARS) throw new UsageError(`--name longer than ${MAX_NAME_CHARS} characters`)
    const config = readConfigOrExit()
    let modelId = id
    if (!provider) {
      const first = id.split('/')[0]!
      if (id.includes('/') && config.providers.some((p) => p.id === first)) {
        provider = first
        modelId = id.slice(first.length + 1)
      } else provider = '-'
    }
    const catalog = openCatalog(config, { maintain: false })
    try {
      catalog.store.explainIdentity(provider, modelId) // learns what the DB holds
      if (catalog.store.learnedIdentitySize.observations === 0) {
        // a catalog that never loaded a reference catalog: the embedded snapshots teach, as at first start
        for (const r of REFERENCES) {
          const { entries } = r.source.parse(JSON.parse(new TextDecoder().decode(Bun.gunzipSync(await r.snapshot()))))
          catalog.store.learnIdentityFrom(entries.map((e) => ({ source: r.source.id, provider: e.provider, id: e.modelId.toLowerCase() })))
        }
      }
      const d = catalog.store.explainIdentity(provider, modelId, { name })
      if (values.json === true) return void process.stdout.write(`${JSON.stringify({ provider, model_id: modelId, ...d }, null, 2)}\n`)
      const t = d.tokens
      const list = (xs: string[]) => (xs.length ? xs.join(' ') : '-')
      process.stdout.write(
        `${[
          `id            ${modelId}${provider === '-' ? '' : ` (provider ${provider})`}`,
          ...(name ? [`name          ${name}`] : []),
          `organisation  ${t.org}`,
          `family        ${list(t.family)}`,
          `version       ${list(t.version)}`,
          `size          ${list(t.size)}`,
          `variant       ${list(t.variant)}`,
          `wrappers      ${list(t.wrappers)}`,
          `key           ${d.key}`,
          `canonical_id  ${d.id}`,
          `basis         ${d.basis}`,
          ...d.steps.map((s, i) => `${i === 0 ? 'because       ' : '              '}${s}`),
        ].join('\n')}\n`,
      )
    } finally {
      catalog.close()
    }
  },
}
