import type { Db } from '../db/client'

/** A delivery waiting in the outbox: the hook is named by the sha256 of its URL (a URL may carry a token). */
export interface PendingDelivery {
  id: number
  hook: string
  body: string
  attempts: number
}

/**
 * The webhook outbox (table `webhook_outbox`): deliveries wait here until delivered or given up, so those
 * pending at a shutdown are made after the restart. Part of the catalog's DB, reached only through here.
 */
export class WebhookOutbox {
  constructor(private readonly db: Db) {}

  /** Adds a delivery; past `max` rows the oldest are dropped. Returns its id and how many were dropped. */
  add(hook: string, body: string, max: number): { id: number; dropped: number } {
    const c = this.db.$client
    const id = Number(c.run('insert into webhook_outbox (hook, body, attempts, created_at) values (?, ?, 0, ?)', [hook, body, Date.now()]).lastInsertRowid)
    const over = (c.query('select count(*) as n from webhook_outbox').get() as { n: number }).n - max
    if (over > 0) c.run('delete from webhook_outbox where id in (select id from webhook_outbox order by id limit ?)', [over])
    return { id, dropped: Math.max(0, over) }
  }

  /** Every waiting delivery, oldest first. */
  pending(): PendingDelivery[] {
    return this.db.$client.query('select id, hook, body, attempts from webhook_outbox order by id').all() as PendingDelivery[]
  }

  setAttempts(id: number, attempts: number) {
    this.db.$client.run('update webhook_outbox set attempts = ? where id = ?', [attempts, id])
  }

  remove(id: number) {
    this.db.$client.run('delete from webhook_outbox where id = ?', [id])
  }
}
