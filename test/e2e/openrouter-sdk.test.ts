import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { openCapturedCatalog } from '../helpers/captured-catalog'
import { serveChecked } from '../helpers/contracts'
import type { FakeUpstream } from '../helpers/fake-upstream'
import type { Harness } from '../helpers/harness'

/**
 * The official OpenRouter SDK (`@openrouter/sdk`, which validates every answer with its own zod schemas)
 * against GET /api/v1/models over real HTTP, `serverURL` = modelcat + /api/v1. Real captures of Groq (no
 * prices, no descriptions), Together (per-1M prices) and OpenRouter (with `-1` routers).
 */
setDefaultTimeout(30_000)

// imported by a computed name: the SDK's typings pull node:stream/web into the whole typecheck, which clashes
// with Bun's DOM streams (test/e2e/server.test.ts); the SDK itself runs as it is
const SDK = '@openrouter/sdk'
const { OpenRouter } = (await import(SDK)) as { OpenRouter: new (opts: object) => any }
const { Model$inboundSchema } = (await import(`${SDK}/models`)) as { Model$inboundSchema: { safeParse(v: unknown): { success: boolean } } }

let up: FakeUpstream
let h: Harness
let server: { stop(): void; url: URL }
let sdk: any
const broken: string[] = []

beforeAll(async () => {
  ;({ up, h } = await openCapturedCatalog())
  server = serveChecked(h.app, (req) => h.handler(req), broken)
  sdk = new OpenRouter({ serverURL: `${server.url.href}api/v1`, apiKey: 'unused', retryConfig: { strategy: 'none' } })
})
afterEach(() => {
  if (broken.length) throw new Error(broken.splice(0).join('\n'))
})
afterAll(async () => {
  server.stop()
  await h.close()
  up.stop()
})

describe('@openrouter/sdk models.list() against /api/v1/models', () => {
  test('reads every offering of the catalog (the SDK pages by 500), each passing its schema', async () => {
    const page = await sdk.models.list()
    const ids: string[] = page.result.data.map((m: any) => m.id)
    let next = page.next ? await page.next() : null
    while (next) {
      ids.push(...next.result.data.map((m: any) => m.id))
      next = next.next ? await next.next() : null
    }
    expect(page.result.totalCount).toBe(h.store.countOfferings())
    expect(ids.length).toBe(h.store.countOfferings())
    expect(new Set(ids)).toEqual(new Set(h.store.listOfferings().map((r) => r.id)))
  })

  test('OpenRouter\'s conventions for what is unknown: price "-1" (never "0"), description ""', async () => {
    const { result } = await sdk.models.list({ limit: 1000 })
    const byId = new Map<string, any>(result.data.map((m: any) => [m.id, m]))
    // a router whose price varies (the capture's -1): "-1", never a number
    expect(byId.get('openrouter/openrouter/auto')!.pricing).toMatchObject({ prompt: '-1', completion: '-1' })
    // Groq's list states no prices and no description
    const groq = byId.get('groq/llama-3.3-70b-versatile')!
    expect([groq.pricing.prompt, groq.pricing.completion, groq.description]).toEqual(['-1', '-1', ''])
    // a known price passes exactly; a free one stays "0"
    expect(byId.get('together/meta-llama/Llama-3.3-70B-Instruct-Turbo')!.pricing.prompt).toBe('0.00000088')
    expect(byId.get('openrouter/meta-llama/llama-3.3-70b-instruct:free')!.pricing.prompt).toBe('0')
    const m = byId.get('openrouter/meta-llama/llama-3.3-70b-instruct')!
    expect(m.canonicalSlug).toBe('meta/llama-3.3-70b-instruct')
    expect(m.architecture.modality).toBe('text->text')
    expect(m.links.details).toBe('/v1/models/openrouter/meta-llama/llama-3.3-70b-instruct')
  })

  test('the filters of /v1/models apply, and /v1/models is unchanged', async () => {
    const { result } = await sdk.models.list({ limit: 1000, supportedParameters: 'tools' })
    expect(result.data.length).toBeGreaterThan(0)
    expect(result.data.every((m: any) => m.supportedParameters.includes('tools'))).toBe(true)
    const groq = (await (await h.get('/api/v1/models?gateway=groq')).json()) as { data: { id: string }[]; total_count: number }
    expect(groq.data.every((m) => m.id.startsWith('groq/'))).toBe(true)
    expect(groq.total_count).toBe(groq.data.length)
    const list = (await (await h.get('/v1/models?gateway=groq')).json()) as { object: string; data: { id: string; pricing: object }[] }
    expect(list.object).toBe('list')
    expect(list.data.map((m) => m.id)).toEqual(groq.data.map((m) => m.id))
  })

  test('paging: links.next names the next page, null on the last', async () => {
    const first = (await (await h.get('/api/v1/models?limit=10')).json()) as { data: { id: string }[]; links: { next: string | null }; total_count: number }
    expect(first.data).toHaveLength(10)
    expect(first.links.next).toBe('/api/v1/models?limit=10&offset=10')
    const last = (await (await h.get(`/api/v1/models?limit=10&offset=${first.total_count - 3}`)).json()) as typeof first
    expect([last.data.length, last.links.next]).toEqual([3, null])
  })

  test('the SDK rejects an answer that breaks its schema: a near miss with a price absent', async () => {
    const body = (await (await h.get('/api/v1/models?limit=1')).json()) as { data: Record<string, any>[] }
    expect(Model$inboundSchema.safeParse(body.data[0]).success).toBe(true)
    const { completion: _c, ...pricing } = body.data[0]!.pricing
    expect(Model$inboundSchema.safeParse({ ...body.data[0], pricing }).success).toBe(false)
    expect(Model$inboundSchema.safeParse({ ...body.data[0], description: null }).success).toBe(false)
  })
})
