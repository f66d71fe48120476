/**
 * The refresh thread: fetching, parsing and — above all — the synchronous SQLite write transaction run
 * here, on a connection of their own, so the HTTP thread never stalls behind a refresh (a 50,000-offering
 * write takes seconds). The main thread learns of each new catalog version and reads it (WAL).
 */
import { createCanonicalizer } from '../catalog/canonical'
import { CatalogStore } from '../catalog/store'
import { loadConfig } from '../config'
import { openDb } from '../db/client'
import { createLogger } from '../lib/log'
import { scrubberFor } from '../lib/scrub'
import { WebhookDispatcher } from '../webhooks/dispatcher'
import { CachedBody } from '../serving/cached-body'
import { ModelsService } from '../modules/models/service'
import { resolveReferences } from '../reference'
import { ReferenceRefresher } from '../refresh/reference-refresher'
import type { FromThread, ToThread } from './thread-protocol'
import { RefreshWorker, type Refresher } from '../refresh/refresher'
import { ClusterCoordinator } from '../cluster/coordinator'
import { ClusterReplica } from '../cluster/replica'

declare const self: Worker

const post = (m: FromThread) => self.postMessage(m)
let parts: { worker: Refresher; references: ReferenceRefresher; clustered: boolean; close(): void } | undefined

self.onmessage = async (event: MessageEvent<ToThread>) => {
  const m = event.data
  try {
    switch (m.type) {
      case 'init': {
        const config = loadConfig(m.env)
        const scrub = scrubberFor(config)
        const log = createLogger(config.logLevel, { scrub }).child({ thread: 'refresh' })
        const db = openDb(config.dbPath, { log: (message, fields) => log.warn(fields ?? {}, message) })
        const store = new CatalogStore(db, { canonicalId: createCanonicalizer(config.canonical), overrides: config.overrides, changeRetentionDays: config.changeRetentionDays })
        const rescrubbed = store.rescrub(scrub) // stored errors from before scrubbing existed (they travel in cluster snapshots)
        if (rescrubbed) log.info({ rows: rescrubbed }, 'scrubbed stored upstream errors of secrets')
        // The hot-path bodies of each new version are built and compressed here too, off the HTTP thread.
        const models = new ModelsService(store, config.providers, { warm: false })
        // deliveries wait in the DB's outbox: what a shutdown left pending is sent now
        const webhooks = new WebhookDispatcher(config.webhooks, log, { db: db.$client })
        if (config.webhooks.length) store.onChanges((rows) => webhooks.dispatch(rows))
        webhooks.resume()
        store.onNewVersion((version) => {
          const bodies = ModelsService.HOT.map((q) => {
            const { bytes, etag } = models.list(q)
            return { key: models.keyOf(q), etag, bytes, ...CachedBody.compressSync(bytes) }
          })
          const message: FromThread = { type: 'committed', version, bodies }
          self.postMessage(message, bodies.flatMap((b) => [b.bytes.buffer, b.gzip.buffer, b.br.buffer]) as ArrayBuffer[])
        })
        const worker = RefreshWorker.fromConfig(config, store, log, { onReport: (report) => post({ type: 'report', report }) })
        const references = new ReferenceRefresher({
          store,
          references: resolveReferences(config),
          // the scheduler wakes at the shortest enabled interval; each catalog is fetched on its own
          intervalSeconds: Math.min(...Object.values(config.references).filter((r) => r.enabled).map((r) => r.intervalSeconds), 86_400),
          maxResponseBytes: config.refresh.maxResponseBytes,
          log,
        })
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
              onRejected: (reason) => post({ type: 'snapshotRejected', reason }),
            })
          : worker
        parts = {
          worker: refresher,
          references,
          clustered: Boolean(config.redisUrl),
          close: () => {
            webhooks.stop()
            db.$client.close()
          },
        }
        post({ type: 'ready' })
        break
      }
      case 'start':
        parts!.worker.start()
        if (!parts!.clustered) parts!.references.start() // in a cluster the leader refreshes them
        break
      case 'refresh':
        post({ type: 'result', id: m.id, report: await parts!.worker.refresh(m.opts) })
        break
      case 'resetBreakers':
        post({ type: 'result', id: m.id, breakers: await parts!.worker.resetBreakers(m.provider) })
        break
      case 'stop':
        await Promise.all([parts?.worker.stop(), parts?.references.stop()])
        parts?.close()
        post({ type: 'stopped' })
        break
    }
  } catch (err) {
    if (m.type === 'refresh' || m.type === 'resetBreakers') post({ type: 'result', id: m.id, error: (err as Error).message })
    else post({ type: 'fatal', error: (err as Error).stack ?? String(err) })
  }
}
