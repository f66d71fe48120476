import type { Logger } from 'pino'
import type { Config, ResolvedProvider } from '../config'
import type { CatalogStore, ProviderOutcome } from '../catalog/store'
import { decimalsOutOfRange } from '../lib/decimal'
import { capOffering, LIMITS } from '../catalog/limits'
import type { OfferingInput } from '../domain/types'
import { UpstreamError, type Adapter, type AdapterContext } from '../upstream/adapter'
import { ADAPTERS } from '../upstream/adapters'
import type { BreakerSnapshot, ProviderResult, ProviderResultStatus, RefreshReport } from '../domain/vocabulary'
import { scrubberFor } from '../lib/scrub'
import { BreakerRegistry, type BreakerRegistryOptions } from './breakers'
import { getJson, NotModified } from '../upstream/fetch'
import type { UpstreamValidators } from '../catalog/rows'
import { RefreshSchedule } from './schedule'
import pkg from '../../package.json'

export type { ProviderResult, RefreshReport } from '../domain/vocabulary'

export interface ProviderRefresherOptions {
  store: CatalogStore
  providers: ResolvedProvider[]
  log: Logger
  intervalSeconds: number
  maxResponseBytes: number
  /** Page cap for paged lists (Anthropic, Gemini, Cohere). */
  maxPages: number
  /** A successful list smaller than (1 - this) × the last good one counts as failed unless forced. */
  maxDropFraction: number
  fetch?: typeof fetch
  /** Hears every finished refresh (scheduled or asked for): metrics. */
  onReport?: (report: RefreshReport) => void
  /** Circuit breakers, one per provider (state loaded from and saved to the store). */
  breakers?: BreakerRegistry
  /** Hears each provider's fetch as it finishes, before the commit (the CLI's live progress). */
  onProviderDone?: (provider: string, outcome: { ok: boolean; models: number; error: string | null; durationMs: number }) => void
}

export interface RefreshOptions {
  providers?: string[]
  trigger?: string
  /** Accept lists the anomaly guard would refuse (an admin's decision). */
  force?: boolean
}

/** What the HTTP layer needs of a refresher: in-process (ProviderRefresher) or on its own thread (RefreshThread). */
export interface Refresher {
  readonly enabledProviders: ResolvedProvider[]
  readonly lastReport: RefreshReport | null
  refresh(opts?: RefreshOptions): Promise<RefreshReport>
  /** Closes one provider's breaker (or all): the next refresh fetches it again. Returns the saved state. */
  resetBreakers(provider?: string): Promise<BreakerSnapshot[]>
  start(): void
  stop(): Promise<void>
  /** Set when the refresher died (the refresh thread failed): /ready answers 503 with it. */
  readonly failure?: string | null
}

/**
 * The in-process refresher: fetches every enabled provider concurrently, each under its own timeout
 * and byte cap, then commits all results in one synchronous transaction. Single-flight: a refresh
 * requested while one runs joins it (or, when it asks for providers the running one does not cover,
 * runs right after it). Never on the request path.
 */
export class ProviderRefresher implements Refresher {
  #inFlight: { providers: Set<string>; force: boolean; promise: Promise<RefreshReport> } | null = null
  #queued: { providers: Set<string>; force: boolean; promise: Promise<RefreshReport> } | null = null
  #timer: ReturnType<typeof setTimeout> | null = null
  #stop = new AbortController()
  #lastReport: RefreshReport | null = null

  readonly breakers: BreakerRegistry
  #reportListeners: ((report: RefreshReport) => void)[] = []

  /** Hears every finished refresh (scheduled or asked for), besides the `onReport` option. */
  onReport(listener: (report: RefreshReport) => void) {
    this.#reportListeners.push(listener)
  }
  #transitions: { provider: string; from: string; to: string }[] = []

  /** The worker `config` describes (providers, interval, caps, breaker options), plus callbacks. */
  static fromConfig(config: Config, store: CatalogStore, log: Logger, extra: Partial<ProviderRefresherOptions> & { breakerOptions?: BreakerRegistryOptions } = {}): ProviderRefresher {
    const { breakerOptions, ...rest } = extra
    return new ProviderRefresher({
      store,
      providers: config.providers,
      log,
      intervalSeconds: config.refresh.intervalSeconds,
      maxResponseBytes: config.refresh.maxResponseBytes,
      maxPages: config.refresh.maxPages,
      maxDropFraction: config.refresh.maxDropFraction,
      breakers: new BreakerRegistry({ ...config.breakers, ...breakerOptions }),
      ...rest,
    })
  }

  constructor(private readonly opts: ProviderRefresherOptions) {
    this.breakers = opts.breakers ?? new BreakerRegistry()
    this.breakers.load(opts.store.loadBreakers())
    this.breakers.onTransition((provider, from, to) => {
      this.#transitions.push({ provider, from, to })
      const level = to === 'closed' ? 'info' : 'warn'
      opts.log[level]({ provider, from, to }, 'circuit breaker')
    })
  }

  async resetBreakers(provider?: string): Promise<BreakerSnapshot[]> {
    if (provider) this.breakers.reset(provider)
    else this.breakers.resetAll()
    this.opts.store.saveBreakers(this.breakers.snapshots())
    return provider ? [this.breakers.get(provider)] : this.breakers.all()
  }

  get lastReport() {
    return this.#lastReport
  }

  get running() {
    return this.#inFlight !== null
  }

  /** Providers a refresh fetches: enabled ones. Those that need a key and have none are reported, not fetched. */
  get enabledProviders() {
    return this.opts.providers.filter((p) => p.enabled)
  }

  /**
   * Starts the schedule: a first refresh of every enabled provider right away (in the background), then each
   * provider again one interval after its last scheduled fetch ended: its own `interval_seconds`, else the
   * refresh interval. Providers due together are fetched in one refresh (one commit).
   */
  start() {
    const schedule = new RefreshSchedule(new Map(this.enabledProviders.map((p) => [p.id, (p.intervalSeconds ?? this.opts.intervalSeconds) * 1000])))
    const tick = () => {
      this.#timer = null
      const due = schedule.due(Date.now())
      const run = due.length ? this.refresh({ providers: due, trigger: 'schedule' }) : Promise.resolve()
      run
        .catch((err) => this.opts.log.error({ err }, 'scheduled refresh failed'))
        .finally(() => {
          schedule.ran(due, Date.now())
          if (!this.#stop.signal.aborted) this.#timer = setTimeout(tick, schedule.delay(Date.now()))
        })
    }
    this.#timer = setTimeout(tick, 0)
  }

  /** Stops the schedule, aborts in-flight fetches (nothing of that refresh is committed) and waits for it. */
  async stop() {
    this.#stop.abort(new Error('shutting down'))
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
    await Promise.allSettled([this.#inFlight?.promise, this.#queued?.promise])
  }

  refresh(opts: RefreshOptions = {}): Promise<RefreshReport> {
    const wanted = new Set(opts.providers ?? this.enabledProviders.map((p) => p.id))
    const force = opts.force ?? false
    const current = this.#inFlight
    if (current) {
      if ((current.force || !force) && [...wanted].every((id) => current.providers.has(id))) return current.promise
      // A different set while one runs: one follow-up run after it, covering every set asked for meanwhile.
      if (!this.#queued) {
        const queued = { providers: new Set<string>(), force: false, promise: null as unknown as Promise<RefreshReport> }
        queued.promise = current.promise
          .catch(() => undefined)
          .then(() => {
            this.#queued = null
            return this.refresh({ providers: [...queued.providers], trigger: opts.trigger, force: queued.force })
          })
        this.#queued = queued
      }
      for (const id of wanted) this.#queued.providers.add(id)
      this.#queued.force ||= force
      return this.#queued.promise
    }
    const promise = this.run([...wanted], opts.trigger ?? 'manual', force).finally(() => {
      this.#inFlight = null
    })
    this.#inFlight = { providers: wanted, force, promise }
    return promise
  }

  private async run(ids: string[], trigger: string, force: boolean): Promise<RefreshReport> {
    const startedAt = Date.now()
    const signal = this.#stop.signal
    if (signal.aborted) throw new Error('refresh worker is stopped')
    const targets = this.opts.providers.filter((p) => ids.includes(p.id))
    const skipped: ProviderResult[] = []
    const toFetch = targets.filter((p) => {
      if (!p.enabled) skipped.push(result(p.id, 'disabled'))
      else if (p.keyRequired && !p.apiKey) skipped.push(result(p.id, 'needs_key', { error: `no API key: set ${p.apiKeyEnv[0] ?? `providers.${p.id}.api_key`}` }))
      else {
        const decision = this.breakers.allow(p.id)
        if (decision.allowed) return true
        skipped.push(result(p.id, 'skipped_breaker', { error: `${decision.reason} (next try ${new Date(decision.retryAt).toISOString()})` }))
      }
      return false
    })

    const settled = await Promise.allSettled(
      toFetch.map((p) =>
        this.fetchProvider(p, signal, force).then((o) => {
          this.opts.onProviderDone?.(p.id, {
            ok: o.ok,
            models: o.ok ? (o.unchanged ? this.opts.store.liveCount(p.id) : o.offerings.length) : 0,
            error: o.ok ? null : o.error,
            durationMs: o.durationMs,
          })
          return o
        }),
      ),
    )
    if (signal.aborted) throw new Error('refresh aborted: shutting down (nothing committed)')
    const outcomes: ProviderOutcome[] = settled.map((s, i) => (s.status === 'fulfilled' ? s.value : { provider: toFetch[i]!.id, ok: false as const, error: String(s.reason), durationMs: 0 }))
    // every fetch the breakers let through is reported back to them, probes included
    for (const [i, o] of outcomes.entries()) {
      if (o.ok) this.breakers.success(o.provider)
      else {
        const s = settled[i]
        const upstream = s?.status === 'fulfilled' && !s.value.ok ? s.value.upstream : undefined
        this.breakers.failure(o.provider, { status: upstream?.status, retryAfter: upstream?.retryAfter, error: o.error })
      }
    }
    this.opts.store.saveBreakers(this.breakers.snapshots())
    const transitions = this.#transitions.splice(0)
    // identity is learned from the lists and decided here, before the commit: its write transaction only writes
    if (outcomes.length) this.opts.store.prepareIdentity(outcomes)
    const { version } = outcomes.length ? this.opts.store.commitRefresh(trigger, startedAt, outcomes) : { version: this.opts.store.version }

    for (const o of outcomes) {
      if (o.ok && o.unchanged) this.opts.log.info({ provider: o.provider, duration_ms: o.durationMs }, 'provider list not modified (304): rows kept')
      else if (o.ok) this.opts.log.info({ provider: o.provider, models: o.offerings.length, skipped: o.skipped, duration_ms: o.durationMs, warning: o.warning ?? undefined }, 'provider refreshed')
      else this.opts.log.warn({ provider: o.provider, error: o.error, duration_ms: o.durationMs }, 'provider refresh failed')
    }
    const report: RefreshReport = {
      trigger,
      started_at: new Date(startedAt).toISOString(),
      duration_ms: Date.now() - startedAt,
      catalog_version: version,
      results: [
        ...outcomes.map((o) =>
          o.ok
            ? o.unchanged
              ? result(o.provider, 'ok', { model_count: this.opts.store.liveCount(o.provider), duration_ms: o.durationMs, not_modified: true })
              : result(o.provider, 'ok', { model_count: o.offerings.length, skipped: o.skipped, duration_ms: o.durationMs, warning: o.warning })
            : result(o.provider, 'failed', { error: o.error, duration_ms: o.durationMs }),
        ),
        ...skipped,
      ],
      breaker_transitions: transitions,
    }
    this.#lastReport = report
    this.opts.onReport?.(report)
    for (const listener of this.#reportListeners) listener(report)
    return report
  }

  private async fetchProvider(p: ResolvedProvider, stop: AbortSignal, force: boolean): Promise<ProviderOutcome & { upstream?: { status?: number; retryAfter?: string | null } }> {
    const started = performance.now()
    const timeout = AbortSignal.timeout(p.timeoutMs)
    const signal = AbortSignal.any([stop, timeout])
    const adapter: Adapter = ADAPTERS[p.adapter]
    const ctx: AdapterContext = {
      baseUrl: p.baseUrl,
      apiKey: p.apiKey,
      maxPages: this.opts.maxPages,
      staticModels: p.staticModels,
      getJson: (url, headers = {}) => {
        // conditional requests: only the first request of a fetch may carry the last list's validators, and only
        // when that list came in one request (the validators then cover all of it) and its rows are still here
        const first = requests++ === 0
        const request = first ? requestKey(url, headers, p.adapter) : ''
        const conditional = first && stored?.request === request && this.opts.store.liveCount(p.id) > 0 ? stored : undefined
        const onValidators = first ? (v: { etag: string | null; lastModified: string | null }) => (received = { request, ...v, digest: null }) : undefined
        // the same bytes as the list the stored rows came from (same request): kept as a 304 keeps them, not parsed
        const unchanged = first
          ? (digest: string) => {
              if (received) received.digest = digest
              sameBytes = stored?.request === request && stored.digest === digest && this.opts.store.liveCount(p.id) > 0
              return sameBytes
            }
          : undefined
        return getJson(url, headers, { signal, maxBytes: this.opts.maxResponseBytes, fetch: this.opts.fetch, conditional, onValidators, unchanged })
      },
    }
    const stored = this.opts.store.upstreamValidators(p.id)
    let requests = 0
    let received: UpstreamValidators | null = null
    let sameBytes = false
    const durationMs = () => Math.round(performance.now() - started)
    try {
      let listed: Awaited<ReturnType<Adapter['list']>>
      try {
        listed = await adapter.list(ctx)
      } catch (err) {
        // 304 (or the same bytes): the list the upstream answered last time; nothing to parse, its rows stay; the
        // same bytes came in a 200, whose validators (or none) are the ones to send next time
        if (err instanceof NotModified)
          return { provider: p.id, ok: true, unchanged: true, offerings: [], skipped: 0, durationMs: durationMs(), warning: null, ...(sameBytes ? { validators: received } : {}) }
        throw err
      }
      const { items, truncated } = Array.isArray(listed) ? { items: listed, truncated: undefined } : listed
      const offerings: OfferingInput[] = []
      let skipped = 0
      let overCap = 0
      let refused = 0 // prices out of range, counted item by item (other providers normalize between the slices)
      for (const [i, raw] of items.entries()) {
        // normalizing is synchronous work on upstream data: in slices, each ending with a macrotask
        // yield, so the other providers go on and this one's timeout (or a shutdown) stops it
        if (i > 0 && i % LIMITS.normalizeSlice === 0) {
          await new Promise((resolve) => setTimeout(resolve, 0))
          signal.throwIfAborted()
        }
        const parsed = adapter.item.safeParse(raw)
        const before = decimalsOutOfRange()
        const normalized = parsed.success ? adapter.normalize(parsed.data) : null
        refused += decimalsOutOfRange() - before
        const o = normalized && capOffering(normalized)
        if (!o) {
          if (normalized?.providerModelId && normalized.providerModelId.length > LIMITS.idChars) overCap++
          skipped++
          continue
        }
        offerings.push(o)
      }
      signal.throwIfAborted()
      if (items.length > 0 && offerings.length === 0) throw new Error(`all ${items.length} items failed validation`)
      const warnings = [
        truncated,
        overCap && `${overCap} items skipped: id longer than ${LIMITS.idChars} characters`,
        refused &&
          `${refused} prices out of range ignored (at most ${LIMITS.decimalSignificantDigits} significant digits, within 1e-${LIMITS.decimalFractionDigits} to 1e${LIMITS.decimalIntegerDigits})`,
        this.anomaly(p.id, offerings.length, force),
      ]
      const guard = this.priceSanity(p.id, offerings, force)
      warnings.push(guard)
      // validators cover the list only when it came in one request (a paged list's first page says nothing of the others)
      const validators = requests === 1 ? received : null
      return { provider: p.id, ok: true, offerings, skipped, durationMs: durationMs(), warning: warnings.filter(Boolean).join('; ') || null, guard, validators }
    } catch (err) {
      // upstream text is stored, logged and shown: scrubbed of every configured key (src/lib/scrub.ts)
      const message = scrubberFor(this.opts.providers)(timeout.aborted && !stop.aborted ? `timed out after ${p.timeoutMs} ms` : (err as Error).message)
      const upstream = err instanceof UpstreamError ? { status: err.status, retryAfter: err.retryAfter } : undefined
      return { provider: p.id, ok: false, error: message, durationMs: durationMs(), upstream }
    }
  }

  /**
   * The price-sanity guard: when more than PRICE_JUMP_FRACTION of the provider's priced live offerings
   * change their prompt or completion price by PRICE_JUMP_FACTOR or more (either way), the list is held
   * back like a collapsing one (old rows kept, the reason recorded) unless an admin forces it; then it is a
   * warning, and each change it makes carries it in the change feed.
   */
  private priceSanity(providerId: string, offerings: OfferingInput[], force: boolean): string | null {
    const before = this.opts.store.livePrices(providerId)
    if (before.size === 0) return null
    let jumps = 0
    for (const o of offerings) {
      const old = before.get(o.providerModelId)
      if (old && (jumped(old.prompt, o.pricing.prompt) || jumped(old.completion, o.pricing.completion))) jumps++
    }
    if (jumps <= before.size * PRICE_JUMP_FRACTION) return null
    const what = `${jumps} of ${before.size} priced offerings changed price by ${PRICE_JUMP_FACTOR}× or more (more than ${PRICE_JUMP_FRACTION * 100}%): a unit error is likely`
    if (force) return `forced past the price-sanity guard: ${what}`
    throw new Error(`${what}: kept the last good prices (POST /admin/refresh?provider=${providerId}&force=true accepts them)`)
  }

  /**
   * The anomaly guard: a list that falls to zero, or by more than maxDropFraction of the last good
   * one, is refused (the provider keeps its rows) unless an admin forces it; then it is a warning.
   */
  private anomaly(providerId: string, count: number, force: boolean): string | null {
    const had = this.opts.store.liveCount(providerId) // bootstrap rows are no list the provider gave
    const floor = had * (1 - this.opts.maxDropFraction)
    if (had === 0 || (count > 0 && count >= floor)) return null
    const what = count === 0 ? `returned no models (had ${had})` : `model count fell from ${had} to ${count}, more than ${Math.round(this.opts.maxDropFraction * 100)}%`
    if (force) return `forced past the anomaly guard: ${what}`
    throw new Error(`${what}: kept the last good list (POST /admin/refresh?provider=${providerId}&force=true accepts it)`)
  }
}

/** A price that moved by this factor or more, either way, counts as a jump (the 10⁶ per-token vs per-1M mixup is one). */
export const PRICE_JUMP_FACTOR = 100
/** More than this fraction of a provider's priced offerings jumping at once holds the list back. */
export const PRICE_JUMP_FRACTION = 0.05

function jumped(before: number | null, after: string | undefined): boolean {
  if (before === null || after === undefined) return false
  const next = Number(after)
  if (!Number.isFinite(next) || before <= 0 || next <= 0) return false // 0 ↔ priced is no unit error; a variable price is no number
  const ratio = next / before
  return ratio >= PRICE_JUMP_FACTOR || ratio <= 1 / PRICE_JUMP_FACTOR
}

/**
 * What a request's validators belong to: its URL and headers (hashed: the headers hold the key), the adapter
 * and modelcat's version (a new version may read the same list differently: it fetches it in full once).
 */
function requestKey(url: string, headers: Record<string, string>, adapter: string): string {
  return new Bun.CryptoHasher('sha256')
    .update(JSON.stringify([url, Object.entries(headers).sort(), adapter, pkg.version]))
    .digest('base64url')
    .slice(0, 22)
}

function result(provider: string, status: ProviderResultStatus, extra: Partial<ProviderResult> = {}): ProviderResult {
  return { provider, status, model_count: 0, skipped: 0, duration_ms: 0, error: null, warning: null, ...extra }
}
