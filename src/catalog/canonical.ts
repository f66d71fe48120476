import type { IdentityData } from '../domain/types'
import shipped from './aliases.json'

export type { IdentityData } from '../domain/types'

/**
 * Canonical identity: offerings of the same underlying model share a `canonical_id` ("org/model").
 * Rules strip the id styles providers wrap models in; data (aliases.json, extendable from config)
 * says which organisation spellings are one and which model names are one. Conservative by design:
 * two ids whose organisations differ never merge unless the data says the organisations are one.
 */

export interface OfferingIdentity {
  provider: string
  id: string
  ownedBy?: string | null
}

/** Wrappers around the real model id, provider by provider. */
const PREFIXES: RegExp[] = [
  /^accounts\/[^/]+\/models\//, // Fireworks: accounts/fireworks/models/llama-v3p1-8b-instruct
  /^@(?:cf|hf)\//, // Cloudflare Workers AI: @cf/meta/llama-3.1-8b-instruct
  /^@[^/]+\//, // gateway routing prefixes: @deepinfra/zai-org/GLM-4.5
  /^hf:/, // Synthetic and others: hf:zai-org/GLM-4.6
  /^models\//, // Gemini: models/gemini-2.5-flash
  /^(?:us|eu|apac|global)\.(?=[a-z0-9-]+\.)/, // Bedrock cross-region inference profiles
]

/** Suffixes that name a way of serving a model, not another model. Applied repeatedly. */
const SERVING_SUFFIXES: RegExp[] = [
  /:(?:free|beta|extended|nitro|floor|online|exacto|latest)$/, // OpenRouter variants, Ollama's default tag
  /-v\d+:\d+$/, // Bedrock: -v1:0
  /-(?:tee|fp8|fp4|fp16|bf16|int4|int8|awq|gptq|w4a16|w8a8|mlx|gguf|quantized|dynamic|fast|maas|free|\d+bit)$/,
  /(?<=-instruct)-turbo$/, // Together: Llama-3.3-70B-Instruct-Turbo is Llama 3.3 70B Instruct, served quantized
  /(?<=-instruct|-it)-lite$/,
]

function stripPrefixes(id: string): string {
  let s = id.trim()
  for (const p of PREFIXES) s = s.replace(p, '')
  return s
}

/** The longest serving suffix the rules strip, with the lookbehind they need ("-instruct-turbo"): a window this wide sees any of them. */
const SUFFIX_WINDOW = 48

/**
 * Strips serving suffixes from the end, repeatedly. Linear in the length of `model`: each pass looks
 * only at the last SUFFIX_WINDOW characters and either shortens the model or stops (an unanchored
 * `$` regex over the whole string, once per stripped suffix, was quadratic: 138 s on a 512 KB
 * "x-fp8-fp8-…" id).
 */
function stripServingSuffixes(model: string): string {
  let end = model.length
  for (;;) {
    const start = Math.max(0, end - SUFFIX_WINDOW)
    const tail = model.slice(start, end)
    let stripped = tail
    for (const suffix of SERVING_SUFFIXES) stripped = stripped.replace(suffix, '')
    if (stripped.length === tail.length) return model.slice(0, end)
    end = start + stripped.length
  }
}

/**
 * Spelling differences that never change the model: case, `_` vs `-`, `llama3.1` vs `llama-3.1`,
 * `meta-llama-3` vs `llama-3`, and a version written with a dash (`glm-5-2`, `claude-3-5`, `kimi-k2-6`)
 * vs a dot: a lone digit, a dash, a lone digit. Dates (`2024-11-20`) and sizes (`3-8b`) are not lone digits.
 */
function normalizeModel(model: string): string {
  return model
    .toLowerCase()
    .replace(/[\s_]+/g, '-')
    .replace(/^meta-(?=llama)/, '')
    .replace(/^(llama|gemma)(?=\d)/, '$1-')
    .replace(/(?<![\d.])(\d)-(\d)(?![\d.a-z])/g, '$1.$2')
    .replace(/-+/g, '-')
}

export function createCanonicalizer(extra: Partial<IdentityData> = {}) {
  const data: IdentityData = {
    orgs: { ...shipped.orgs, ...extra.orgs },
    families: { ...shipped.families, ...extra.families },
    namespaces: [...shipped.namespaces, ...(extra.namespaces ?? [])],
    models: { ...shipped.models, ...extra.models },
  }
  const namespaces = new Set(data.namespaces)
  const orgOf = (org: string) => data.orgs[org.toLowerCase()] ?? org.toLowerCase()
  const families = Object.entries(data.families).sort((a, b) => b[0].length - a[0].length)
  const knownOrgs = new Set([...Object.keys(data.orgs), ...Object.values(data.orgs)])

  const familyOrg = (model: string) => families.find(([prefix]) => model.startsWith(prefix))?.[1]

  /** "openai.gpt-5.5" (Bedrock) and "openai-gpt-4o" (Venice): an organisation glued to the model name. */
  function splitGluedOrg(s: string): [string, string] | null {
    const m = /^([a-z0-9]+(?:-[a-z0-9]+)?)[.-](.+)$/i.exec(s)
    if (!m) return null
    for (const [org, rest] of [
      [m[1]!, m[2]!],
      [s.split(/[.-]/)[0]!, s.slice(s.split(/[.-]/)[0]!.length + 1)],
    ] as const) {
      const canonicalOrg = orgOf(org)
      if (knownOrgs.has(org.toLowerCase()) && familyOrg(normalizeModel(rest)) === canonicalOrg) return [canonicalOrg, rest]
    }
    return null
  }

  /**
   * @example canonicalId({ provider: 'together', id: 'meta-llama/Llama-3.3-70B-Instruct-Turbo' }) === 'meta/llama-3.3-70b-instruct'
   * @example canonicalId({ provider: 'groq', id: 'llama-3.3-70b-versatile' }) === 'meta/llama-3.3-70b-instruct' (alias data)
   */
  /** "umans-glm-5.2" on provider umans-ai, "databricks-gpt-5-5" on databricks: the provider's brand on a known model. */
  function stripProviderBrand(provider: string, model: string): string {
    const m = /^([a-z0-9]+)-(.+)$/.exec(model)
    if (m && provider.toLowerCase().split(/[-_.]/).includes(m[1]!) && familyOrg(m[2]!)) return m[2]!
    return model
  }

  return function canonicalId({ provider, id, ownedBy }: OfferingIdentity): string {
    const s = stripPrefixes(id)
    const parts = s.split('/').filter(Boolean)
    let org: string | undefined
    let model: string
    if (parts.length >= 2 && !namespaces.has(parts[parts.length - 2]!.toLowerCase())) {
      org = orgOf(parts[parts.length - 2]!)
      model = parts[parts.length - 1]!
    } else if (parts.length >= 2) {
      model = parts[parts.length - 1]!
    } else {
      const glued = splitGluedOrg(parts[0] ?? s)
      if (glued) [org, model] = glued
      else model = parts[0] ?? s
    }
    model = normalizeModel(stripServingSuffixes(stripProviderBrand(provider, normalizeModel(model))))
    // No organisation in the id: the model family names it, else the provider's own owned_by when that is
    // a known organisation, else the provider itself (its own model: never merged with anyone else's).
    org ??= familyOrg(model) ?? (ownedBy && knownOrgs.has(ownedBy.toLowerCase()) ? orgOf(ownedBy) : undefined) ?? provider.toLowerCase()
    const canonical = `${org}/${model}`
    return data.models[canonical] ?? canonical
  }
}

export type Canonicalizer = ReturnType<typeof createCanonicalizer>
