import type { OfferingRow } from '../../catalog/rows'
import type { ResolvedProvider } from '../../config'
import { VARIABLE_PRICE, type Pricing } from '../../domain/types'
import { shift } from '../../lib/decimal'
import { MODELS_DEV_PROVIDER_MAP } from '../../reference/models-dev'

/**
 * The catalog in models.dev's api.json shape: `{ <provider>: { id, name, env, npm, api?, doc, models: { <model id>: … } } }`,
 * costs in USD per 1M tokens. The format requires some fields modelcat may not know; their defaults are
 * stated in the README ("Exports"): booleans false, modalities text → text, limits 0 (read back as unknown).
 * A cost object needs both input and output prices: without both (or with a variable one) it is left out.
 */

/** modelcat provider id → models.dev's (so that models.dev readers, and modelcat's own parser, map it back). */
const MD_ID: Record<string, string> = {}
for (const [md, id] of Object.entries(MODELS_DEV_PROVIDER_MAP)) MD_ID[id] ??= md

/** models.dev cost fields ← OpenRouter price keys. */
const COST: [string, string][] = [
  ['input', 'prompt'],
  ['output', 'completion'],
  ['reasoning', 'internal_reasoning'],
  ['cache_read', 'input_cache_read'],
  ['cache_write', 'input_cache_write'],
  ['input_audio', 'audio'],
  ['output_audio', 'audio_output'],
]
const MODALITIES = new Set(['text', 'audio', 'image', 'video', 'pdf'])

/** USD per token (exact decimal) → USD per 1M tokens as a JSON number. */
const perMillion = (v: string) => Number(shift(v, 6))
const known = (v: string | undefined): v is string => v !== undefined && v !== VARIABLE_PRICE

function costOf(pricing: Pricing, base?: Pricing): Record<string, number> | null {
  const full = { ...base, ...pricing }
  if (!known(full.prompt) || !known(full.completion)) return null
  const out: Record<string, number> = {}
  for (const [field, key] of COST) if (known(full[key])) out[field] = perMillion(full[key])
  return out
}

const day = (unix: number) => new Date(unix * 1000).toISOString().slice(0, 10)

export function modelsDevModel(row: OfferingRow): Record<string, unknown> {
  const caps = row.capabilities ?? {}
  const input = row.inputModalities?.filter((m) => MODALITIES.has(m))
  const output = row.outputModalities?.filter((m) => MODALITIES.has(m))
  const m: Record<string, unknown> = {
    id: row.providerModelId,
    name: row.name,
    attachment: (input ?? []).some((x) => x !== 'text'),
    reasoning: caps.reasoning ?? false,
    tool_call: caps.tools ?? false,
    ...(caps.structured_output !== undefined ? { structured_output: caps.structured_output } : {}),
    release_date: day(row.created && row.created > 0 ? row.created : row.firstSeenAt),
    last_updated: day(Math.max(row.lastSeenAt ?? 0, row.created ?? 0, row.firstSeenAt)),
    modalities: { input: input?.length ? input : ['text'], output: output?.length ? output : ['text'] },
    open_weights: false,
    limit: { context: row.contextLength ?? 0, output: row.maxOutputTokens ?? 0 },
  }
  const cost = costOf(row.pricing)
  if (cost) {
    const tiers = (row.priceTiers ?? []).flatMap((t) => {
      const c = t.conditions
      if (c.min_prompt_tokens === undefined || c.utc_days || c.utc_start !== undefined || c.utc_end !== undefined) return []
      const tc = costOf(t.pricing, row.pricing)
      return tc ? [{ ...tc, tier: { type: 'context', size: c.min_prompt_tokens } }] : []
    })
    m.cost = tiers.length ? { ...cost, tiers } : cost
  }
  if (row.deprecation) m.status = 'deprecated'
  return m
}

export function toModelsDev(rows: OfferingRow[], providers: ResolvedProvider[]): Record<string, unknown> {
  const byId = new Map(providers.map((p) => [p.id, p]))
  const out: Record<string, { id: string; name: string; env: string[]; npm: string; api?: string; doc: string; models: Record<string, unknown> }> = {}
  for (const row of rows) {
    const id = MD_ID[row.providerId] ?? row.providerId
    let p = out[id]
    if (!p) {
      const cfg = byId.get(row.providerId)
      const adapter = cfg?.adapter as string | undefined
      const npm = adapter === 'anthropic' ? '@ai-sdk/anthropic' : adapter === 'gemini' ? '@ai-sdk/google' : adapter === 'openrouter' ? '@openrouter/ai-sdk-provider' : '@ai-sdk/openai-compatible'
      p = out[id] = {
        id,
        name: cfg?.name ?? row.providerId,
        env: cfg?.apiKeyEnv.length ? cfg.apiKeyEnv : [`${row.providerId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_API_KEY`],
        npm,
        ...(npm !== '@ai-sdk/google' && cfg?.baseUrl ? { api: cfg.baseUrl } : {}),
        doc: cfg?.docsUrl ?? cfg?.baseUrl ?? 'https://models.dev',
        models: {},
      }
    }
    p.models[row.providerModelId] ??= modelsDevModel(row)
  }
  return out
}
