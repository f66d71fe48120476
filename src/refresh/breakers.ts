/**
 * Circuit breakers for upstream providers, one per provider (see ARCHITECTURE.md, "Breakers").
 *
 * A refresh calls each provider once per interval, far too rarely for rate-over-window breakers, so
 * this is Envoy outlier style: N consecutive failures open the breaker for an exponentially growing,
 * jittered time; after it, the next scheduled refresh is the single half-open probe. Two special cases:
 * 401/403 means a bad key, which retrying every interval will not fix (→ `misconfigured`, retried after
 * a long fixed time or a manual reset); 429 with Retry-After means the upstream told us when to come back.
 *
 * Plain and synchronous, with an injected clock and random source and no timers: time only moves when a
 * method is called, so "open → half_open" happens (and is reported) at the first call that sees it.
 */
import { scrub } from '../lib/scrub'

import { DEFAULTS } from '../config'
import { BREAKER_STATES, type BreakerSnapshot, type BreakerState } from '../domain/vocabulary'

export type { BreakerSnapshot, BreakerState } from '../domain/vocabulary'

export interface BreakerFailure {
  /** HTTP status of the upstream answer, when there was one (UpstreamError.status). */
  status?: number
  /** The Retry-After header of a 429: delay in seconds or an HTTP date. */
  retryAfter?: string | null
  error: string
}

export type BreakerDecision = { allowed: true } | { allowed: false; reason: string; retryAt: number }

export type TransitionListener = (provider: string, from: BreakerState, to: BreakerState) => void

export interface BreakerOptions {
  /** Consecutive failures that open a closed breaker. */
  failureThreshold: number
  /** First open time; doubles with each consecutive opening. */
  baseMs: number
  /** Longest open time, jitter and Retry-After included. */
  maxMs: number
  /** ±fraction applied to each open time, so that breakers opened together do not retry together. */
  jitter: number
  /** How long a 401/403 keeps the provider out before one retry. */
  misconfiguredRetryMs: number
}

export const BREAKER_DEFAULTS: Readonly<BreakerOptions> = Object.freeze({ ...DEFAULTS.breakers })

export interface BreakerRegistryOptions extends Partial<BreakerOptions> {
  /** Clock in ms (default Date.now). */
  now?: () => number
  /** Uniform in [0, 1] (default Math.random). */
  random?: () => number
}

type Breaker = BreakerSnapshot & { probing: boolean }

const STATES: readonly BreakerState[] = BREAKER_STATES

export class BreakerRegistry {
  readonly options: Readonly<BreakerOptions>
  readonly #now: () => number
  readonly #random: () => number
  readonly #breakers = new Map<string, Breaker>()
  readonly #listeners = new Set<TransitionListener>()

  constructor(opts: BreakerRegistryOptions = {}) {
    const { now, random, ...rest } = opts
    const o = { ...BREAKER_DEFAULTS, ...rest }
    if (!(o.failureThreshold >= 1 && o.baseMs > 0 && o.maxMs >= o.baseMs && o.jitter >= 0 && o.jitter < 1 && o.misconfiguredRetryMs > 0)) {
      throw new Error(`invalid breaker options: ${JSON.stringify(o)}`)
    }
    this.options = Object.freeze(o)
    this.#now = now ?? Date.now
    this.#random = random ?? Math.random
  }

  /** Whether to call the provider now. In half_open it says yes once: that call is the probe. */
  allow(provider: string): BreakerDecision {
    const b = this.#breaker(provider)
    const now = this.#now()
    switch (b.state) {
      case 'closed':
        return { allowed: true }
      case 'half_open':
        if (b.probing) return { allowed: false, reason: 'half-open: a probe is already in flight', retryAt: now }
        b.probing = true
        return { allowed: true }
      case 'open':
        return { allowed: false, reason: `circuit open after ${b.consecutiveFailures} consecutive failure(s): ${b.lastError}`, retryAt: b.retryAt! }
      case 'misconfigured':
        return { allowed: false, reason: `misconfigured (credentials refused, not retried until retryAt or a reset): ${b.lastError}`, retryAt: b.retryAt! }
    }
  }

  /** A successful call: closes the breaker and forgets the backoff. */
  success(provider: string) {
    const b = this.#breaker(provider)
    Object.assign(b, { consecutiveFailures: 0, opens: 0, openedAt: null, retryAt: null, probing: false, lastSuccessAt: this.#now() })
    this.#move(b, 'closed')
  }

  /** A failed call. 401/403 → misconfigured; 429 with Retry-After → open for that long; else counted. */
  failure(provider: string, f: BreakerFailure) {
    const b = this.#breaker(provider)
    const now = this.#now()
    const wasProbe = b.state === 'half_open'
    Object.assign(b, { consecutiveFailures: b.consecutiveFailures + 1, lastError: scrub(f.error), lastFailureAt: now, probing: false })
    const retryAfter = f.status === 429 ? retryAfterMs(f.retryAfter, now) : null
    if (f.status === 401 || f.status === 403) {
      Object.assign(b, { openedAt: now, retryAt: now + this.options.misconfiguredRetryMs })
      this.#move(b, 'misconfigured')
    } else if (retryAfter !== null) {
      Object.assign(b, { opens: b.opens + 1, openedAt: now, retryAt: now + Math.min(retryAfter, this.options.maxMs) })
      this.#move(b, 'open')
    } else if (wasProbe || (b.state === 'closed' && b.consecutiveFailures >= this.options.failureThreshold)) {
      b.opens += 1
      Object.assign(b, { openedAt: now, retryAt: now + this.backoffMs(b.opens) })
      this.#move(b, 'open')
    }
    // already open or misconfigured (a call that bypassed allow()): recorded, the retry time is kept
  }

  /** Open time for the n-th consecutive opening: base × 2^(n−1), capped, ±jitter, never above max. */
  backoffMs(opens: number): number {
    const { baseMs, maxMs, jitter } = this.options
    const capped = Math.min(baseMs * 2 ** Math.max(0, opens - 1), maxMs)
    return Math.round(Math.min(capped * (1 + jitter * (2 * this.#random() - 1)), maxMs))
  }

  /** Manual reset (e.g. after fixing a key): closed, counters cleared; the last error stays as history. */
  reset(provider: string) {
    const b = this.#breakers.get(provider)
    if (!b) return
    Object.assign(b, { consecutiveFailures: 0, opens: 0, openedAt: null, retryAt: null, probing: false })
    this.#move(b, 'closed')
  }

  resetAll() {
    for (const provider of this.#breakers.keys()) this.reset(provider)
  }

  /** Snapshot of one breaker; an unknown provider reads as a fresh closed one (not registered). */
  get(provider: string): BreakerSnapshot {
    const b = this.#breakers.get(provider)
    return b ? snapshot(this.#advance(b)) : snapshot(fresh(provider))
  }

  all(): BreakerSnapshot[] {
    return [...this.#breakers.values()].map((b) => snapshot(this.#advance(b)))
  }

  /** What to persist; `load()` restores it after a restart. */
  snapshots(): BreakerSnapshot[] {
    return this.all()
  }

  /**
   * Restores persisted breakers (replacing those of the same provider) without reporting transitions.
   * Open breakers stay open until their retryAt (a missing one: half-open now); a retryAt further away than configuration allows
   * (clock change, smaller max) is pulled in; a probe that was in flight is forgotten. Malformed rows are skipped.
   */
  load(rows: readonly BreakerSnapshot[]) {
    const now = this.#now()
    for (const r of rows) {
      if (!r || typeof r.provider !== 'string' || !STATES.includes(r.state)) continue
      const b: Breaker = {
        ...fresh(r.provider),
        state: r.state,
        consecutiveFailures: count(r.consecutiveFailures) ?? 0,
        opens: count(r.opens) ?? 0,
        openedAt: time(r.openedAt),
        retryAt: time(r.retryAt),
        lastError: typeof r.lastError === 'string' ? scrub(r.lastError) : null, // rows saved before scrubbing existed
        lastFailureAt: time(r.lastFailureAt),
        lastSuccessAt: time(r.lastSuccessAt),
      }
      if (b.state === 'open' || b.state === 'misconfigured') {
        const limit = now + (b.state === 'open' ? this.options.maxMs : this.options.misconfiguredRetryMs)
        b.retryAt = Math.min(b.retryAt ?? now, limit)
      }
      this.#breakers.set(b.provider, b)
    }
  }

  /** Called once per state change, after it. Returns an unsubscribe function. */
  onTransition(listener: TransitionListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  #breaker(provider: string): Breaker {
    let b = this.#breakers.get(provider)
    if (!b) this.#breakers.set(provider, (b = fresh(provider)))
    return this.#advance(b)
  }

  /** The only place time acts: an open or misconfigured breaker whose retryAt has passed becomes half_open. */
  #advance(b: Breaker): Breaker {
    if ((b.state === 'open' || b.state === 'misconfigured') && b.retryAt !== null && this.#now() >= b.retryAt) {
      this.#move(b, 'half_open')
    }
    return b
  }

  #move(b: Breaker, to: BreakerState) {
    const from = b.state
    if (from === to) return
    b.state = to
    for (const listener of this.#listeners) {
      try {
        listener(b.provider, from, to)
      } catch {
        // metrics and logs must never break a refresh
      }
    }
  }
}

/**
 * Retry-After as a delay from `now` in ms: delta-seconds or an HTTP date (a past date is 0).
 * null when absent or unreadable, so that the 429 counts as an ordinary failure.
 */
export function retryAfterMs(value: string | null | undefined, now: number): number | null {
  const v = value?.trim()
  if (!v) return null
  if (/^\d+$/.test(v)) return Number(v) * 1000
  if (!/[a-z]/i.test(v)) return null // "-5", "1.5": neither form
  const at = Date.parse(v)
  return Number.isFinite(at) ? Math.max(0, at - now) : null
}

function fresh(provider: string): Breaker {
  return { provider, state: 'closed', consecutiveFailures: 0, opens: 0, openedAt: null, retryAt: null, lastError: null, lastFailureAt: null, lastSuccessAt: null, probing: false }
}

function snapshot(b: Breaker): BreakerSnapshot {
  const { provider, state, consecutiveFailures, opens, openedAt, retryAt, lastError, lastFailureAt, lastSuccessAt } = b
  return { provider, state, consecutiveFailures, opens, openedAt, retryAt, lastError, lastFailureAt, lastSuccessAt }
}

const time = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null)
const count = (x: unknown): number | null => (Number.isSafeInteger(x) && (x as number) >= 0 ? (x as number) : null)
