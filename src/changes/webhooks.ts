import { createHmac } from 'node:crypto'
import type { Logger } from 'pino'
import type { ChangeRow } from '../catalog/store'
import { redactUrl, scrub } from '../lib/scrub'
import { toChange } from './serialize'

export interface Webhook {
  url: string
  secret: string
  types: ('added' | 'removed' | 'changed')[]
}

/** `X-Modelcat-Signature: sha256=<hex HMAC-SHA256 of the raw body with the webhook's secret>` */
export const signature = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`

/**
 * Outbound webhooks: each commit's changes POSTed as JSON, HMAC-signed, retried with exponential
 * backoff (1 s, 4 s, 16 s by default). Fire and forget: a refresh never waits for a receiver.
 */
export class WebhookDispatcher {
  constructor(
    private readonly hooks: Webhook[],
    private readonly log: Logger,
    private readonly opts: { retryDelaysMs?: number[]; timeoutMs?: number } = {},
  ) {}

  /** Queues the deliveries of one commit's changes and returns at once. */
  dispatch(rows: ChangeRow[]) {
    for (const hook of this.hooks) {
      const picked = rows.filter((r) => hook.types.includes(r.type as Webhook['types'][number]))
      if (!picked.length) continue
      const body = JSON.stringify({ object: 'catalog.changes', catalog_version: picked[0]!.catalogVersion, data: picked.map(toChange) })
      void this.deliver(hook, body)
    }
  }

  /** Resolves once delivered or given up (for tests; dispatch does not wait for it). */
  async deliver(hook: Webhook, body: string): Promise<boolean> {
    const delays = this.opts.retryDelaysMs ?? [1000, 4000, 16000]
    for (let attempt = 0; attempt <= delays.length; attempt++) {
      try {
        const res = await fetch(hook.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'modelcat', 'x-modelcat-signature': signature(hook.secret, body), 'x-modelcat-attempt': String(attempt + 1) },
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
        })
        await res.body?.cancel()
        if (res.ok) return true
        this.log.warn({ url: redactUrl(hook.url), status: res.status, attempt: attempt + 1 }, 'webhook refused')
      } catch (err) {
        this.log.warn({ url: redactUrl(hook.url), error: scrub((err as Error).message), attempt: attempt + 1 }, 'webhook failed')
      }
      if (attempt < delays.length) await Bun.sleep(delays[attempt]!)
    }
    this.log.error({ url: redactUrl(hook.url) }, 'webhook given up')
    return false
  }
}
