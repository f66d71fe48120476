import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { getOk, openCapturedCatalog } from '../helpers/captured-catalog'
import type { FakeUpstream } from '../helpers/fake-upstream'
import type { Harness } from '../helpers/harness'

let up: FakeUpstream
let h: Harness
let offerings: any[]
beforeAll(async () => {
  ;({ up, h } = await openCapturedCatalog())
  offerings = ((await (await h.get('/v1/models')).json()) as { data: any[] }).data
})
afterAll(async () => {
  await h.close()
  up.stop()
})

const get = (path: string) => getOk(h, path)

/** The cheapest offering, computed here independently of SQLite: lowest prompt, then completion, then id. */
function cheapest(group: any[]) {
  const priced = group.filter((o) => o.pricing.prompt != null) // issue 15: a variable (null) price is no price to be cheapest by
  priced.sort((a, b) => Number(a.pricing.prompt) - Number(b.pricing.prompt) || Number(a.pricing.completion ?? Infinity) - Number(b.pricing.completion ?? Infinity) || (a.id < b.id ? -1 : 1))
  return priced[0] ?? null
}

describe('GET /v1/models?unique=true', () => {
  test('one entry per canonical model, never an empty list while the catalog has models', async () => {
    const body = await get('/v1/models?unique=true')
    const canon = [...new Set(offerings.map((o) => o.canonical_id))].sort()
    expect(body.data.length).toBeGreaterThan(0)
    expect(body.data.map((m: any) => m.id)).toEqual(canon)
  })

  test('each entry lists every provider offering the model, with prices, and the cheapest one', async () => {
    const body = await get('/v1/models?unique=true')
    for (const m of body.data) {
      const group = offerings.filter((o) => o.canonical_id === m.id)
      expect(m.provider_count).toBe(group.length)
      expect(m.providers.map((p: any) => p.id)).toEqual(group.map((o) => o.id))
      for (const p of m.providers) {
        const o = group.find((x) => x.id === p.id)
        expect(p.pricing).toEqual(o.pricing)
        expect(p.provider).toBe(o.provider)
        expect(p.status).toBe('ok')
      }
      const c = cheapest(group)
      expect(m.cheapest?.id ?? null).toBe(c?.id ?? null)
      expect(m.pricing).toEqual(c?.pricing ?? {})
      expect(m.context_length).toBe(Math.max(...group.map((o) => o.context_length ?? -1)) === -1 ? null : Math.max(...group.map((o) => o.context_length ?? -1)))
    }
    const llama = body.data.find((m: any) => m.id === 'meta/llama-3.3-70b-instruct')
    expect(new Set(llama.providers.map((p: any) => p.provider))).toEqual(new Set(['groq', 'together', 'openrouter']))
  })

  test('gateway applies before grouping', async () => {
    const body = await get('/v1/models?unique=true&gateway=groq,together')
    for (const m of body.data) for (const p of m.providers) expect(['groq', 'together']).toContain(p.provider)
    const llama = body.data.find((m: any) => m.id === 'meta/llama-3.3-70b-instruct')
    expect(llama.provider_count).toBe(offerings.filter((o) => o.canonical_id === llama.id && o.provider !== 'openrouter').length)
  })

  test('paging: total counts canonical models and the pages add up to the full unique list', async () => {
    const full = (await get('/v1/models?unique=true')).data.map((m: any) => m.id)
    const seen: string[] = []
    for (let offset = 0; ; offset += 50) {
      const page = await get(`/v1/models?unique=true&limit=50&offset=${offset}`)
      expect(page.total).toBe(full.length)
      seen.push(...page.data.map((m: any) => m.id))
      if (!page.has_more) break
    }
    expect(seen).toEqual(full)
  })
})

describe('GET /v1/models/{canonical id}', () => {
  test('a canonical id answers the canonical model with all its offerings, like the unique view', async () => {
    const unique = (await get('/v1/models?unique=true')).data.find((m: any) => m.id === 'meta/llama-3.3-70b-instruct')
    expect(await get('/v1/models/meta/llama-3.3-70b-instruct')).toEqual(unique)
  })

  test('an offering id answers the offering plus every provider of its model', async () => {
    const m = await get('/v1/models/groq/llama-3.3-70b-versatile')
    expect(m.id).toBe('groq/llama-3.3-70b-versatile')
    expect(m.canonical_id).toBe('meta/llama-3.3-70b-instruct')
    expect(m.providers.map((p: any) => p.id)).toEqual(offerings.filter((o) => o.canonical_id === m.canonical_id).map((o) => o.id))
  })

  test('neither → 404 in the error shape', async () => {
    const res = await h.get('/v1/models/nobody/nothing')
    expect(res.status).toBe(404)
    expect(((await res.json()) as any).error.code).toBe('model_not_found')
  })
})
