import type { Logger } from 'pino'
import type { CatalogStore } from '../catalog/store'
import type { ReferenceSource } from '../reference/types'
import { scrub } from '../lib/scrub'
import { UpstreamError } from '../upstream/adapter'
import { BreakerRegistry } from './breakers'
import { getJson } from '../upstream/fetch'
import type { Config } from '../config'
import { REFERENCES } from '../reference'
import { diffReferenceProviders, embeddedReferenceProviders, type ReferenceProvider } from '../reference/providers'

export interface ResolvedReference {
  source: ReferenceSource
  url: string
  enabled: boolean
  timeoutMs: number
  /** This catalog's own schedule. */
  intervalSeconds?: number
  /** The embedded snapshot's bytes (gzip JSON), used while the source has never been fetched. */
  snapshot?: () => Promise<Uint8Array<ArrayBuffer>>
  snapshotLabel?: string
  /** What the body says of the providers themselves (models.dev: base URL, key variables). */
  providers?: (body: unknown) => ReferenceProvider[]
}

/** The reference catalogs as `config` sets them up (URL, enabled, timeout, schedule), with their embedded snapshots. */
export function resolveReferences(config: Config): ResolvedReference[] {
  return REFERENCES.map((r) => {
    const c = config.references[r.source.id]
    return { ...r, url: c?.url ?? r.source.url, enabled: c?.enabled ?? true, timeoutMs: c?.timeoutMs ?? 30_000, intervalSeconds: c?.intervalSeconds }
  })
}

export interface ReferenceResult {
  source: string
  status: 'ok' | 'failed' | 'snapshot' | 'skipped_breaker'
  entries: number
  changed: number
  duration_ms: number
  error: string | null
}

/**
 * Keeps the reference catalogs (models.dev, LiteLLM) current: on its own schedule, each fetched under a
 * timeout and byte cap like a provider; a failure keeps the last entries. Until a source has ever been
 * fetched, its embedded snapshot stands in. Never on the request path.
 */
export class ReferenceRefresher {
  #timer: ReturnType<typeof setTimeout> | null = null
  #stop = new AbortController()
  #inFlight: Promise<ReferenceResult[]> | null = null

  constructor(
    private readonly opts: {
      store: CatalogStore
      references: ResolvedReference[]
      intervalSeconds: number
      maxResponseBytes: number
      log: Logger
      fetch?: typeof fetch
      /** A breaker per reference catalog, like a provider's (its own registry: reference ids are no providers). */
      breakers?: BreakerRegistry
    },
  ) {
    this.breakers = opts.breakers ?? new BreakerRegistry()
  }

  readonly breakers: BreakerRegistry

  get enabled() {
    return this.opts.references.filter((r) => r.enabled)
  }

  /** Loads the embedded snapshot of every enabled source that has no entries yet. */
  async loadSnapshots(): Promise<ReferenceResult[]> {
    const out: ReferenceResult[] = []
    for (const r of this.enabled) {
      if (!r.snapshot || this.opts.store.referenceCount(r.source.id) > 0) continue
      const started = performance.now()
      const body = JSON.parse(new TextDecoder().decode(Bun.gunzipSync(await r.snapshot())))
      const { entries } = r.source.parse(body)
      const durationMs = Math.round(performance.now() - started)
      const { changed } = this.opts.store.replaceReference(r.source.id, entries, { durationMs, warning: `embedded snapshot ${r.snapshotLabel ?? ''}`.trim(), snapshot: true })
      this.opts.log.info({ reference: r.source.id, entries: entries.length, changed, duration_ms: durationMs }, 'reference snapshot loaded')
      out.push({ source: r.source.id, status: 'snapshot', entries: entries.length, changed, duration_ms: durationMs, error: null })
    }
    return out
  }

  /**
   * Whether a source's own interval has passed since its last attempt. The attempt time is kept in the
   * catalog (and travels with a cluster snapshot), so a new cluster leader does not fetch again at once.
   */
  #due(r: ResolvedReference): boolean {
    const last = this.opts.store.providerStates().get(r.source.id)?.lastAttemptAt ?? 0
    return Date.now() - last >= (r.intervalSeconds ?? this.opts.intervalSeconds) * 1000
  }

  /** For a cluster leader (which refreshes references for every replica): snapshots when empty, then the due fetches. */
  async refreshIfDue(): Promise<void> {
    await this.loadSnapshots()
    await this.refresh({ onlyDue: true })
  }

  /** Fetches every enabled source, or only those whose own interval has passed (joining a run in flight). */
  refresh(opts: { onlyDue?: boolean } = {}): Promise<ReferenceResult[]> {
    this.#inFlight ??= Promise.all(this.enabled.filter((r) => !opts.onlyDue || this.#due(r)).map((r) => this.fetchOne(r))).finally(() => {
      this.#inFlight = null
    })
    return this.#inFlight
  }

  start() {
    const tick = async () => {
      this.#timer = null
      try {
        await this.loadSnapshots()
        if (!this.#stop.signal.aborted) await this.refresh({ onlyDue: true })
      } catch (err) {
        this.opts.log.error({ err }, 'reference refresh failed')
      }
      if (!this.#stop.signal.aborted) this.#timer = setTimeout(tick, this.opts.intervalSeconds * 1000)
    }
    this.#timer = setTimeout(tick, 0)
  }

  async stop() {
    this.#stop.abort(new Error('shutting down'))
    if (this.#timer) clearTimeout(this.#timer)
    await this.#inFlight?.catch(() => undefined)
  }

  /**
   * Stores what a live body says of the providers (used from the next start: src/runtime openCatalog). A
   * changed base URL would receive the user's key: each is logged (warn) and shown in /v1/providers.
   */
  #recordProviders(source: string, next: ReferenceProvider[]) {
    if (next.length === 0) return
    const previous = this.opts.store.referenceProviders(source) ?? embeddedReferenceProviders()
    const { providers, changed } = diffReferenceProviders(previous, next, Date.now())
    this.opts.store.recordReferenceProviders(source, providers)
    for (const c of changed)
      this.opts.log.warn({ reference: source, provider: c.id, from: c.from, to: c.to }, 'reference changed a provider base URL (applies at the next start unless the config pins base_url)')
  }

  private async fetchOne(r: ResolvedReference): Promise<ReferenceResult> {
    const decision = this.breakers.allow(r.source.id)
    if (!decision.allowed) {
      const error = `${decision.reason} (next try ${new Date(decision.retryAt).toISOString()})`
      return { source: r.source.id, status: 'skipped_breaker', entries: this.opts.store.referenceCount(r.source.id), changed: 0, duration_ms: 0, error }
    }
    const started = performance.now()
    const timeout = AbortSignal.timeout(r.timeoutMs)
    const signal = AbortSignal.any([this.#stop.signal, timeout])
    const durationMs = () => Math.round(performance.now() - started)
    try {
      const body = await getJson(r.url, {}, { signal, maxBytes: this.opts.maxResponseBytes, fetch: this.opts.fetch })
      const { entries, skipped } = r.source.parse(body)
      if (entries.length === 0) throw new Error('no usable entries')
      if (signal.aborted) throw new Error('aborted: shutting down')
      const { changed } = this.opts.store.replaceReference(r.source.id, entries, { durationMs: durationMs(), warning: skipped ? `${skipped} entries skipped` : null })
      this.opts.log.info({ reference: r.source.id, entries: entries.length, skipped, changed, duration_ms: durationMs() }, 'reference refreshed')
      if (r.providers) this.#recordProviders(r.source.id, r.providers(body))
      this.breakers.success(r.source.id)
      return { source: r.source.id, status: 'ok', entries: entries.length, changed, duration_ms: durationMs(), error: null }
    } catch (err) {
      const error = scrub(timeout.aborted && !this.#stop.signal.aborted ? `timed out after ${r.timeoutMs} ms` : (err as Error).message)
      if (!this.#stop.signal.aborted) {
        this.opts.store.recordReferenceFailure(r.source.id, error, durationMs())
        this.breakers.failure(r.source.id, { status: err instanceof UpstreamError ? err.status : undefined, retryAfter: err instanceof UpstreamError ? err.retryAfter : undefined, error })
      }
      this.opts.log.warn({ reference: r.source.id, error }, 'reference refresh failed: keeping the last entries')
      return { source: r.source.id, status: 'failed', entries: this.opts.store.referenceCount(r.source.id), changed: 0, duration_ms: durationMs(), error }
    }
  }
}
