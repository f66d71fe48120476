import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { CatalogStore } from '../catalog/store'
import type { RefreshReport } from '../domain/vocabulary'
import { BREAKER_STATES } from '../domain/vocabulary'
import type { AnswerCache } from '../serving/answer-cache'

/**
 * Prometheus metrics (prom-client), one registry per app. Refresh metrics come from refresh reports
 * (in-process or from the refresh thread); catalog and breaker gauges are read at scrape time.
 */
export function createMetrics(store: CatalogStore, opts: { enabledProviders?: readonly string[] } = {}) {
  // state a provider left from an earlier run, when the current config disables it, is no series
  const enabled = opts.enabledProviders ? new Set(opts.enabledProviders) : undefined
  const shown = (provider: string) => !enabled || enabled.has(provider)
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'modelcat_process_' })
  const m = {
    registry,
    httpDuration: new Histogram({
      name: 'modelcat_http_request_duration_seconds',
      help: 'HTTP request duration by route, method and status',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    notModified: new Counter({ name: 'modelcat_http_not_modified_total', help: '304 answers to If-None-Match', registers: [registry] }),
    rateLimited: new Counter({ name: 'modelcat_http_rate_limited_total', help: 'Requests refused by the per-IP rate limit', registers: [registry] }),
    refreshDuration: new Histogram({
      name: 'modelcat_refresh_duration_seconds',
      help: 'Provider list fetch duration by provider and outcome',
      labelNames: ['provider', 'outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    refreshes: new Counter({
      name: 'modelcat_refresh_total',
      help: 'Provider refreshes by outcome (ok, failed, skipped_breaker, needs_key, disabled)',
      labelNames: ['provider', 'outcome'],
      registers: [registry],
    }),
    skippedByBreaker: new Counter({
      name: 'modelcat_refresh_skipped_by_breaker_total',
      help: 'Fetches not made because the provider breaker was open',
      labelNames: ['provider'],
      registers: [registry],
    }),
    clusterSnapshotRejected: new Counter({
      name: 'modelcat_cluster_snapshot_rejected_total',
      help: 'Shared snapshots from Redis refused (sha256, too_large, decompressed_too_large, signature, gzip, json, schema, version, apply)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    refresherFailed: new Gauge({ name: 'modelcat_refresher_failed', help: '1 when the refresh thread died (nothing is refreshed; /ready answers 503)', registers: [registry] }),
    breakerTransitions: new Counter({ name: 'modelcat_breaker_transitions_total', help: 'Circuit-breaker state transitions', labelNames: ['provider', 'from', 'to'], registers: [registry] }),
  }
  new Gauge({
    name: 'modelcat_models',
    help: 'Offerings in the catalog per provider',
    labelNames: ['provider'],
    registers: [registry],
    collect() {
      this.reset()
      for (const [id, s] of store.providerStates()) if (shown(id)) this.set({ provider: id }, s.modelCount)
    },
  })
  new Gauge({
    name: 'modelcat_conflicts',
    help: 'Offerings where a reference catalog disagrees with the provider (price by more than 1 %, context length), per provider',
    labelNames: ['provider'],
    registers: [registry],
    collect() {
      this.reset()
      for (const [id, n] of store.conflictCounts()) this.set({ provider: id }, n)
    },
  })
  new Gauge({
    name: 'modelcat_catalog_version',
    help: 'The committed catalog version',
    registers: [registry],
    collect() {
      this.set(store.version)
    },
  })
  new Gauge({
    name: 'modelcat_catalog_age_seconds',
    help: 'Seconds since the current catalog version was committed',
    registers: [registry],
    collect() {
      this.set(store.updatedAt ? (Date.now() - store.updatedAt) / 1000 : 0)
    },
  })
  new Gauge({
    name: 'modelcat_breaker_state',
    help: 'Circuit-breaker state per provider (1 for the current state)',
    labelNames: ['provider', 'state'],
    registers: [registry],
    collect() {
      this.reset()
      for (const b of store.loadBreakers()) {
        if (!shown(b.provider)) continue
        for (const state of BREAKER_STATES) this.set({ provider: b.provider, state }, b.state === state ? 1 : 0)
      }
    },
  })
  /** Counters read from a source at scrape time (the answer cache counts in plain numbers: no prom-client call per request). */
  const counterOf = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset()
        this.inc(read())
      },
    })
  const answerBuild = new Histogram({
    name: 'modelcat_answer_build_seconds',
    help: 'Time to build an uncached answer on the HTTP thread (query, serialization, ETag)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  })
  return {
    ...m,
    answerBuild,
    /** The answer cache's hits, misses, evictions, refusals, streamed answers, bytes and entries, and each build's time. */
    watchAnswers(cache: AnswerCache) {
      cache.onBuild = (seconds) => answerBuild.observe(seconds)
      counterOf('modelcat_answer_cache_hits_total', 'Answers served from the answer cache (fast path included)', () => cache.stats.hits)
      counterOf('modelcat_answer_cache_misses_total', 'Answers built because they were not cached', () => cache.stats.misses)
      counterOf('modelcat_answer_cache_evictions_total', 'Built answers evicted to stay within the byte or entry bound', () => cache.stats.evictions)
      counterOf('modelcat_answer_builds_refused_total', 'Uncached answers refused with 503 because the build budget was spent', () => cache.stats.refused)
      counterOf('modelcat_answers_streamed_total', 'Answers too large to hold, sent as they were made (paced by the build budget)', () => cache.stats.streamed)
      new Gauge({
        name: 'modelcat_answer_cache_bytes',
        help: 'Bytes held by the answer cache: built (bounded, LRU) and pinned (the hot views adopted from the refresh thread)',
        labelNames: ['kind'],
        registers: [registry],
        collect() {
          const s = cache.snapshot()
          this.set({ kind: 'built' }, s.bytes)
          this.set({ kind: 'pinned' }, s.pinnedBytes)
        },
      })
      new Gauge({
        name: 'modelcat_answer_cache_entries',
        help: 'Answers held by the answer cache',
        registers: [registry],
        collect() {
          this.set(cache.snapshot().entries)
        },
      })
    },
    /** Counts one refresh report: per-provider outcomes and durations, breaker transitions. */
    observeReport(report: RefreshReport) {
      for (const r of report.results) {
        m.refreshes.inc({ provider: r.provider, outcome: r.status })
        if (r.status === 'ok' || r.status === 'failed') m.refreshDuration.observe({ provider: r.provider, outcome: r.status }, r.duration_ms / 1000)
        if (r.status === 'skipped_breaker') m.skippedByBreaker.inc({ provider: r.provider })
      }
      for (const t of report.breaker_transitions ?? []) m.breakerTransitions.inc({ provider: t.provider, from: t.from, to: t.to })
    },
  }
}
export type Metrics = ReturnType<typeof createMetrics>
