import type { Logger } from 'pino'
import pino from 'pino'
import { createApp } from '../app'
import { bootstrapCatalog } from '../catalog/bootstrap'
import { createCanonicalizer } from '../catalog/canonical'
import { CatalogStore } from '../catalog/store'
import { type Config, environment } from '../config'
import { openDb } from '../db/client'
import { createHandler } from '../http/handler'
import { createMetrics, type Metrics } from '../http/metrics'
import { ModelsService } from '../modules/models/service'
import { toModel } from '../modules/models/serialize'
import { CatalogIndex, type IndexData } from '../catalog/engine'
import type { OfferingRow } from '../catalog/rows'
import { ExportsService } from '../modules/exports/service'
import { OpenRouterService } from '../modules/openrouter/service'
import { QuoteService } from '../modules/quote/service'
import { REFERENCES } from '../reference'
import { ClusterCoordinator } from '../cluster/coordinator'
import { ClusterReplica } from '../cluster/replica'
import type { BreakerRegistryOptions } from '../refresh/breakers'
import { ReferenceRefresher, resolveReferences } from '../refresh/reference-refresher'
import { type Refresher, ProviderRefresher, type ProviderRefresherOptions } from '../refresh/refresher'
import { AnswerCache, type PrebuiltBody } from '../serving/answer-cache'
import { CachedBody } from '../serving/cached-body'
import { scrubberFor } from '../lib/scrub'
import type { SnapshotRejectReason } from '../catalog/snapshot'
import { WebhookDispatcher } from '../webhooks/dispatcher'
import { RefreshThread } from './refresh-thread'

/**
 * The composition root: the one place that builds the parts and says what runs where.
 *
 * | role                | thread         | parts                                                                                   |
 * |---------------------|----------------|-----------------------------------------------------------------------------------------|
 * | `openServer`        | HTTP (main)    | catalog (reader), bootstrap, answer cache, models service, metrics, app, front door,    |
 * |                     |                | and a RefreshThread: the handle on…                                                     |
 * | `openRefreshThread` | refresh thread | catalog (writer, startup maintenance), refresher (or cluster replica), reference        |
 * |                     |                | refresher, webhooks, and the builder of each new version's hot bodies                   |
 * | `openInProcess`     | one thread     | all of it on one thread with an in-process refresher: the tests, the CLI, the benches  |
 *
 * Shutdown order (each role's `stop`): stop accepting and abort the refresh together, then close the DB.
 */

/**
 * The known providers with the newest reference data the catalog holds: a live models.dev fetch (stored by
 * the reference refresher) laid over the embedded snapshot's. Applied once, when the catalog opens, before
 * any part reads `config.providers`: a provider a live refresh adds, or a base URL it moves, takes effect
 * at the next start (the change is logged and shown in /v1/providers when it is fetched).
 */
function applyReferenceProviders(config: Config, store: CatalogStore) {
  const live = config.withReferenceProviders ? store.referenceProviders(REFERENCES[0]!.source.id) : null
  if (live && config.withReferenceProviders) config.providers = config.withReferenceProviders(live)
}

/** A full garbage collection now, timed: the debug log says what it cost (where memory is freed on purpose). */
function fullCollection(log: Logger, where: string) {
  const started = performance.now()
  Bun.gc(true)
  log.debug({ where, duration_ms: Math.round(performance.now() - started), rss_mb: Math.round(process.memoryUsage.rss() / 1048576) }, 'full garbage collection')
}

/** The catalog DB of a config (created, migrated and checked when opened) and its store. */
export function openCatalog(config: Config, opts: { log?: Logger; maintain?: boolean; now?: () => number } = {}) {
  const { log } = opts
  const db = openDb(config.dbPath, { log: (message, fields) => (log ? log.warn(fields ?? {}, message) : process.stderr.write(`modelcat: ${message}\n`)) })
  const store = new CatalogStore(db, {
    canonicalId: createCanonicalizer(config.canonical),
    overrides: config.overrides,
    changeRetentionDays: config.changeRetentionDays,
    maintain: opts.maintain,
    now: opts.now,
  })
  applyReferenceProviders(config, store)
  return { db, store, close: () => db.$client.close() }
}
export type Catalog = ReturnType<typeof openCatalog>

/** The answer cache and models service of one thread (the front door's fast path and the hot views). */
export function openModels(
  config: Config,
  store: CatalogStore,
  opts: {
    warm?: boolean
    admission?: boolean
    clock?: () => number
    buildIndex?: boolean
    /** A young-generation collection every 4,096 rows indexed (the refresh thread: a row's objects and JSON are garbage at once). */
    collectWhileIndexing?: boolean
  } = {},
) {
  const answers = new AnswerCache(store, {
    fastPath: '/v1/models',
    maxBytes: config.answers.maxBytes,
    maxEntries: config.answers.maxEntries,
    // the budget guards the HTTP thread; the refresh thread builds the hot views whatever they cost
    buildMsPerSecond: (opts.admission ?? true) ? config.answers.buildMsPerSecond : 0,
    now: opts.clock,
  })
  // the query engine: built here on first use of each version, or (buildIndex false) adopted from the refresh thread
  let rows = 0
  const serialize = (row: OfferingRow) => {
    if (opts.collectWhileIndexing && ++rows % 4096 === 0) Bun.gc(false)
    return JSON.stringify(toModel(row))
  }
  const index = new CatalogIndex(store, { build: opts.buildIndex ?? true, serialize })
  return new ModelsService(store, config.providers, answers, { warm: opts.warm, index })
}

/**
 * The consumer answers of one thread: quotes (uncached: they depend on the body), the exports and the
 * OpenRouter-compatible list (cached per version in `answers`, the models service's cache: one budget).
 */
export function openConsumers(config: Config, store: CatalogStore, answers: AnswerCache = openModels(config, store, { warm: false }).answers) {
  return {
    quote: new QuoteService(store, config.providers),
    exports: new ExportsService(store, config.providers, answers),
    openrouter: new OpenRouterService(store, config.providers, answers, config.publicUrl),
  }
}

/** The HTTP side around a refresher: app and front door (the hot path before routing), metrics. */
function openHttp(config: Config, store: CatalogStore, refresher: Refresher, log: Logger, opts: { metrics?: Metrics; models?: ModelsService; adminCooldownMs?: number; clock?: () => number } = {}) {
  const metrics = opts.metrics ?? createMetrics(store, { enabledProviders: refresher.enabledProviders.map((p) => p.id) })
  const models = opts.models ?? openModels(config, store, { clock: opts.clock })
  metrics.watchAnswers(models.answers)
  const consumers = openConsumers(config, store, models.answers)
  const app = createApp({ config, store, refresher, log, models, consumers, metrics, adminCooldownMs: opts.adminCooldownMs })
  const handler = createHandler({ app, answers: models.answers, metrics, log, rateLimitPerMinute: config.rateLimitPerMinute })
  return { metrics, models, app, handler }
}

/** Each commit's changes to the configured webhooks; deliveries wait in the DB's outbox, and what a shutdown left pending is sent now. */
function openWebhooks(config: Config, store: CatalogStore, log: Logger, retryDelaysMs?: number[]) {
  const webhooks = new WebhookDispatcher(config.webhooks, log, { outbox: store.outbox, ...(retryDelaysMs ? { retryDelaysMs } : {}) })
  if (config.webhooks.length) store.onChanges((rows) => webhooks.dispatch(rows))
  webhooks.resume()
  return webhooks
}

/** The reference catalogs' refresher: it wakes at the shortest enabled interval; each catalog is fetched on its own schedule. */
function openReferences(config: Config, store: CatalogStore, log: Logger, intervalSeconds?: number) {
  return new ReferenceRefresher({
    store,
    references: resolveReferences(config),
    intervalSeconds:
      intervalSeconds ??
      Math.min(
        ...Object.values(config.references)
          .filter((r) => r.enabled)
          .map((r) => r.intervalSeconds),
        86_400,
      ),
    maxResponseBytes: config.refresh.maxResponseBytes,
    log,
  })
}

/** `modelcat serve`, the HTTP thread: serves the catalog; fetching and writing run on the refresh thread. */
export async function openServer(config: Config, log: Logger) {
  // the refresh thread's connection brings stored rows in line with rules and overrides; not this one too
  const catalog = openCatalog(config, { log, maintain: false })
  const { store } = catalog
  // first start: the embedded snapshot until the providers answer (never when a catalog exists)
  const bootstrapped = bootstrapCatalog(store, config.providers, await REFERENCES[0]!.snapshot())
  if (bootstrapped) log.info({ offerings: bootstrapped, source: REFERENCES[0]!.snapshotLabel }, 'bootstrap catalog served until the first refreshes land')
  // the query index of each version is built on the refresh thread and handed over; until then SQLite answers
  const models = openModels(config, store, { buildIndex: false })
  const metrics = createMetrics(store, { enabledProviders: config.providers.filter((p) => p.enabled).map((p) => p.id) })
  const refresher = new RefreshThread({
    env: environment(),
    store,
    providers: config.providers,
    log,
    onBodies: (version, bodies) => models.answers.adopt(version, bodies),
    onIndex: (index) => {
      models.index?.adopt(index)
      // the previous version's index and views (~100 MB of buffers at 50k offerings) are freed now, not whenever
      // this thread's small heap next fills (the debug log says what the collection cost)
      setTimeout(() => fullCollection(log, 'HTTP thread, after a new index'), 0)
    },
    onReport: (report) => metrics.observeReport(report),
    onSnapshotRejected: (reason) => metrics.clusterSnapshotRejected.inc({ reason }),
    onFailure: () => metrics.refresherFailed.set(1),
  })
  const http = openHttp(config, store, refresher, log, { metrics, models })
  return {
    ...http,
    store,
    refresher,
    /** Stops accepting (the caller's server) and aborts the refresh together, then closes the DB. */
    async stop(server?: { stop(): Promise<void> | void }) {
      await Promise.all([server?.stop(), refresher.stop()])
      catalog.close()
    },
  }
}

/** The refresh thread: its own connection (the writer), the refresher, references, webhooks, hot bodies. */
export function openRefreshThread(
  config: Config,
  log: Logger,
  on: { onVersion: (version: number, bodies: PrebuiltBody[], index: IndexData) => void; onSnapshotRejected?: (reason: SnapshotRejectReason) => void },
) {
  const catalog = openCatalog(config, { log })
  const { store } = catalog
  const rescrubbed = store.rescrub(scrubberFor(config)) // stored errors from before scrubbing existed (they travel in cluster snapshots)
  if (rescrubbed) log.info({ rows: rescrubbed }, 'scrubbed stored upstream errors of secrets')
  const webhooks = openWebhooks(config, store, log)
  // the query index and the hot views of each new version are built (and compressed) here, off the HTTP
  // thread, and handed over; the full list's body is the index's own buffer
  const models = openModels(config, store, { warm: false, admission: false, collectWhileIndexing: true })
  const index = models.index!
  // Built once the commit's own work is done (a timer after it): the refresh's parsed lists are garbage by
  // then and a full collection frees them first, so a catalog's lists and its index never share the heap.
  // Commits in a row (provider refresh, references) hand over once, the newest version.
  let handover: Promise<void> | undefined
  let closed = false
  const handedOver = async () => {
    while (handover) await handover
  }
  const collect = (phase: string) => fullCollection(log, `refresh thread, ${phase}`)
  const handOver = () => {
    handover = undefined
    if (closed) return // shutting down: the DB is closing, the HTTP thread is going too
    collect('before the index')
    const version = store.version
    index.current()
    collect('after the index') // the build's garbage, before the views add theirs
    const bodies = ModelsService.HOT.map((q) => {
      const bytes = models.hotBytes(q)
      collect('after a view') // each view's garbage (the unique view's group objects) before the next
      const { etag } = new CachedBody(bytes, version, new Date(0))
      return { key: models.keyOf(q), etag, bytes, ...CachedBody.compressSync(bytes) }
    })
    const data = index.current()!.data
    index.release() // its buffers leave with the message
    on.onVersion(version, bodies, data)
    collect('after the handover') // what is left of the build goes now, not at the next refresh
  }
  store.onNewVersion(() => {
    handover ??= new Promise((resolve) =>
      setTimeout(() => {
        try {
          handOver()
        } catch (err) {
          // this version is not handed over (the HTTP thread keeps serving the last one); the next commit tries again
          index.release()
          log.error({ err }, 'refresh thread: building the index and hot views of a new version failed')
        } finally {
          resolve()
        }
      }, 0),
    )
  })
  const worker = ProviderRefresher.fromConfig(config, store, log)
  // a refresh that committed nothing new leaves its parsed lists too: a full collection after it (a commit's
  // handover, already scheduled when the report comes, collects by itself), so the thread's heap holds one
  // catalog's worth at most between refreshes
  worker.onReport(() => {
    if (!handover) setTimeout(() => collect('after a refresh'), 0)
  })
  const references = openReferences(config, store, log)
  // With REDIS_URL the replicas share one refresher and one catalog (src/cluster)
  const refresher: Refresher = config.redisUrl
    ? new ClusterReplica({
        coordinator: new ClusterCoordinator({ url: config.redisUrl, namespace: config.cluster.namespace, log }),
        store,
        worker,
        log,
        intervalMs: config.refresh.intervalSeconds * 1000,
        pollMs: config.cluster.pollMs,
        graceMs: config.cluster.graceMs,
        references,
        secret: config.cluster.secret,
        // derived: a stored snapshot may be as large as one upstream answer may be, and inflate 8×
        limits: { maxCompressedBytes: config.refresh.maxResponseBytes, maxDecompressedBytes: 8 * config.refresh.maxResponseBytes },
        onRejected: on.onSnapshotRejected,
      })
    : worker
  const clustered = Boolean(config.redisUrl)
  return {
    store,
    refresher,
    references,
    /** Resolves once the newest commit's index and hot views went to the HTTP thread (a refresh's result waits for it). */
    handedOver,
    /** The version at start: its index and hot views built and handed to the HTTP thread now (as after a commit). */
    handOverNow: handOver,
    /** Reports of the in-process refresher (the thread forwards them to the HTTP thread's metrics). */
    onReport: (listener: (report: Parameters<NonNullable<ProviderRefresherOptions['onReport']>>[0]) => void) => worker.onReport(listener),
    start() {
      refresher.start()
      if (!clustered) references.start() // in a cluster the leader refreshes them
    },
    async stop() {
      closed = true // a handover still waiting for its timer does nothing now
      await Promise.all([refresher.stop(), references.stop()])
      await handedOver()
      webhooks.stop()
      catalog.close()
    },
  }
}

/**
 * Everything on one thread with an in-process refresher: the tests (driven port-less through `handler`),
 * the CLI and the benches. Nothing starts by itself: call `refresher.refresh()` / `references.refresh()`.
 */
export function openInProcess(
  config: Config,
  opts: {
    log?: Logger
    breakers?: BreakerRegistryOptions
    webhookRetryDelaysMs?: number[]
    adminCooldownMs?: number
    referenceIntervalSeconds?: number
    /** Options of the provider refresher (e.g. the CLI's live progress). */
    refresherOptions?: Partial<ProviderRefresherOptions>
    /** false: commits send no webhooks (the CLI's one-off refresh). */
    webhooks?: boolean
    /** The build budget's clock (ms): tests drive admission control with it. */
    clock?: () => number
  } = {},
) {
  const log = opts.log ?? pino({ level: 'silent' })
  // without a logger, what the integrity check did goes to stderr
  const catalog = openCatalog(config, { log: opts.log })
  const { store } = catalog
  const webhooks = (opts.webhooks ?? true) ? openWebhooks(config, store, log, opts.webhookRetryDelaysMs) : undefined
  const metrics = createMetrics(store, { enabledProviders: config.providers.filter((p) => p.enabled).map((p) => p.id) })
  const refresher = ProviderRefresher.fromConfig(config, store, log, { breakerOptions: opts.breakers, ...opts.refresherOptions })
  refresher.onReport((r) => metrics.observeReport(r))
  const references = openReferences(config, store, log, opts.referenceIntervalSeconds ?? 86_400)
  let http: ReturnType<typeof openHttp> | undefined
  return {
    config,
    log,
    db: catalog.db,
    store,
    refresher,
    references,
    metrics,
    webhooks,
    /** The HTTP side, built on first use (the CLI's refresh needs none). */
    get http() {
      return (http ??= openHttp(config, store, refresher, log, { metrics, adminCooldownMs: opts.adminCooldownMs, clock: opts.clock }))
    },
    async stop() {
      await Promise.all([refresher.stop(), references.stop()])
      webhooks?.stop()
      catalog.close()
    },
  }
}
export type InProcess = ReturnType<typeof openInProcess>
