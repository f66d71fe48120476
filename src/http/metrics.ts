import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { CatalogStore } from '../catalog/store'
import type { RefreshReport } from '../domain/vocabulary'
import { BREAKER_STATES } from '../domain/vocabulary'

/**
 * Prometheus metrics (prom-client), one registry per app. Refresh metrics come from refresh reports
 * (in-process or from the refresh thread); catalog and breaker gauges are read at scrape time.
 */
export function createMetrics(store: CatalogStore) {
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
    breakerTransitions: new Counter({ name: 'modelcat_breaker_transitions_total', help: 'Circuit-breaker state transitions', labelNames: ['provider', 'from', 'to'], registers: [registry] }),
  }
  new Gauge({
    name: 'modelcat_models',
    help: 'Offerings in the catalog per provider',
    labelNames: ['provider'],
    registers: [registry],
    collect() {
      this.reset()
      for (const [id, s] of store.providerStates()) this.set({ provider: id }, s.modelCount)
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
        for (const state of BREAKER_STATES) this.set({ provider: b.provider, state }, b.state === state ? 1 : 0)
      }
    },
  })
  return {
    ...m,
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
