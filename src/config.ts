import { readFileSync } from 'node:fs'
import { LOG_LEVELS, type LogLevel } from './lib/log'
import { z } from 'zod'
import type { IdentityData } from './domain/types'
import { toDecimal } from './lib/decimal'
import { PRICE_COMPONENTS, type OfferingOverride, type PriceComponent, type Pricing } from './domain/types'
import { ADAPTER_IDS, type AdapterId } from './upstream/adapters'
import { BUILTIN_PROVIDERS } from './upstream/registry'
import { builtinOf, embeddedReferenceProviders, KEY_VARIABLE, NPM_ADAPTERS, overlayReferenceProviders, type ReferenceProvider } from './reference/providers'
import { CHANGE_TYPES, ChangeType } from './domain/vocabulary'

/**
 * The only reader of process.env. Config = environment variables + an optional TOML file
 * (MODELCAT_CONFIG), validated once by zod. Every bad key is named; nothing starts on bad config.
 */

export interface ResolvedProvider {
  id: string
  name: string
  aliases: string[]
  adapter: AdapterId
  baseUrl: string
  apiKey?: string
  /** Env variables that may hold the key (for messages: "set GROQ_API_KEY"). */
  apiKeyEnv: string[]
  enabled: boolean
  keyRequired: boolean
  timeoutMs: number
  builtin: boolean
  /** Where its definition comes from: src/upstream/registry.ts, the models.dev reference data, or a config table alone. */
  origin: ProviderOrigin
  /** Reference-derived: its documentation (models.dev `doc`). */
  docsUrl?: string | null
  /** Why it cannot be refreshed as the reference describes it (no https base URL, unknown API package, …); such a provider stays disabled. */
  unusable?: string | null
  /** A config `base_url` sets its base URL (reference refreshes do not move it). */
  baseUrlPinned?: boolean
  /** Reference-derived: when a models.dev refresh last changed its base URL (ms), and the host before. */
  baseUrlChangedAt?: number | null
  previousHost?: string | null
  /** `models = [...]` from the TOML table (the `static` adapter lists these). */
  staticModels?: unknown[]
  /** `interval_seconds` of its table: how often the schedule fetches it (absent: refresh.interval_seconds). */
  intervalSeconds?: number
}

export type ProviderOrigin = 'builtin' | 'reference' | 'config'

export interface Config {
  host: string
  port: number
  dbPath: string
  configPath?: string
  adminToken?: string
  logLevel: LogLevel
  redisUrl?: string
  refresh: {
    intervalSeconds: number
    providerTimeoutMs: number
    maxResponseBytes: number
    maxPages: number
    maxDropFraction: number
  }
  providers: ResolvedProvider[]
  /** Identity data added to the shipped aliases (src/catalog/aliases.json). */
  canonical: Partial<IdentityData>
  /** `[providers.<id>.overrides."<model>"]`, by offering id: highest precedence. */
  overrides: Map<string, OfferingOverride>
  /** Circuit-breaker options (src/refresh/breakers.ts). */
  breakers: { failureThreshold: number; baseMs: number; maxMs: number; misconfiguredRetryMs: number }
  /** Days the change feed keeps its entries. */
  changeRetentionDays: number
  /** Outbound webhooks: each commit's changes, HMAC-signed. */
  webhooks: { url: string; secret: string; types: ChangeType[] }[]
  /** With REDIS_URL: replicas sharing one refresher (src/cluster). */
  cluster: { namespace: string; pollMs: number; graceMs: number; secret?: string }
  /** Requests per minute per client IP (0: no limit). */
  rateLimitPerMinute: number
  /** Admin refreshes of the same scope closer together than this are refused (429); 0: no cooldown. */
  adminRefreshCooldownMs: number
  /** The answer cache's bounds and the budget of uncached builds (src/serving/answer-cache.ts). */
  answers: { maxBytes: number; maxEntries: number; buildMsPerSecond: number }
  /** Longest an admin request with `wait=true` waits for its refresh before answering 202 (the refresh goes on). */
  adminWaitMaxSeconds: number
  /** The service's public base URL (no trailing slash), for absolute links (the Atom feed); unset: relative links. */
  publicUrl?: string
  /** Reference catalogs, by source id (`models.dev`, `litellm`); defaults for those not configured. */
  references: Record<string, { enabled: boolean; url?: string; intervalSeconds: number; timeoutMs: number }>
  /**
   * The providers again, with newer reference data (a live models.dev fetch stored in the catalog) laid
   * over the embedded snapshot's: same config, same environment. src/runtime openCatalog applies it.
   */
  withReferenceProviders?: (live: ReferenceProvider[]) => ResolvedProvider[]
}

/** Options of loadConfig that no deployment sets: the tests'. */
export interface LoadOptions {
  /** Replaces the embedded snapshot's providers (a test points one at its fake upstream). */
  referenceProviders?: ReferenceProvider[]
  /** TEST ONLY: accept `http://127.0.0.1…` reference base URLs (the fake upstream); never from env or TOML. */
  allowLoopbackHttpReference?: boolean
}

export { LOG_LEVELS, type LogLevel } from './lib/log'

export const DEFAULTS = {
  host: '0.0.0.0',
  port: 8080,
  dbPath: './data/catalog.db',
  logLevel: 'info' as LogLevel,
  intervalSeconds: 600,
  providerTimeoutMs: 10_000,
  maxResponseBytes: 64 * 1024 * 1024,
  maxPages: 50,
  maxDropFraction: 0.5,
  referenceIntervalSeconds: 86_400,
  referenceTimeoutMs: 30_000,
  adminRefreshCooldownSeconds: 10,
  /** The answer cache (src/serving/answer-cache.ts): bytes (MiB) and entries of built answers; adopted hot views come on top. */
  answerCacheMb: 32,
  answerCacheEntries: 4096,
  /** Milliseconds per second the HTTP thread may spend building uncached answers (0: unlimited). */
  buildBudgetMsPerSecond: 100,
  /** `POST /admin/refresh?wait=true` waits at most this long (then 202; the refresh goes on). */
  adminWaitMaxSeconds: 900,
  /** Circuit breakers (src/refresh/breakers.ts): consecutive failures to open, first and longest open time, ±jitter, 401/403 retry. */
  breakers: { failureThreshold: 3, baseMs: 60_000, maxMs: 3_600_000, jitter: 0.2, misconfiguredRetryMs: 21_600_000 },
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

/** An absolute http(s) base URL without query, fragment or credentials; kept without its trailing slash. */
const PublicUrl = z
  .url({ protocol: /^https?$/ })
  .refine((u) => {
    if (!URL.canParse(u)) return true // z.url named it already
    const url = new URL(u)
    return !url.search && !url.hash && !url.username && !url.password && !u.includes('?') && !u.includes('#')
  }, 'an absolute http(s) URL without query, fragment or user:password@')
  .transform((u) => u.replace(/\/+$/, ''))

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v)
const optionalEnv = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional())

const EnvSchema = z.object({
  PORT: optionalEnv(z.coerce.number().int().min(0).max(65535)),
  HOST: optionalEnv(z.string()),
  MODELCAT_DB: optionalEnv(z.string()),
  MODELCAT_CONFIG: optionalEnv(z.string()),
  MODELCAT_ADMIN_TOKEN: optionalEnv(z.string()),
  MODELCAT_REFRESH_INTERVAL: optionalEnv(z.coerce.number().int().min(1)),
  LOG_LEVEL: optionalEnv(z.enum(LOG_LEVELS)),
  REDIS_URL: optionalEnv(z.url({ protocol: /^rediss?$/ })),
  MODELCAT_CLUSTER_SECRET: optionalEnv(z.string().min(16, 'at least 16 characters')),
  MODELCAT_RATE_LIMIT: optionalEnv(z.coerce.number().int().min(0)),
  MODELCAT_PUBLIC_URL: optionalEnv(PublicUrl),
  MODELCAT_ANSWER_CACHE_MB: optionalEnv(z.coerce.number().int().min(1).max(1_048_576)),
  MODELCAT_BUILD_BUDGET_MS: optionalEnv(z.coerce.number().int().min(0).max(1000)),
})

const PROVIDER_ID = /^[a-z0-9][a-z0-9._-]*$/

const ProviderToml = z.strictObject({
  name: z.string().min(1).optional(),
  adapter: z.enum(ADAPTER_IDS).optional(),
  base_url: z.url({ protocol: /^https?$/ }).optional(),
  api_key: z.string().min(1).optional(),
  api_key_env: z.string().min(1).optional(),
  enabled: z.boolean().optional(),
  timeout_ms: z.number().int().min(1).max(600_000).optional(),
  interval_seconds: z.number().int().min(1).optional(),
  aliases: z.array(z.string().regex(PROVIDER_ID)).optional(),
  key_required: z.boolean().optional(),
  models: z.array(z.looseObject({ id: z.string().min(1) })).optional(),
  overrides: z
    .record(
      z.string().min(1),
      z.strictObject({
        context_length: z.number().int().positive().optional(),
        max_output_tokens: z.number().int().positive().optional(),
        pricing: z
          .partialRecord(
            z.enum(PRICE_COMPONENTS),
            z.union([z.string(), z.number()]).refine((v) => toDecimal(v) !== null && !toDecimal(v)!.startsWith('-'), 'a price is a non-negative decimal (USD per token)'),
          )
          .optional(),
      }),
    )
    .optional(),
})

const RefreshToml = z.strictObject({
  interval_seconds: z.number().int().min(1).optional(),
  provider_timeout_ms: z.number().int().min(1).max(600_000).optional(),
  max_response_bytes: z.number().int().min(1024).optional(),
  max_pages: z.number().int().min(1).max(10_000).optional(),
  max_drop_fraction: z.number().min(0).max(1).optional(),
  breaker_failures: z.number().int().min(1).max(100).optional(),
  breaker_base_seconds: z.number().min(1).optional(),
  breaker_max_seconds: z.number().min(1).optional(),
  breaker_misconfigured_retry_seconds: z.number().min(1).optional(),
  providers: z.array(z.string().min(1)).optional(),
})

const CanonicalToml = z.strictObject({
  orgs: z.record(z.string(), z.string()).optional(),
  families: z.record(z.string(), z.string()).optional(),
  namespaces: z.array(z.string()).optional(),
  models: z.record(z.string(), z.string()).optional(),
})

const ReferenceToml = z.strictObject({
  enabled: z.boolean().optional(),
  url: z.url({ protocol: /^https?$/ }).optional(),
  interval_seconds: z.number().int().min(60).optional(),
  timeout_ms: z.number().int().min(1).max(600_000).optional(),
})
/** TOML table names of the reference catalogs → their source ids. */
export const REFERENCE_TABLES: Record<string, string> = { 'models-dev': 'models.dev', litellm: 'litellm' }

const ClusterToml = z.strictObject({
  namespace: z.string().min(1).optional(),
  poll_seconds: z.number().min(0.1).optional(),
  grace_seconds: z.number().min(0).optional(),
})

const ChangesToml = z.strictObject({
  retention_days: z.number().min(1).optional(),
})

const WebhookToml = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  secret: z.string().min(8, 'at least 8 characters'),
  types: z.array(ChangeType).optional(),
})

const HttpToml = z.strictObject({
  rate_limit_per_minute: z.number().int().min(0).optional(),
  admin_refresh_cooldown_seconds: z.number().min(0).max(86_400).optional(),
  public_url: PublicUrl.optional(),
  answer_cache_mb: z.number().int().min(1).max(1_048_576).optional(),
  answer_cache_entries: z.number().int().min(1).max(1_000_000).optional(),
  build_budget_ms_per_second: z.number().int().min(0).max(1000).optional(),
  admin_wait_max_seconds: z.number().int().min(1).max(86_400).optional(),
})

interface Toml {
  changes?: z.infer<typeof ChangesToml>
  webhooks?: z.infer<typeof WebhookToml>[]
  cluster?: z.infer<typeof ClusterToml>
  http?: z.infer<typeof HttpToml>
  refresh?: z.infer<typeof RefreshToml>
  references?: Record<string, Partial<z.infer<typeof ReferenceToml>>>
  canonical?: Partial<IdentityData>
  providers?: Record<string, z.infer<typeof ProviderToml>>
  /** The tables as written, to tell a missing key from an invalid one. */
  rawProviders?: Record<string, object>
}

/**
 * Checks a table key by key, so that every bad key is named at once and the good ones still apply
 * (one typo must not hide the problems further down the file).
 */
function parseTable<S extends z.ZodRawShape>(schema: z.ZodObject<S>, raw: unknown, path: string, problem: (p: string) => void): Partial<z.infer<z.ZodObject<S>>> {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    problem(`${path}: expected a table`)
    return {}
  }
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(raw)) {
    const field = schema.shape[key] as z.ZodType | undefined
    if (!field) {
      problem(`${path}.${key}: unknown key (known: ${Object.keys(schema.shape).join(', ')})`)
      continue
    }
    const r = field.safeParse(value)
    if (r.success) out[key] = r.data
    else for (const i of r.error.issues) problem(`${[path, key, ...i.path].join('.')}: ${i.message}`)
  }
  return out as Partial<z.infer<z.ZodObject<S>>>
}

function parseToml(raw: Record<string, unknown>, problem: (p: string) => void): Toml {
  const toml: Toml = {}
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'refresh') toml.refresh = parseTable(RefreshToml, value, 'refresh', problem)
    else if (key === 'http') toml.http = parseTable(HttpToml, value, 'http', problem)
    else if (key === 'cluster') toml.cluster = parseTable(ClusterToml, value, 'cluster', problem)
    else if (key === 'changes') toml.changes = parseTable(ChangesToml, value, 'changes', problem)
    else if (key === 'webhooks') {
      const list = Array.isArray(value) ? value : []
      if (!Array.isArray(value)) problem('webhooks: expected [[webhooks]] tables')
      toml.webhooks = []
      list.forEach((w, i) => {
        const r = WebhookToml.safeParse(w)
        if (r.success) toml.webhooks!.push(r.data)
        else for (const issue of r.error.issues) problem(`webhooks[${i}].${issue.path.join('.') || '(table)'}: ${issue.message}`)
      })
    } else if (key === 'canonical') toml.canonical = parseTable(CanonicalToml, value, 'canonical', problem)
    else if (key === 'references') {
      toml.references = {}
      for (const [name, table] of Object.entries((value ?? {}) as Record<string, unknown>)) {
        if (!(name in REFERENCE_TABLES)) problem(`references.${name}: unknown reference catalog (known: ${Object.keys(REFERENCE_TABLES).join(', ')})`)
        else toml.references[name] = parseTable(ReferenceToml, table, `references.${name}`, problem)
      }
    } else if (key === 'providers') {
      toml.providers = {}
      toml.rawProviders = value as Record<string, object>
      if (!value || typeof value !== 'object' || Array.isArray(value)) problem('providers: expected tables like [providers.groq]')
      for (const [id, table] of Object.entries(value ?? {})) {
        if (!PROVIDER_ID.test(id)) problem(`providers.${id}: provider ids are lowercase letters, digits, ".", "_", "-"`)
        else toml.providers[id] = parseTable(ProviderToml, table, `providers.${id}`, problem)
      }
    } else problem(`${key}: unknown key (known: http, refresh, providers, canonical, references, cluster, changes, webhooks)`)
  }
  return toml
}

/**
 * A comma list of provider ids or aliases (any case) → the ids they name (deduplicated, in order), the
 * names that match no provider, and every valid name (for error messages).
 * @example resolveProviderNames(providers, 'hug,groq') → { ids: ['huggingface', 'groq'], unknown: [], valid: [...] }
 */
export function resolveProviderNames(providers: ResolvedProvider[], list: string): { ids: string[]; unknown: string[]; valid: string[] } {
  const byName = new Map(providers.flatMap((p) => [p.id, ...p.aliases].map((n) => [n, p.id] as const)))
  const names = list
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)
  return {
    ids: [...new Set(names.filter((n) => byName.has(n)).map((n) => byName.get(n)!))],
    unknown: names.filter((n) => !byName.has(n)),
    valid: [...byName.keys()],
  }
}

/** A copy of the environment, for a thread that loads the same config itself (the refresh thread). */
export const environment = (): Record<string, string | undefined> => ({ ...process.env })

export function loadConfig(env: Record<string, string | undefined> = process.env, opts: LoadOptions = {}): Config {
  const problems: string[] = []
  type Env = z.infer<typeof EnvSchema>
  // Key by key, so that one bad variable does not hide the problems of the TOML file.
  const e: Record<string, unknown> = {}
  for (const [key, schema] of Object.entries(EnvSchema.shape)) {
    const r = (schema as z.ZodType).safeParse(env[key])
    if (r.success) e[key] = r.data
    else problems.push(...r.error.issues.map((i) => `${key}: ${i.message}`))
  }
  const ev = e as Env

  let toml: Toml = {}
  const configPath = ev.MODELCAT_CONFIG
  if (configPath) {
    let raw: unknown
    try {
      raw = Bun.TOML.parse(readFileSync(configPath, 'utf8'))
    } catch (err) {
      problems.push(`MODELCAT_CONFIG: cannot read ${configPath}: ${(err as Error).message}`)
    }
    if (raw !== undefined) toml = parseToml(raw as Record<string, unknown>, (p) => problems.push(`${configPath}: ${p}`))
  }

  const providerTimeoutMs = toml.refresh?.provider_timeout_ms ?? DEFAULTS.providerTimeoutMs
  const reference = opts.referenceProviders ?? embeddedReferenceProviders()
  const resolve = (refs: ReferenceProvider[], problem: (p: string) => void) => resolveProviders(toml, env, providerTimeoutMs, problem, refs, opts.allowLoopbackHttpReference === true)
  const providers = resolve(reference, (p) => problems.push(`${configPath}: ${p}`))

  // constraints between keys, the same the runtime enforces (BreakerRegistry): a config that passes here starts
  const base = toml.refresh?.breaker_base_seconds ?? DEFAULTS.breakers.baseMs / 1000
  const max = toml.refresh?.breaker_max_seconds ?? DEFAULTS.breakers.maxMs / 1000
  if (base > max) {
    const which = toml.refresh?.breaker_base_seconds !== undefined ? 'refresh.breaker_base_seconds' : 'refresh.breaker_max_seconds'
    problems.push(`${configPath}: ${which}: breaker_base_seconds (${base}) must not exceed breaker_max_seconds (${max})`)
  }

  if (problems.length) throw new ConfigError(problems)
  return {
    host: ev.HOST ?? DEFAULTS.host,
    port: ev.PORT ?? DEFAULTS.port,
    dbPath: ev.MODELCAT_DB ?? DEFAULTS.dbPath,
    configPath,
    adminToken: ev.MODELCAT_ADMIN_TOKEN,
    logLevel: ev.LOG_LEVEL ?? DEFAULTS.logLevel,
    redisUrl: ev.REDIS_URL,
    refresh: {
      intervalSeconds: ev.MODELCAT_REFRESH_INTERVAL ?? toml.refresh?.interval_seconds ?? DEFAULTS.intervalSeconds,
      providerTimeoutMs,
      maxResponseBytes: toml.refresh?.max_response_bytes ?? DEFAULTS.maxResponseBytes,
      maxPages: toml.refresh?.max_pages ?? DEFAULTS.maxPages,
      maxDropFraction: toml.refresh?.max_drop_fraction ?? DEFAULTS.maxDropFraction,
    },
    providers,
    canonical: toml.canonical ?? {},
    overrides: overridesOf(toml, providers),
    breakers: {
      failureThreshold: toml.refresh?.breaker_failures ?? DEFAULTS.breakers.failureThreshold,
      baseMs: (toml.refresh?.breaker_base_seconds ?? DEFAULTS.breakers.baseMs / 1000) * 1000,
      maxMs: (toml.refresh?.breaker_max_seconds ?? DEFAULTS.breakers.maxMs / 1000) * 1000,
      misconfiguredRetryMs: (toml.refresh?.breaker_misconfigured_retry_seconds ?? DEFAULTS.breakers.misconfiguredRetryMs / 1000) * 1000,
    },
    changeRetentionDays: toml.changes?.retention_days ?? 90,
    webhooks: (toml.webhooks ?? []).map((w) => ({ url: w.url, secret: w.secret, types: w.types ?? [...CHANGE_TYPES] })),
    cluster: {
      namespace: toml.cluster?.namespace ?? 'modelcat',
      pollMs: (toml.cluster?.poll_seconds ?? 5) * 1000,
      graceMs: (toml.cluster?.grace_seconds ?? ev.MODELCAT_REFRESH_INTERVAL ?? toml.refresh?.interval_seconds ?? DEFAULTS.intervalSeconds) * 1000,
      secret: ev.MODELCAT_CLUSTER_SECRET,
    },
    rateLimitPerMinute: ev.MODELCAT_RATE_LIMIT ?? toml.http?.rate_limit_per_minute ?? 0,
    adminRefreshCooldownMs: (toml.http?.admin_refresh_cooldown_seconds ?? DEFAULTS.adminRefreshCooldownSeconds) * 1000,
    publicUrl: ev.MODELCAT_PUBLIC_URL ?? toml.http?.public_url,
    answers: {
      maxBytes: (ev.MODELCAT_ANSWER_CACHE_MB ?? toml.http?.answer_cache_mb ?? DEFAULTS.answerCacheMb) * 1024 * 1024,
      maxEntries: toml.http?.answer_cache_entries ?? DEFAULTS.answerCacheEntries,
      buildMsPerSecond: ev.MODELCAT_BUILD_BUDGET_MS ?? toml.http?.build_budget_ms_per_second ?? DEFAULTS.buildBudgetMsPerSecond,
    },
    adminWaitMaxSeconds: toml.http?.admin_wait_max_seconds ?? DEFAULTS.adminWaitMaxSeconds,
    references: Object.fromEntries(
      Object.entries(REFERENCE_TABLES).map(([table, id]) => {
        const t = toml.references?.[table] ?? {}
        return [id, { enabled: t.enabled ?? true, url: t.url, intervalSeconds: t.interval_seconds ?? DEFAULTS.referenceIntervalSeconds, timeoutMs: t.timeout_ms ?? DEFAULTS.referenceTimeoutMs }]
      }),
    ),
    // the config was checked against the embedded data; newer data adds or moves providers, never new problems
    withReferenceProviders: (live) => resolve(overlayReferenceProviders(reference, live), () => undefined),
  }
}

/** `[providers.groq.overrides."llama-3.3-70b-versatile"]` → "groq/llama-3.3-70b-versatile" → override, prices exact. */
function overridesOf(toml: Toml, providers: ResolvedProvider[]): Map<string, OfferingOverride> {
  const out = new Map<string, OfferingOverride>()
  const byName = new Map(providers.flatMap((p) => [p.id, ...p.aliases].map((n) => [n, p.id] as const)))
  for (const [key, table] of Object.entries(toml.providers ?? {})) {
    const id = byName.get(key)
    if (!id) continue
    for (const [model, o] of Object.entries(table.overrides ?? {})) {
      const pricing: Pricing = {}
      for (const [c, v] of Object.entries(o.pricing ?? {})) pricing[c as PriceComponent] = toDecimal(v)!
      out.set(`${id}/${model}`, { contextLength: o.context_length, maxOutputTokens: o.max_output_tokens, pricing })
    }
  }
  return out
}

/** Why a reference base URL cannot be used as is (null: it can): https only; loopback http only when a test allows it. */
function refusedBaseUrl(url: string | null, allowLoopbackHttp: boolean): string | null {
  if (!url) return 'models.dev states no API base URL (api)'
  if (!URL.canParse(url)) return `the reference base URL ${JSON.stringify(url.slice(0, 100))} is not a URL`
  const u = new URL(url)
  if (u.username || u.password || u.search || u.hash) return 'the reference base URL carries credentials, a query or a fragment'
  if (u.protocol === 'https:') return null
  if (allowLoopbackHttp && u.protocol === 'http:' && u.hostname === '127.0.0.1') return null
  return `the reference base URL is not https: (${u.protocol}//${u.host}); a config base_url may set it`
}

/** Why a reference-derived provider cannot be refreshed (null: it can); a config base_url / adapter stands in for the reference's. */
function referenceUnusable(r: ReferenceProvider, allowLoopbackHttp: boolean, config: { baseUrl?: boolean; adapter?: boolean; key?: boolean } = {}): string | null {
  const refused = config.baseUrl ? null : refusedBaseUrl(r.baseUrl, allowLoopbackHttp)
  if (refused) return refused
  if (!config.key && r.env.length === 0 && r.badEnv?.length) {
    return `its key variable ${r.badEnv.join(', ').slice(0, 100)} is refused (names must match ${KEY_VARIABLE.source}); a config api_key or api_key_env may set one`
  }
  if (config.adapter || (r.npm && NPM_ADAPTERS[r.npm])) return null
  return `its API package ${r.npm ?? '(none stated)'} maps to no modelcat adapter; a config adapter may set one`
}

/** A models.dev provider as modelcat would refresh it: enabled when one of its key variables is set. */
function fromReference(r: ReferenceProvider, env: Record<string, string | undefined>, timeoutMs: number, allowLoopbackHttp: boolean): ResolvedProvider {
  const adapter = r.npm ? NPM_ADAPTERS[r.npm] : undefined
  const refused = refusedBaseUrl(r.baseUrl, allowLoopbackHttp)
  const unusable = referenceUnusable(r, allowLoopbackHttp)
  const apiKey = r.env.map((k) => env[k]?.trim()).find(Boolean)
  return {
    id: r.id,
    name: r.name,
    aliases: [],
    adapter: adapter ?? 'openai',
    baseUrl: refused ? '' : r.baseUrl!.replace(/\/+$/, ''),
    apiKey,
    apiKeyEnv: r.env,
    // the default rule: refreshed when its key variable is set (the reference cannot say that a list needs none)
    enabled: !unusable && Boolean(apiKey),
    keyRequired: true,
    timeoutMs,
    builtin: false,
    origin: 'reference',
    docsUrl: r.docsUrl,
    unusable,
    baseUrlPinned: false,
    baseUrlChangedAt: r.baseUrlChangedAt ?? null,
    previousHost: r.previousHost ?? null,
  }
}

/**
 * Built-in providers, then every models.dev provider that is not one of them (under its models.dev id;
 * an id the parsers map to a built-in, e.g. togetherai, is that built-in), merged with `[providers.<id or
 * alias>]` tables and custom providers. Precedence: config > built-in > reference.
 */
function resolveProviders(
  toml: Toml,
  env: Record<string, string | undefined>,
  defaultTimeoutMs: number,
  problem: (message: string) => void,
  reference: ReferenceProvider[] = [],
  allowLoopbackHttp = false,
): ResolvedProvider[] {
  const raw = (key: string) => toml.rawProviders?.[key] ?? {}
  const byName = new Map<string, ResolvedProvider>()
  const out: ResolvedProvider[] = BUILTIN_PROVIDERS.map(({ defaultEnabled, ...spec }) => ({
    ...spec,
    aliases: [...spec.aliases],
    apiKey: spec.apiKeyEnv.map((k) => env[k]?.trim()).find(Boolean),
    enabled: defaultEnabled ?? true,
    timeoutMs: defaultTimeoutMs,
    builtin: true,
    origin: 'builtin' as const,
  }))
  for (const p of out) for (const name of [p.id, ...p.aliases]) byName.set(name, p)
  const refById = new Map<string, ReferenceProvider>()
  for (const r of reference) {
    if (builtinOf(r.id) || byName.has(r.id)) continue // the built-in's own definition wins
    const p = fromReference(r, env, defaultTimeoutMs, allowLoopbackHttp)
    refById.set(r.id, r)
    out.push(p)
    byName.set(p.id, p)
  }

  for (const [key, t] of Object.entries(toml.providers ?? {})) {
    let p = byName.get(key)
    if (!p) {
      // (a key that is present but invalid was named already)
      if (!t.adapter && !('adapter' in raw(key))) problem(`providers.${key}.adapter: required for a custom provider (one of ${ADAPTER_IDS.join(', ')})`)
      const needsUrl = t.adapter !== 'static'
      if (needsUrl && !t.base_url && !('base_url' in raw(key))) problem(`providers.${key}.base_url: required for a custom provider`)
      if (!t.adapter || (needsUrl && !t.base_url)) continue
      p = {
        id: key,
        name: key,
        aliases: [],
        adapter: t.adapter,
        baseUrl: t.base_url ?? '',
        apiKeyEnv: [],
        enabled: true,
        keyRequired: false,
        timeoutMs: defaultTimeoutMs,
        builtin: false,
        origin: 'config',
      }
      out.push(p)
      byName.set(key, p)
    }
    if (t.name) p.name = t.name
    if (t.adapter) p.adapter = t.adapter
    if (t.base_url) {
      p.baseUrl = t.base_url
      p.baseUrlPinned = true
    }
    if (t.api_key_env) {
      p.apiKeyEnv = [t.api_key_env]
      p.apiKey = env[t.api_key_env]?.trim() || undefined
    }
    if (t.api_key) p.apiKey = t.api_key
    const r = p.origin === 'reference' ? refById.get(p.id) : undefined
    if (r) {
      // config wins: its base_url stands in for a refused reference URL, its adapter for an unknown package
      p.unusable = referenceUnusable(r, allowLoopbackHttp, { baseUrl: Boolean(t.base_url), adapter: Boolean(t.adapter), key: Boolean(t.api_key || t.api_key_env) })
      if (p.unusable && t.enabled !== false) problem(`providers.${key}: not usable as models.dev describes it: ${p.unusable}`)
      p.enabled = !p.unusable && Boolean(p.apiKey)
    }
    if (t.enabled !== undefined) p.enabled = t.enabled && !p.unusable
    if (t.timeout_ms) p.timeoutMs = t.timeout_ms
    if (t.interval_seconds) p.intervalSeconds = t.interval_seconds
    if (t.key_required !== undefined) p.keyRequired = t.key_required
    if (t.models) p.staticModels = t.models
    if (p.adapter === 'static' && !p.staticModels?.length) problem(`providers.${key}.models: the static adapter needs at least one model`)
    for (const alias of t.aliases ?? []) {
      const owner = byName.get(alias)
      if (owner && owner !== p) problem(`providers.${key}.aliases: "${alias}" already names provider ${owner.id}`)
      else if (!owner) {
        p.aliases.push(alias)
        byName.set(alias, p)
      }
    }
  }

  const only = toml.refresh?.providers
  if (only) {
    const chosen = new Set<ResolvedProvider>()
    for (const name of only) {
      const p = byName.get(name)
      if (!p) problem(`refresh.providers: unknown provider "${name}" (known: ${out.map((x) => x.id).join(', ')})`)
      else if (p.unusable) problem(`refresh.providers: "${name}" is not usable as models.dev describes it: ${p.unusable}`)
      else {
        chosen.add(p)
        // naming a reference-derived provider turns it on (needs_key until its variable is set), unless its table says enabled = false
        if (p.origin === 'reference' && toml.providers?.[name]?.enabled !== false && toml.providers?.[p.id]?.enabled !== false) p.enabled = true
      }
    }
    for (const p of out) if (!chosen.has(p)) p.enabled = false
  }
  return out
}
