import { createHash, createHmac } from 'node:crypto'
import type { Logger } from 'pino'
import type { WebhookOutbox } from '../catalog/outbox'
import type { ChangeRow } from '../catalog/store'
import { redactUrl, scrub } from '../lib/scrub'
import { toChange } from '../catalog/change-view'
import type { ChangeType } from '../domain/vocabulary'

export interface Webhook {
  url: string
  secret: string
  types: ChangeType[]
}

/** Deliveries kept in the outbox at most (the oldest are dropped, with a warning). */
export const MAX_OUTBOX_ROWS = 10_000

/** How the outbox names a hook: a hash of its URL (which may carry a token, so it is never stored). */
const hookKey = (url: string) => createHash('sha256').update(url).digest('hex')

/**
 * `X-Modelcat-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the webhook's secret>`.
 * The timestamp is signed with the body, so a receiver refusing old timestamps (README: 300 s) refuses replays.
 */
export const signature = (secret: string, body: string, t = Math.floor(Date.now() / 1000)) => `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`

/**
 * Outbound webhooks: each commit's changes POSTed as JSON, HMAC-signed, retried with exponential
 * backoff (1 s, 4 s, 16 s by default: 4 attempts). Fire and forget: a refresh never waits for a receiver.
 * With a DB, each delivery waits in the `webhook_outbox` table until delivered or given up, so deliveries
 * pending at a shutdown are made after the restart (`resume()`; at least once: a receiver may see a
 * delivery twice, `X-Modelcat-Delivery` tells them apart).
 */
export class WebhookDispatcher {
  #stopped = false
  /** Aborted by stop(): in-flight requests and retry waits end at once. */
  readonly #stop = new AbortController()

  constructor(
    private readonly hooks: Webhook[],
    private readonly log: Logger,
    private readonly opts: { outbox?: WebhookOutbox; retryDelaysMs?: number[]; timeoutMs?: number; maxOutboxRows?: number } = {},
  ) {}

  /** Queues the deliveries of one commit's changes (in the outbox) and returns at once. */
  dispatch(rows: ChangeRow[]) {
    for (const hook of this.hooks) {
      const picked = rows.filter((r) => hook.types.includes(r.type as Webhook['types'][number]))
      if (!picked.length) continue
      const body = JSON.stringify({ object: 'catalog.changes', catalog_version: picked[0]!.catalogVersion, data: picked.map(toChange) })
      void this.#send(hook, body, this.#save(hookKey(hook.url), body), 0)
    }
  }

  /** Sends again what an earlier run left in the outbox (attempts counted on); drops deliveries to hooks no longer configured. */
  resume(): number {
    const outbox = this.opts.outbox
    if (!outbox) return 0
    const rows = outbox.pending()
    let resumed = 0
    for (const r of rows) {
      const hook = this.hooks.find((h) => hookKey(h.url) === r.hook)
      if (!hook) {
        outbox.remove(r.id)
        this.log.warn({ outbox_id: r.id }, 'webhook no longer configured: its pending delivery dropped')
        continue
      }
      resumed++
      void this.#send(hook, r.body, r.id, r.attempts)
    }
    if (resumed) this.log.info({ deliveries: resumed }, 'webhook deliveries resumed from the outbox')
    return resumed
  }

  /** Stops sending; what is pending stays in the outbox for the next start. */
  stop() {
    this.#stopped = true
    this.#stop.abort()
  }

  #sleep(ms: number) {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms)
      this.#stop.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer)
          resolve()
        },
        { once: true },
      )
    })
  }

  /** Resolves once delivered or given up (for tests; dispatch does not wait for it). No outbox. */
  deliver(hook: Webhook, body: string): Promise<boolean> {
    return this.#send(hook, body, undefined, 0)
  }

  #save(hook: string, body: string): number | undefined {
    const outbox = this.opts.outbox
    if (!outbox) return undefined
    const max = this.opts.maxOutboxRows ?? MAX_OUTBOX_ROWS
    const { id, dropped } = outbox.add(hook, body, max)
    if (dropped > 0) this.log.warn({ dropped, max }, 'webhook outbox full: the oldest pending deliveries dropped')
    return id
  }

  /** The outbox row's bookkeeping; nothing once stopped (the DB may be closed). */
  #mark(id: number | undefined, attempts: number | 'done') {
    if (id === undefined || this.#stopped) return
    if (attempts === 'done') this.opts.outbox!.remove(id)
    else this.opts.outbox!.setAttempts(id, attempts)
  }

  async #send(hook: Webhook, body: string, id: number | undefined, made: number): Promise<boolean> {
    const delays = this.opts.retryDelaysMs ?? [1000, 4000, 16000]
    for (let attempt = made; attempt <= delays.length; attempt++) {
      if (this.#stopped) return false
      try {
        const res = await fetch(hook.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'modelcat',
            'x-modelcat-signature': signature(hook.secret, body),
            'x-modelcat-attempt': String(attempt + 1),
            ...(id === undefined ? {} : { 'x-modelcat-delivery': String(id) }),
          },
          body,
          redirect: 'manual',
          signal: AbortSignal.any([AbortSignal.timeout(this.opts.timeoutMs ?? 10_000), this.#stop.signal]),
        })
        await res.body?.cancel()
        if (res.ok) {
          this.#mark(id, 'done')
          return true
        }
        this.log.warn({ url: redactUrl(hook.url), status: res.status, attempt: attempt + 1 }, 'webhook refused')
      } catch (err) {
        this.log.warn({ url: redactUrl(hook.url), error: scrub((err as Error).message), attempt: attempt + 1 }, 'webhook failed')
      }
      this.#mark(id, attempt + 1)
      if (attempt < delays.length) await this.#sleep(delays[attempt]!)
    }
    if (this.#stopped) return false
    this.#mark(id, 'done')
    this.log.error({ url: redactUrl(hook.url) }, 'webhook given up')
    return false
  }
}
