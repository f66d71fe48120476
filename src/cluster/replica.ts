import type { Logger } from 'pino'
import { createHmac, timingSafeEqual } from 'node:crypto'
import { applySnapshot, DEFAULT_SNAPSHOT_LIMITS, exportSnapshot, setVersion, SnapshotRejected, type SnapshotLimits, type SnapshotRejectReason } from '../catalog/snapshot'
import type { CatalogStore } from '../catalog/store'
import type { BreakerSnapshot } from '../refresh/breakers'
import type { ReferenceRefresher } from '../refresh/reference-refresher'
import type { Refresher, RefreshOptions, RefreshReport, ProviderRefresher } from '../refresh/refresher'
import type { ClusterCoordinator } from './coordinator'

const sha256 = (data: Uint8Array) => new Bun.CryptoHasher('sha256').update(data).digest('hex')

/** `v1=<hex HMAC-SHA256 of "<version>.<sha256 of the data>">` with the cluster secret. */
export const snapshotSignature = (secret: string, version: number, sha: string) => `v1=${createHmac('sha256', secret).update(`${version}.${sha}`).digest('hex')}`

/** How long the first tick waits for Redis to connect (at most; less when the grace period is shorter). */
const CONNECT_WAIT_MS = 2_000

export interface ReplicaOptions {
  coordinator: ClusterCoordinator
  store: CatalogStore
  worker: ProviderRefresher
  log: Logger
  /** The refresh interval: one replica refreshes per interval (the lock's lifetime). */
  intervalMs: number
  /** How often followers poll the shared version (pub/sub is only a hint). */
  pollMs: number
  /** How long Redis may be unreachable before each replica refreshes on its own. */
  graceMs: number
  /** Reference catalogs: refreshed by the leader only, so that every replica holds the same bytes. */
  references?: ReferenceRefresher
  /** MODELCAT_CLUSTER_SECRET: snapshots are signed when publishing and must verify when applying. */
  secret?: string
  /** Caps on a shared snapshot (default DEFAULT_SNAPSHOT_LIMITS). */
  limits?: SnapshotLimits
  /** Hears each rejected snapshot (once per snapshot): the metric. */
  onRejected?: (reason: SnapshotRejectReason) => void
}

/**
 * One replica of several sharing a Redis: per interval exactly one of them (the holder of the lock)
 * refreshes and publishes the catalog under its fencing token; the others apply the published snapshot.
 * Redis down: every replica keeps serving what it has, and after the grace period refreshes alone —
 * never publishing what it built alone over a newer shared snapshot (publishing needs a fresh token).
 */
export class ClusterReplica implements Refresher {
  #token: number | null = null
  #applied = { version: 0, sha: '' }
  #lastRedisOk = Date.now()
  #timers: ReturnType<typeof setInterval>[] = []
  #stopped = false
  #syncing: Promise<void> | null = null
  /** The last rejected snapshot: not fetched again; one that failed to apply locally is retried with backoff. */
  #rejected: { sha: string; retryAt: number; failures: number } | null = null

  constructor(private readonly opts: ReplicaOptions) {}

  get enabledProviders() {
    return this.opts.worker.enabledProviders
  }
  get lastReport() {
    return this.opts.worker.lastReport
  }

  start() {
    const { coordinator, pollMs, intervalMs, graceMs } = this.opts
    const connected = coordinator.connect().then(async () => {
      await coordinator.subscribe(() => void this.sync())
      coordinator.onRefreshRequest((providers) => void this.#onRequest(providers))
    })
    // the first turn waits for the connection (bounded), rather than finding Redis "unreachable" at start; the
    // turns after it keep its rhythm (a lock taken at the first turn has expired by the next one)
    void Promise.race([connected, Bun.sleep(Math.min(graceMs, CONNECT_WAIT_MS))]).then(() => {
      if (this.#stopped) return
      this.#timers.push(setInterval(() => void this.tick(), intervalMs))
      return this.tick()
    })
    this.#timers.push(setInterval(() => void this.sync(), pollMs))
  }

  async stop() {
    this.#stopped = true
    for (const t of this.#timers) clearInterval(t)
    await this.opts.worker.stop()
    await this.opts.coordinator.close()
  }

  /** The interval's turn: lead when the lock is free, else follow; refresh alone once Redis is gone for the grace period. */
  async tick(): Promise<void> {
    if (this.#stopped) return
    try {
      const token = await this.opts.coordinator.tryLead(Math.max(1, this.opts.intervalMs - 50))
      this.#lastRedisOk = Date.now()
      if (token !== null) {
        this.#token = token
        await this.#lead({ trigger: 'schedule' })
      } else await this.sync()
    } catch (err) {
      const down = Date.now() - this.#lastRedisOk
      if (down < this.opts.graceMs) return this.opts.log.warn({ err: (err as Error).message, down_ms: down }, 'cluster: Redis unreachable; serving what we have')
      this.opts.log.warn({ down_ms: down }, 'cluster: Redis unreachable past the grace period; refreshing alone')
      await this.opts.worker.refresh({ trigger: 'standalone' }).catch(() => undefined)
    }
  }

  /** Refreshes and publishes under the current token (the caller holds the lock). */
  async #lead(opts: RefreshOptions): Promise<RefreshReport> {
    await this.opts.references?.refreshIfDue().catch(() => undefined)
    const report = await this.opts.worker.refresh(opts)
    await this.#publish()
    return report
  }

  async #publish() {
    const { coordinator, store } = this.opts
    if (this.#token === null) return
    const latest = await coordinator.latest()
    // the shared version sequence: every replica holding a snapshot shows the same version
    const version = Math.max(store.version, (latest?.version ?? 0) + 1)
    // nothing new since the snapshot this replica holds: publishing again would only churn followers
    if (latest && latest.sha256 === this.#applied.sha && store.version === this.#applied.version) return
    if (version !== store.version) setVersion(store, version)
    const snap = exportSnapshot(store, version)
    const sha = sha256(snap.data)
    const signature = this.opts.secret ? snapshotSignature(this.opts.secret, version, sha) : undefined
    const result = await coordinator.publish(this.#token, { version, sha256: sha, data: snap.data, signature })
    if (result === 'published') {
      this.#applied = { version, sha }
      this.opts.log.info({ version, bytes: snap.data.byteLength }, 'cluster: published the catalog')
    } else {
      this.opts.log.warn({ version, token: this.#token }, 'cluster: publish refused (a newer token or version exists): following it')
      await this.sync()
    }
  }

  /**
   * Applies the shared snapshot when it is not the one this replica holds (hash checked). The snapshot is
   * untrusted: capped, signature-checked (with a secret), validated (src/catalog/snapshot.ts); a rejected
   * one is logged, counted and not downloaded again (one that failed to apply here: retried with backoff).
   */
  sync(): Promise<void> {
    return (this.#syncing ??= (async () => {
      const { coordinator, store, secret, log } = this.opts
      const limits = this.opts.limits ?? DEFAULT_SNAPSHOT_LIMITS
      let sha: string | undefined
      try {
        const latest = await coordinator.latest()
        this.#lastRedisOk = Date.now()
        if (!latest || latest.sha256 === this.#applied.sha) return
        sha = latest.sha256
        if (this.#rejected?.sha === sha && Date.now() < this.#rejected.retryAt) return
        const size = await coordinator.size()
        if (size > limits.maxCompressedBytes) throw new SnapshotRejected('too_large', `${size} bytes stored, the cap is ${limits.maxCompressedBytes}`)
        // read atomically with its metadata: missing or mismatching bytes are no race, they were written so
        const snap = await coordinator.fetch()
        if (!snap) throw new SnapshotRejected('sha256', 'the stored bytes are missing or do not match their sha256')
        sha = snap.sha256
        if (secret) {
          const want = Buffer.from(snapshotSignature(secret, snap.version, snap.sha256))
          const got = Buffer.from(snap.signature ?? '')
          if (got.length !== want.length || !timingSafeEqual(got, want)) throw new SnapshotRejected('signature', snap.signature ? 'wrong signature' : 'unsigned')
        }
        const version = applySnapshot(store, snap.data, { limits, expectedVersion: snap.version })
        this.#applied = { version, sha: snap.sha256 }
        this.#rejected = null
        log.info({ version }, 'cluster: applied the shared catalog')
      } catch (err) {
        if (!(err instanceof SnapshotRejected) || !sha) return void log.debug({ err: (err as Error).message }, 'cluster: sync failed')
        const failures = this.#rejected?.sha === sha ? this.#rejected.failures + 1 : 1
        // a bad snapshot stays bad; a local failure to write it may pass later
        const retryAt = err.reason === 'apply' ? Date.now() + Math.min(this.opts.pollMs * 2 ** failures, this.opts.intervalMs) : Infinity
        this.#rejected = { sha, retryAt, failures }
        log.warn({ reason: err.reason, sha256: sha, err: err.message }, 'cluster: shared snapshot rejected; keeping the catalog we have')
        this.opts.onRejected?.(err.reason)
      } finally {
        this.#syncing = null
      }
    })())
  }

  async #onRequest(providers?: string[]) {
    if (this.#token !== null && (await this.opts.coordinator.holdsLock().catch(() => false))) {
      await this.#lead({ providers, trigger: 'admin' }).catch((err) => this.opts.log.warn({ err: (err as Error).message }, 'cluster: requested refresh failed'))
    }
  }

  /**
   * An admin refresh on any replica triggers the shared refresh: the lock holder runs it (this replica
   * when it leads or the lock is free); otherwise the request goes to the leader and this answers once
   * the new shared catalog has arrived (or after 30 s). Redis down: a refresh of this replica alone.
   */
  async refresh(opts: RefreshOptions = {}): Promise<RefreshReport> {
    const { coordinator } = this.opts
    try {
      const mine = this.#token !== null && (await coordinator.holdsLock())
      if (!mine) {
        const token = await coordinator.tryLead(Math.max(1, this.opts.intervalMs - 50))
        if (token !== null) this.#token = token
        else {
          const before = this.opts.store.version
          await coordinator.requestRefresh(opts.providers)
          const started = Date.now()
          while (Date.now() - started < 30_000 && this.opts.store.version === before) {
            await this.sync()
            await Bun.sleep(100)
          }
          return { trigger: opts.trigger ?? 'admin', started_at: new Date(started).toISOString(), duration_ms: Date.now() - started, catalog_version: this.opts.store.version, results: [] }
        }
      }
      return await this.#lead(opts)
    } catch {
      return this.opts.worker.refresh(opts)
    }
  }

  resetBreakers(provider?: string): Promise<BreakerSnapshot[]> {
    return this.opts.worker.resetBreakers(provider)
  }
}
