import type { Logger } from 'pino'
import { createCanonicalizer } from '../catalog/canonical'
import { CatalogStore } from '../catalog/store'
import type { Config } from '../config'
import { openDb } from '../db/client'
import { ModelsService } from '../modules/models/service'
import { toModel } from '../modules/models/serialize'
import { CatalogIndex, type IndexData } from '../catalog/engine'
import type { OfferingRow } from '../catalog/rows'
import { REFERENCES } from '../reference'
import { ClusterCoordinator } from '../cluster/coordinator'
import { ClusterReplica } from '../cluster/replica'
import { ReferenceRefresher, resolveReferences } from '../refresh/reference-refresher'
import { type Refresher, ProviderRefresher, type ProviderRefresherOptions } from '../refresh/refresher'
import { AnswerCache, type PrebuiltBody } from '../serving/answer-cache'
import { CachedBody } from '../serving/cached-body'
import { scrubberFor } from '../lib/scrub'
import type { SnapshotRejectReason } from '../catalog/snapshot'
import { WebhookDispatcher } from '../webhooks/dispatcher'

/**
 * The composition root's catalog side (index.ts is the rest): what both threads open — the catalog DB and its
 * store, the models service — and the refresh thread's parts. Nothing here imports the HTTP side (app, front
 * door, metrics), so the refresh thread, whose entry imports only this file, does not load it (~12 MB less).
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
export function fullCollection(log: Logger, where: string) {
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

/** Each commit's changes to the configured webhooks; deliveries wait in the DB's outbox, and what a shutdown left pending is sent now. */
export function openWebhooks(config: Config, store: CatalogStore, log: Logger, retryDelaysMs?: number[]) {
  const webhooks = new WebhookDispatcher(config.webhooks, log, { outbox: store.outbox, ...(retryDelaysMs ? { retryDelaysMs } : {}) })
  if (config.webhooks.length) store.onChanges((rows) => webhooks.dispatch(rows))
  webhooks.resume()
  return webhooks
}

/** The reference catalogs' refresher: it wakes at the shortest enabled interval; each catalog is fetched on its own schedule. */
export function openReferences(config: Config, store: CatalogStore, log: Logger, intervalSeconds?: number) {
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
  // thread, and handed over (the views without their identity bytes: the HTTP thread inflates their gzip for a client that takes none)
  const models = openModels(config, store, { warm: false, admission: false, collectWhileIndexing: true })
  const index = models.index!
  // Built once the commit's own work is done (a timer after it): the refresh's parsed lists are garbage by
  // then and a full collection frees them first, so a catalog's lists and its index never share the heap.
  // Commits in a row (provider refresh, references) hand over once, the newest version.
  let handover: Promise<void> | undefined
  let running = false
  let again = false
  let closed = false
  const handedOver = async () => {
    while (handover) await handover
  }
  const collect = (phase: string) => fullCollection(log, `refresh thread, ${phase}`)
  // the version's index and hot views, handed over (a commit meanwhile asks for the next handover, see schedule)
  const handOver = async () => {
    if (closed) return // shutting down: the DB is closing, the HTTP thread is going too
    collect('before the index')
    const version = store.version
    const engine = index.current()!
    collect('after the index') // the build's garbage, before the views add theirs
    const bodies: PrebuiltBody[] = []
    // the views built from this version's index first, synchronously (no commit comes in between)…
    for (const q of ModelsService.HOT.filter((q) => !models.listOf(q))) {
      const { bytes } = models.list(q)
      const { etag } = new CachedBody(bytes, version, new Date(0))
      bodies.push({ key: models.keyOf(q), etag, length: bytes.byteLength, ...CachedBody.compressSync(bytes) })
      collect('after a view') // each view's garbage (the unique view's group objects) before the next
    }
    index.release() // its buffers leave with the message (the engine object keeps them until then)
    // …then the full list, without its identity bytes (the HTTP thread streams them from its gzip): its ETag and
    // variants are made from its pieces, so it is never whole here either. A commit during this wait changes
    // nothing here: this version is handed over whole, and the next handover brings the newer one.
    for (const q of ModelsService.HOT) {
      const list = models.listOf(q)
      if (!list) continue
      const { etag, length, gzip, br } = await CachedBody.compressPieces(engine.listChunks(list.providers))
      bodies.push({ key: models.keyOf(q), etag, length, gzip, br })
      collect('after a view')
    }
    if (closed) return
    on.onVersion(version, bodies, engine.data)
    collect('after the handover') // what is left of the build goes now, not at the next refresh
  }
  // One handover at a time, on a timer after the commit that asks for it: commits before it starts are handed over
  // together (the newest version); a commit while it runs asks for one more after it.
  const schedule = () => {
    if (running) again = true
    if (handover) return
    handover = new Promise<void>((resolve) =>
      setTimeout(async () => {
        running = true
        try {
          await handOver()
        } catch (err) {
          // this version is not handed over (the HTTP thread keeps serving the last one); the next commit tries again
          index.release()
          log.error({ err }, 'refresh thread: building the index and hot views of a new version failed')
        } finally {
          running = false
          handover = undefined
          resolve()
          if (again) {
            again = false
            schedule()
          }
        }
      }, 0),
    )
  }
  store.onNewVersion(schedule)
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
    /** The version at start: its index and hot views built and handed to the HTTP thread (as after a commit). */
    handOverNow: schedule,
    /** Reports of the in-process refresher (the thread forwards them to the HTTP thread's metrics). */
    onReport: (listener: (report: Parameters<NonNullable<ProviderRefresherOptions['onReport']>>[0]) => void) => worker.onReport(listener),
    start() {
      if (closed) return // a stop came first (while the first handover was being built): nothing starts
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
