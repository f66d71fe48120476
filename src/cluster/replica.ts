import type { Logger } from 'pino'
import { applySnapshot, exportSnapshot, setVersion } from '../catalog/snapshot'
import type { CatalogStore } from '../catalog/store'
import type { BreakerSnapshot } from '../refresh/breakers'
import type { ReferenceRefresher } from '../refresh/reference-worker'
import type { Refresher, RefreshOptions, RefreshReport, RefreshWorker } from '../refresh/worker'
import type { ClusterCoordinator } from './coordinator'

const sha256 = (data: Uint8Array) => new Bun.CryptoHasher('sha256').update(data).digest('hex')

export interface ReplicaOptions {
  coordinator: ClusterCoordinator
  store: CatalogStore
  worker: RefreshWorker
  log: Logger
  /** The refresh interval: one replica refreshes per interval (the lock's lifetime). */
  intervalMs: number
  /** How often followers poll the shared version (pub/sub is only a hint). */
  pollMs: number
  /** How long Redis may be unreachable before each replica refreshes on its own. */
  graceMs: number
  /** Reference catalogs: refreshed by the leader only, so that every replica holds the same bytes. */
  references?: ReferenceRefresher
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

  constructor(private readonly opts: ReplicaOptions) {}

  get enabledProviders() {
    return this.opts.worker.enabledProviders
  }
  get lastReport() {
    return this.opts.worker.lastReport
  }

  start() {
    const { coordinator, pollMs, intervalMs } = this.opts
    void coordinator.connect().then(async () => {
      await coordinator.subscribe(() => void this.sync())
      coordinator.onRefreshRequest((providers) => void this.#onRequest(providers))
    })
    void this.tick()
    this.#timers.push(setInterval(() => void this.tick(), intervalMs))
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
    const result = await coordinator.publish(this.#token, { version, sha256: sha, data: snap.data })
    if (result === 'published') {
      this.#applied = { version, sha }
      this.opts.log.info({ version, bytes: snap.data.byteLength }, 'cluster: published the catalog')
    } else {
      this.opts.log.warn({ version, token: this.#token }, 'cluster: publish refused (a newer token or version exists): following it')
      await this.sync()
    }
  }

  /** Applies the shared snapshot when it is not the one this replica holds (hash checked). */
  sync(): Promise<void> {
    return (this.#syncing ??= (async () => {
      try {
        const latest = await this.opts.coordinator.latest()
        this.#lastRedisOk = Date.now()
        if (!latest || latest.sha256 === this.#applied.sha) return
        const snap = await this.opts.coordinator.fetch()
        if (!snap) return
        const version = applySnapshot(this.opts.store, snap.data)
        this.#applied = { version, sha: snap.sha256 }
        this.opts.log.info({ version }, 'cluster: applied the shared catalog')
      } catch (err) {
        this.opts.log.debug({ err: (err as Error).message }, 'cluster: sync failed')
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
