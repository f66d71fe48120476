import { readFileSync } from 'node:fs'
import type { AdapterId } from '../upstream/adapters'
import { BUILTIN_PROVIDERS } from '../upstream/registry'
import { MODELS_DEV_PROVIDER_MAP } from './models-dev'
import modelsDevSnapshot from './snapshots/models-dev_api_2026-06-13.json.gz' with { type: 'file' }

/**
 * What models.dev says of a provider itself (not its models): where its API lives, which variables hold
 * its key, how it is reached. The source of modelcat's reference-derived providers (src/config.ts).
 */
export interface ReferenceProvider {
  /** The models.dev provider id (its key in api.json). */
  id: string
  name: string
  /** `api`: the OpenAI-style base URL, as models.dev states it (null: none stated). */
  baseUrl: string | null
  /** `env`: the variables that may hold the key, names checked against KEY_VARIABLE. */
  env: string[]
  /** `env` names refused (not `^[A-Z][A-Z0-9_]*$`). */
  badEnv: string[]
  docsUrl: string | null
  /** `npm`: the AI SDK package that speaks its API; chooses the adapter (NPM_ADAPTERS). */
  npm: string | null
  /** Live data only: when a reference refresh last saw `api` change (ms), and the host it had before. */
  baseUrlChangedAt?: number | null
  previousHost?: string | null
}

/** A key variable name modelcat reads for a reference-derived provider. */
export const KEY_VARIABLE = /^[A-Z][A-Z0-9_]*$/

/** Caps on what one models.dev body may declare (outsider-controlled input). */
export const REFERENCE_PROVIDER_CAPS = { providers: 1000, stringChars: 2048, envNames: 16 }

/**
 * AI SDK packages → the modelcat adapter that reads that API's model list. OpenAI-compatible APIs use
 * the generic `openai` adapter; a package not listed here makes its provider not auto-usable (its list
 * format is unknown): it stays known, with the reason, until a config table names an adapter.
 */
export const NPM_ADAPTERS: Readonly<Record<string, AdapterId>> = {
  '@ai-sdk/openai-compatible': 'openai',
  '@ai-sdk/openai': 'openai',
  '@ai-sdk/xai': 'openai',
  '@ai-sdk/groq': 'openai',
  '@ai-sdk/cerebras': 'openai',
  '@ai-sdk/deepseek': 'openai',
  '@openrouter/ai-sdk-provider': 'openrouter',
  '@ai-sdk/anthropic': 'anthropic',
  '@ai-sdk/google': 'gemini',
  '@ai-sdk/mistral': 'mistral',
  '@ai-sdk/cohere': 'cohere',
  '@ai-sdk/togetherai': 'together',
  '@ai-sdk/deepinfra': 'deepinfra',
}

const BUILTIN_NAMES = new Map(BUILTIN_PROVIDERS.flatMap((p) => [p.id, ...p.aliases].map((n) => [n, p.id] as const)))

/**
 * The built-in provider a models.dev id stands for, if any: the parsers' one mapping
 * (MODELS_DEV_PROVIDER_MAP, e.g. togetherai → together), else an identical built-in id or alias.
 */
export function builtinOf(modelsDevId: string): string | undefined {
  return BUILTIN_NAMES.get(MODELS_DEV_PROVIDER_MAP[modelsDevId] ?? modelsDevId)
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() && v.length <= REFERENCE_PROVIDER_CAPS.stringChars ? v.trim() : null)
const PROVIDER_ID = /^[a-z0-9][a-z0-9._-]*$/

/** models.dev api.json → its providers (id, name, api, env, doc, npm); malformed ones and fields are dropped. */
export function parseReferenceProviders(body: unknown): ReferenceProvider[] {
  if (!isRecord(body)) return []
  const out: ReferenceProvider[] = []
  for (const [id, p] of Object.entries(body)) {
    if (out.length >= REFERENCE_PROVIDER_CAPS.providers) break
    if (!isRecord(p) || !PROVIDER_ID.test(id) || id.length > 100) continue
    const env = Array.isArray(p.env) ? p.env.filter((e): e is string => typeof e === 'string' && e.length <= 200).slice(0, REFERENCE_PROVIDER_CAPS.envNames) : []
    out.push({
      id,
      name: str(p.name) ?? id,
      baseUrl: str(p.api),
      env: env.filter((e) => KEY_VARIABLE.test(e)),
      badEnv: env.filter((e) => !KEY_VARIABLE.test(e)),
      docsUrl: str(p.doc),
      npm: str(p.npm),
    })
  }
  return out
}

let snapshotProviders: ReferenceProvider[] | undefined
/** The providers of the embedded models.dev snapshot (read once per process, synchronously: config needs them). */
export function embeddedReferenceProviders(): ReferenceProvider[] {
  snapshotProviders ??= parseReferenceProviders(JSON.parse(new TextDecoder().decode(Bun.gunzipSync(readFileSync(modelsDevSnapshot)))))
  return snapshotProviders
}

const hostOf = (url: string | null) => (url && URL.canParse(url) ? new URL(url).host : url)

/**
 * A fresh list against the one held before: every provider whose `api` changed gets `baseUrlChangedAt`
 * (now) and `previousHost`; unchanged ones carry the earlier change forward. Returns the list to store and
 * the changes (to log).
 */
export function diffReferenceProviders(
  previous: ReferenceProvider[],
  next: ReferenceProvider[],
  now: number,
): { providers: ReferenceProvider[]; changed: { id: string; from: string | null; to: string | null }[] } {
  const before = new Map(previous.map((p) => [p.id, p]))
  const changed: { id: string; from: string | null; to: string | null }[] = []
  const providers = next.map((p) => {
    const old = before.get(p.id)
    if (!old) return { ...p, baseUrlChangedAt: null, previousHost: null }
    if (old.baseUrl !== p.baseUrl) {
      changed.push({ id: p.id, from: old.baseUrl, to: p.baseUrl })
      return { ...p, baseUrlChangedAt: now, previousHost: hostOf(old.baseUrl) }
    }
    return { ...p, baseUrlChangedAt: old.baseUrlChangedAt ?? null, previousHost: old.previousHost ?? null }
  })
  return { providers, changed }
}

/** The held list a newer one overlays (live over the embedded snapshot): per id, the newer wins; ids only the older knows stay. */
export function overlayReferenceProviders(older: ReferenceProvider[], newer: ReferenceProvider[]): ReferenceProvider[] {
  const byId = new Map(older.map((p) => [p.id, p]))
  for (const p of newer) byId.set(p.id, p)
  return [...byId.values()]
}
