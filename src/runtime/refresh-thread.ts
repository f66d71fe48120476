import { existsSync } from 'node:fs'
import type { Logger } from 'pino'
import type { ResolvedProvider } from '../config'
import type { CatalogStore } from '../catalog/store'
import type { IndexData } from '../catalog/engine'
import type { FromThread, PrebuiltBody, ToThread } from './thread-protocol'
import type { BreakerSnapshot } from '../refresh/breakers'
import type { Refresher, RefreshOptions, RefreshReport } from '../refresh/refresher'

/**
 * The main thread's handle on the refresh thread: the same surface as an in-process ProviderRefresher
 * (refresh, start, stop), answered by messages. Each commit there bumps this thread's view of the
 * catalog version (store.reload()), so caches roll over and the hot path is rebuilt.
 */
export class RefreshThread implements Refresher {
  readonly #thread: Worker
  readonly #pending = new Map<number, { resolve: (m: Extract<FromThread, { type: 'result' }>) => void; reject: (e: Error) => void }>()
  #seq = 0
  #ready: Promise<void>
  #stopped?: () => void
  #lastReport: RefreshReport | null = null
  #failure: string | null = null
  #notReady?: (e: Error) => void

  constructor(
    private readonly opts: {
      env: Record<string, string | undefined>
      store: CatalogStore
      providers: ResolvedProvider[]
      log: Logger
      /** Receives the query index and the hot bodies the thread built for a new version (after the store has reloaded it). */
      onVersion?: (version: number, bodies: PrebuiltBody[], index: IndexData) => void
      /** Hears every finished refresh of the thread (scheduled or asked for): metrics. */
      onReport?: (report: RefreshReport) => void
      /** Hears each shared snapshot refused by the thread's cluster replica: metrics. */
      onSnapshotRejected?: (reason: string) => void
      /** Hears the thread's death (its start failed or it crashed): metrics; /ready fails from then on. */
      onFailure?: (error: string) => void
    },
  ) {
    this.#thread = new Worker(threadEntry())
    let ready!: () => void
    this.#ready = new Promise((r, reject) => {
      ready = r
      this.#notReady = reject
    })
    this.#ready.catch(() => undefined) // a thread that dies before 'ready' fails its callers, not the process
    this.#thread.onmessage = (event: MessageEvent<FromThread>) => {
      const m = event.data
      if (m.type === 'ready') {
        this.opts.store.reload() // the thread's store may have brought rows in line with rules at its start
        ready()
      } else if (m.type === 'committed') {
        // the version of the index handed over (the DB may already be ahead: that one's handover follows)
        this.opts.store.serve(m.index.version, m.index.updatedAt)
        this.opts.onVersion?.(m.version, m.bodies, m.index)
      } else if (m.type === 'result') {
        const p = this.#pending.get(m.id)
        this.#pending.delete(m.id)
        if (m.error !== undefined) p?.reject(new Error(m.error))
        else p?.resolve(m)
      } else if (m.type === 'report') {
        this.#lastReport = m.report
        this.opts.onReport?.(m.report)
      } else if (m.type === 'snapshotRejected') this.opts.onSnapshotRejected?.(m.reason)
      else if (m.type === 'stopped') this.#stopped?.()
      else if (m.type === 'fatal') this.#fail(m.error, 'refresh thread failed')
    }
    this.#thread.onerror = (e) => this.#fail(e.message, 'refresh thread crashed')
    this.#post({ type: 'init', env: opts.env })
  }

  /** The thread is gone: said once in the log, kept for /ready (503) and handed to the metrics; waiting callers fail. */
  #fail(error: string, message: string) {
    this.opts.log.error({ error }, message)
    if (this.#failure) return
    // the message without its stack frames (the log line above has them)
    this.#failure = error
      .split('\n')
      .filter((l) => !/^\s+at /.test(l))
      .join(' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 500)
    this.opts.onFailure?.(this.#failure)
    this.#notReady?.(new Error(`refresh thread failed: ${this.#failure}`))
    for (const p of this.#pending.values()) p.reject(new Error(`refresh thread failed: ${this.#failure}`))
    this.#pending.clear()
  }

  /** Why the refresh thread died, or null while it runs. */
  get failure() {
    return this.#failure
  }

  #post(m: ToThread) {
    this.#thread.postMessage(m)
  }

  get enabledProviders() {
    return this.opts.providers.filter((p) => p.enabled)
  }

  get lastReport() {
    return this.#lastReport
  }

  start() {
    void this.#ready.then(
      () => this.#post({ type: 'start' }),
      () => undefined, // died before it was ready: /ready says so
    )
  }

  /** Sends a request to the thread and waits for its result message. */
  async #call(message: { type: 'refresh'; opts: RefreshOptions } | { type: 'resetBreakers'; provider?: string }) {
    await this.#ready
    const id = ++this.#seq
    const result = new Promise<Extract<FromThread, { type: 'result' }>>((resolve, reject) => this.#pending.set(id, { resolve, reject }))
    this.#post({ ...message, id } as ToThread)
    return result
  }

  async refresh(opts: RefreshOptions = {}): Promise<RefreshReport> {
    const { report } = await this.#call({ type: 'refresh', opts })
    this.#lastReport = report!
    return report!
  }

  async resetBreakers(provider?: string): Promise<BreakerSnapshot[]> {
    return (await this.#call({ type: 'resetBreakers', provider })).breakers ?? []
  }

  /** Aborts the thread's fetches (nothing of an aborted refresh is committed), closes its DB, ends it. */
  async stop() {
    const stopped = new Promise<void>((r) => (this.#stopped = r))
    this.#post({ type: 'stop' })
    await Promise.race([stopped, Bun.sleep(4000)])
    this.#thread.terminate()
    for (const p of this.#pending.values()) p.reject(new Error('refresh thread stopped'))
  }
}

/**
 * Where the thread's entry point is: next to this file when run from source; in a compiled binary,
 * under the embedded root by its path below src/ (`bun run build` names it as a second entry point).
 */
function threadEntry(): string {
  const source = new URL('./thread-entry.ts', import.meta.url)
  return existsSync(source.pathname) ? source.href : new URL('./runtime/thread-entry.js', import.meta.url).href
}
