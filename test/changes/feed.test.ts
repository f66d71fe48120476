import { afterEach, describe, expect, test } from 'bun:test'
import { createHmac } from 'node:crypto'
import { FakeUpstream } from '../helpers/fake-upstream'
import { makeHarness, tomlFor, type Harness } from '../helpers/harness'
import { toDecimal } from '../../src/lib/decimal'

/** The change feed on real consecutive captures: OpenRouter 2025-04-24 → 2025-05-12. */
const OR = '/openrouter/api/v1'
const FIX = `${import.meta.dir}/../fixtures/upstream/openrouter`
const OLD = 'openrouter/roo-code_openrouter-models_2025-04-24.DECODED_BODY.json'
const NEW = 'openrouter/roo-code_openrouter-models_2025-05-12.DECODED_BODY.json'

let up: FakeUpstream | undefined
let h: Harness | undefined
let receiver: ReturnType<typeof Bun.serve> | undefined
afterEach(async () => {
  await h?.close()
  up?.stop()
  receiver?.stop(true)
  h = up = receiver = undefined
})

type Raw = { id: string; context_length: number | null; pricing: Record<string, string> }
const load = async (f: string) => ((await Bun.file(`${FIX}/${f.split('/')[1]}`).json()) as { data: Raw[] }).data

/** The diff computed here, independently of the service, from the two files. */
async function expectedDiff() {
  const [before, after] = [new Map((await load(OLD)).map((m) => [m.id, m])), new Map((await load(NEW)).map((m) => [m.id, m]))]
  const price = (m: Raw) => {
    const out: Record<string, string> = {}
    for (const [k, v] of Object.entries(m.pricing)) {
      const d = toDecimal(v)
      if (d !== null && !d.startsWith('-') && ['prompt', 'completion', 'request', 'image', 'web_search', 'internal_reasoning', 'input_cache_read', 'input_cache_write'].includes(k)) out[k] = d
    }
    return out
  }
  const same = (a: Record<string, string>, b: Record<string, string>) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort())
  const added = [...after.keys()]
    .filter((id) => !before.has(id))
    .map((id) => `openrouter/${id}`)
    .sort()
  const removed = [...before.keys()]
    .filter((id) => !after.has(id))
    .map((id) => `openrouter/${id}`)
    .sort()
  const priceChanged = [...after.values()]
    .filter((m) => before.has(m.id) && !same(price(before.get(m.id)!), price(m)))
    .map((m) => `openrouter/${m.id}`)
    .sort()
  const contextChanged = [...after.values()]
    .filter((m) => before.has(m.id) && before.get(m.id)!.context_length !== m.context_length)
    .map((m) => `openrouter/${m.id}`)
    .sort()
  return { added, removed, priceChanged, contextChanged }
}

const setup = async (extraToml = '') => {
  up = new FakeUpstream().replay(`${OR}/models`, OLD)
  h = makeHarness({ toml: `${tomlFor(up.url, { openrouter: OR })}\n${extraToml}` })
  await h.worker.refresh()
  up.replay(`${OR}/models`, NEW)
  await h.worker.refresh()
  return h
}

describe('the change feed', () => {
  test('the first list is a baseline; the second refresh records exactly the diff of the two captures', async () => {
    const h = await setup()
    const all: any[] = []
    let cursor: string | null = null
    do {
      const page = (await (await h.get(`/v1/changes?limit=50${cursor ? `&cursor=${cursor}` : ''}`)).json()) as any
      all.push(...page.data)
      cursor = page.next_cursor
    } while (cursor)
    const diff = await expectedDiff()
    const ids = (type: string) =>
      all
        .filter((c) => c.type === type)
        .map((c) => c.model)
        .sort()
    expect(diff.added.length).toBeGreaterThan(0)
    expect(diff.removed.length).toBeGreaterThan(0)
    expect(ids('added')).toEqual(diff.added)
    expect(ids('removed')).toEqual(diff.removed)
    const changed = all.filter((c) => c.type === 'changed')
    expect(
      changed
        .filter((c) => c.detail.pricing)
        .map((c) => c.model)
        .sort(),
    ).toEqual(diff.priceChanged)
    expect(
      changed
        .filter((c) => c.detail.context_length)
        .map((c) => c.model)
        .sort(),
    ).toEqual(diff.contextChanged)
    // every change of that refresh carries the version it produced
    expect(new Set(all.map((c) => c.catalog_version))).toEqual(new Set([h.store.version]))
    // a pricing change states from and to exactly
    const one = changed.find((c) => c.detail.pricing)
    if (one) {
      const [b, a] = [(await load(OLD)).find((m) => `openrouter/${m.id}` === one.model)!, (await load(NEW)).find((m) => `openrouter/${m.id}` === one.model)!]
      expect(one.detail.pricing.from.prompt).toBe(toDecimal(b.pricing.prompt))
      expect(one.detail.pricing.to.prompt).toBe(toDecimal(a.pricing.prompt))
    }
  })

  test('filters: type, gateway, since (version and time); bad since is a 400 naming it', async () => {
    const h = await setup()
    const added = (await (await h.get('/v1/changes?type=added&limit=1000')).json()) as any
    expect(added.data.every((c: any) => c.type === 'added')).toBe(true)
    expect((await (await h.get(`/v1/changes?since=${h.store.version}`)).json()) as any).toMatchObject({ data: [] })
    expect(((await (await h.get(`/v1/changes?since=${h.store.version - 1}&limit=1000`)).json()) as any).data.length).toBeGreaterThan(0)
    expect(((await (await h.get(`/v1/changes?since=2999-01-01T00:00:00Z`)).json()) as any).data).toEqual([])
    expect(((await (await h.get(`/v1/changes?since=2000-01-01T00:00:00Z&limit=1000`)).json()) as any).data.length).toBe(((await (await h.get('/v1/changes?limit=1000')).json()) as any).data.length)
    const bad = await h.get('/v1/changes?since=yesterday')
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as any).error.param).toBe('since')
    expect((await h.get('/v1/changes?gateway=nope')).status).toBe(400)
  })

  test('the Atom feed lists the added models', async () => {
    const h = await setup()
    const res = await h.get('/v1/changes.atom')
    expect(res.headers.get('content-type')).toContain('application/atom+xml')
    const xml = await res.text()
    expect(xml).toStartWith('<?xml')
    const diff = await expectedDiff()
    const entries = xml.match(/<entry>/g)?.length ?? 0
    expect(entries).toBe(Math.min(100, diff.added.length))
    for (const id of diff.added.slice(0, 5)) expect(xml).toContain(`/v1/models/${id.replace(/&/g, '&amp;')}`)
  })

  test('first_seen_at stays for a model seen before; a new one is newer; sort=newest puts new models first', async () => {
    up = new FakeUpstream().replay(`${OR}/models`, OLD)
    h = makeHarness({ toml: tomlFor(up.url, { openrouter: OR }) })
    await h.worker.refresh()
    const newIds = new Set((await load(NEW)).map((m) => m.id))
    const kept = (await load(OLD)).find((m) => newIds.has(m.id))!.id
    const first = (await (await h.get(`/v1/models/openrouter/${kept}`)).json()) as any
    await Bun.sleep(1100) // first_seen_at has second resolution
    up.replay(`${OR}/models`, NEW)
    await h.worker.refresh()
    const diff = await expectedDiff()
    const again = (await (await h.get(`/v1/models/openrouter/${kept}`)).json()) as any
    expect(again.first_seen_at).toBe(first.first_seen_at)
    expect(Date.parse(again.last_seen_at)).toBeGreaterThan(Date.parse(first.last_seen_at))
    const fresh = (await (await h.get(`/v1/models/${diff.added[0]}`)).json()) as any
    expect(Date.parse(fresh.first_seen_at)).toBeGreaterThan(Date.parse(first.first_seen_at))
    const newest = (await (await h.get(`/v1/models?sort=newest&limit=${diff.added.length}`)).json()) as any
    expect(newest.data.map((m: any) => m.id).sort()).toEqual(diff.added)
    const unique = (await (await h.get('/v1/models?unique=true&limit=1')).json()) as any
    expect(unique.data[0].first_seen_at).toMatch(/^\d{4}-/)
  })
})

describe('webhooks', () => {
  test('each commit with changes is POSTed, HMAC-signed; a failing receiver is retried; refreshes never wait', async () => {
    const got: { body: string; signature: string | null; attempt: string | null }[] = []
    let failFirst = true
    receiver = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      async fetch(req) {
        const body = await req.text()
        got.push({ body, signature: req.headers.get('x-modelcat-signature'), attempt: req.headers.get('x-modelcat-attempt') })
        if (failFirst) {
          failFirst = false
          return new Response('busy', { status: 503 })
        }
        return new Response('ok')
      },
    })
    const secret = 'a-very-secret-secret'
    const h = await setup(`[[webhooks]]\nurl = "${receiver.url.href}hook"\nsecret = "${secret}"\ntypes = ["added", "removed"]\n`)
    for (let i = 0; i < 100 && got.length < 2; i++) await Bun.sleep(20)
    expect(got.length).toBe(2) // one refused, one retried and delivered
    expect(got.map((g) => g.attempt)).toEqual(['1', '2'])
    const { body, signature } = got[1]!
    const t = /^t=(\d+),/.exec(signature ?? '')?.[1]
    expect(signature).toBe(`t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`)
    const payload = JSON.parse(body)
    expect(payload.catalog_version).toBe(h.store.version)
    const diff = await expectedDiff()
    expect(
      payload.data
        .filter((c: any) => c.type === 'added')
        .map((c: any) => c.model)
        .sort(),
    ).toEqual(diff.added)
    expect(payload.data.some((c: any) => c.type === 'changed')).toBe(false) // not subscribed
  })
})
