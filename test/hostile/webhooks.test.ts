import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { createHmac, timingSafeEqual } from 'node:crypto'
import pino from 'pino'
import { WebhookDispatcher } from '../../src/webhooks/dispatcher'
import type { ChangeRow } from '../../src/catalog/store'
import { openDb } from '../../src/db/client'
import { FakeUpstream } from '../helpers/fake-upstream'
import { makeHarness, tempDir, tomlFor } from '../helpers/harness'
import { WebhookOutbox } from '../../src/catalog/outbox'

/** Webhooks that survive restarts and cannot be replayed: a real SQLite file, a real receiver on 127.0.0.1. */
setDefaultTimeout(30_000)
const GROQ = '/groq/openai/v1'
const SECRET = 'webhook-secret-0123456789'

/** The receiver-side check the README documents. */
function verify(secret: string, header: string | null, body: string, nowSeconds = Date.now() / 1000): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '')
  if (!m) return false
  const t = Number(m[1])
  if (Math.abs(nowSeconds - t) > 300) return false
  const expected = createHmac('sha256', secret).update(`${m[1]}.${body}`).digest()
  return timingSafeEqual(expected, Buffer.from(m[2]!, 'hex'))
}

type Got = { body: string; signature: string | null; attempt: string | null; delivery: string | null; status: number }
let mode: 'fail' | 'ok' = 'fail'
const got: Got[] = []
/** Each test has its own receiver path: late requests of an earlier test are not counted. */
let path = ''
const hookUrl = (p: string) => {
  path = p
  got.length = 0
  return `${receiver.url.origin}${p}`
}
let receiver: ReturnType<typeof Bun.serve>
let up: FakeUpstream

beforeAll(() => {
  receiver = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(req) {
      const status = mode === 'ok' ? 200 : 503
      if (new URL(req.url).pathname === path)
        got.push({
          body: await req.text(),
          signature: req.headers.get('x-modelcat-signature'),
          attempt: req.headers.get('x-modelcat-attempt'),
          delivery: req.headers.get('x-modelcat-delivery'),
          status,
        })
      return new Response(null, { status })
    },
  })
  up = new FakeUpstream()
})
afterAll(() => {
  receiver.stop(true)
  up.stop()
})

async function until(what: string, check: () => boolean, ms = 10_000) {
  const end = Date.now() + ms
  while (Date.now() < end && !check()) await Bun.sleep(20)
  if (!check()) throw new Error(`timed out waiting for ${what}`)
}

const row = (id: number): ChangeRow => ({
  id,
  catalogVersion: id,
  at: 1_700_000_000_000 + id,
  providerId: 'groq',
  offeringId: `groq/m${id}`,
  canonicalId: `m${id}`,
  name: `M${id}`,
  type: 'added',
  detail: null,
})
const outbox = (db: ReturnType<typeof openDb>) => db.$client.query('select id, attempts from webhook_outbox order by id').all() as { id: number; attempts: number }[]

describe('webhooks that survive', () => {
  test('deliveries pending at shutdown are delivered after a restart (same body, attempts counted on), then leave the outbox', async () => {
    mode = 'fail'
    const dir = tempDir()
    const toml = `${tomlFor(up.url, { groq: GROQ })}\n[references.models-dev]\nenabled = false\n[references.litellm]\nenabled = false\n[[webhooks]]\nurl = "${hookUrl('/restart')}"\nsecret = "${SECRET}"\n`
    up.replay(`${GROQ}/models`, 'groq/groq_models_2025-10-05.json')
    const first = makeHarness({ toml, dir, webhookRetryDelaysMs: [60_000, 60_000] })
    await first.worker.refresh({ trigger: 'cli' })
    up.replay(`${GROQ}/models`, 'groq/groq_models_2026-01-22.json')
    await first.worker.refresh({ trigger: 'cli', force: true })
    await until('the first (refused) attempt, noted', () => got.length === 1 && outbox(first.db)[0]?.attempts === 1)
    const version = first.store.version
    expect(outbox(first.db)).toEqual([{ id: Number(got[0]!.delivery), attempts: 1 }])
    await first.close(false) // shutdown with the retry pending (60 s away)

    mode = 'ok'
    const second = makeHarness({ toml, dir, webhookRetryDelaysMs: [50] })
    await until('the resumed delivery', () => got.some((g) => g.status === 200))
    await until('the outbox emptied', () => outbox(second.db).length === 0)
    expect(got.map((g) => [g.attempt, g.status])).toEqual([
      ['1', 503],
      ['2', 200],
    ])
    expect(got[1]!.body).toBe(got[0]!.body)
    expect(got[1]!.delivery).toBe(got[0]!.delivery)
    expect(JSON.parse(got[1]!.body).catalog_version).toBe(version)
    expect(verify(SECRET, got[1]!.signature, got[1]!.body)).toBe(true)
    await Bun.sleep(150)
    expect(got.length).toBe(2) // delivered once
    await second.close(true)
  })

  test('attempts are capped: given up after the last retry, the row leaves the outbox; a restart does not send it again', async () => {
    mode = 'fail'
    const db = openDb(`${tempDir()}/catalog.db`)
    const hook = { url: hookUrl('/attempts'), secret: SECRET, types: ['added' as const] }
    const d = new WebhookDispatcher([hook], pino({ level: 'silent' }), { outbox: new WebhookOutbox(db), retryDelaysMs: [10, 10] })
    d.dispatch([row(1)])
    await until('given up', () => got.length === 3 && outbox(db).length === 0)
    // a row left with every attempt made (a crash before the delete): given up at start, not sent
    db.$client.run('insert into webhook_outbox (hook, body, attempts, created_at) values (?, ?, 3, 0)', [new Bun.CryptoHasher('sha256').update(hook.url).digest('hex'), '{}'])
    d.stop()
    const again = new WebhookDispatcher([hook], pino({ level: 'silent' }), { outbox: new WebhookOutbox(db), retryDelaysMs: [10, 10] })
    again.resume()
    await until('the spent row dropped', () => outbox(db).length === 0)
    expect(got.length).toBe(3)
    again.stop()
    db.$client.close()
  })

  test('the outbox is capped: the oldest pending deliveries are dropped with a warning; a hook no longer configured is dropped at start', async () => {
    mode = 'fail'
    const db = openDb(`${tempDir()}/catalog.db`)
    const lines: string[] = []
    const log = pino({ level: 'warn' }, { write: (s: string) => void lines.push(s) })
    const hook = { url: hookUrl('/cap'), secret: SECRET, types: ['added' as const] }
    const d = new WebhookDispatcher([hook], log, { outbox: new WebhookOutbox(db), retryDelaysMs: [60_000], maxOutboxRows: 3 })
    for (let i = 1; i <= 5; i++) d.dispatch([row(i)])
    const kept = db.$client.query('select body from webhook_outbox order by id').all() as { body: string }[]
    expect(kept.map((k) => JSON.parse(k.body).catalog_version)).toEqual([3, 4, 5])
    expect(lines.filter((l) => l.includes('webhook outbox full')).length).toBe(2)
    d.stop()
    const other = new WebhookDispatcher([{ ...hook, url: `${receiver.url.href}elsewhere` }], log, { outbox: new WebhookOutbox(db) })
    expect(other.resume()).toBe(0)
    expect(outbox(db)).toEqual([])
    db.$client.close()
  })
})

describe('webhook signatures', () => {
  test('the signature verifies with the documented check; a replayed old timestamp, a swapped timestamp or a tampered body fail it', async () => {
    mode = 'ok'
    const hook = { url: hookUrl('/signature'), secret: SECRET, types: ['added' as const] }
    const d = new WebhookDispatcher([hook], pino({ level: 'silent' }), { retryDelaysMs: [] })
    const body = JSON.stringify({ object: 'catalog.changes', catalog_version: 7, data: [] })
    expect(await d.deliver(hook, body)).toBe(true)
    const { signature } = got[0]!
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/)
    const t = Number(/^t=(\d+)/.exec(signature!)![1])
    expect(Math.abs(t - Date.now() / 1000)).toBeLessThan(60)
    expect(verify(SECRET, signature, body, t)).toBe(true)
    expect(verify(SECRET, signature, body, t + 300)).toBe(true) // near miss: the edge of the window
    // a captured delivery replayed later
    expect(verify(SECRET, signature, body, t + 301)).toBe(false)
    expect(verify(SECRET, signature, body, t - 301)).toBe(false)
    // the replayer puts a fresh timestamp on it: the HMAC covers the timestamp
    expect(verify(SECRET, signature!.replace(/^t=\d+/, `t=${t + 400}`), body, t + 400)).toBe(false)
    // a tampered body, another secret
    expect(verify(SECRET, signature, body.replace('7', '8'), t)).toBe(false)
    expect(verify('another-secret-0123456789', signature, body, t)).toBe(false)
    d.stop()
  })
})
