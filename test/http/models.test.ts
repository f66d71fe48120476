import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { GROQ, openCapturedCatalog } from '../helpers/captured-catalog'
import type { FakeUpstream } from '../helpers/fake-upstream'
import type { Harness } from '../helpers/harness'

const FIX = `${import.meta.dir}/../fixtures/upstream`

type ModelObj = Record<string, any> & { id: string; pricing: Record<string, string> }
type List = { object: string; data: ModelObj[]; total?: number; has_more?: boolean }

let up: FakeUpstream
let h: Harness
let groqIds: string[]
let togetherRaw: any[]
let openrouterRaw: any[]

beforeAll(async () => {
  ;({ up, h } = await openCapturedCatalog())
  groqIds = ((await Bun.file(`${FIX}/groq/groq_models_2026-01-22.json`).json()) as { data: { id: string }[] }).data.map((m) => `groq/${m.id}`)
  togetherRaw = await Bun.file(`${FIX}/together/together_v1_models_2026-01-23.json`).json()
  openrouterRaw = ((await Bun.file(`${FIX}/openrouter/roo-code_openrouter-models_2025-05-12.DECODED_BODY.json`).json()) as { data: any[] }).data
})
afterAll(async () => {
  await h.close()
  up.stop()
})

const list = async (path: string) => {
  const res = await h.get(path)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toBe('application/json')
  return (await res.json()) as List
}

describe('GET /v1/models', () => {
  test('without limit returns every model of every provider, OpenAI envelope, ordered by id, no paging fields', async () => {
    const body = await list('/v1/models')
    expect(body.object).toBe('list')
    expect(body.data.length).toBe(groqIds.length + togetherRaw.length + openrouterRaw.length)
    const ids = body.data.map((m) => m.id)
    expect(ids).toEqual([...ids].sort())
    expect(new Set(ids).size).toBe(ids.length)
    expect(body.total).toBeUndefined()
    expect(body.has_more).toBeUndefined()
  })

  test('every item carries the contract fields', async () => {
    const body = await list('/v1/models')
    for (const m of body.data) {
      expect(m.object).toBe('model')
      expect(m.id).toBe(`${m.provider}/${m.provider_model_id}`)
      expect(Number.isInteger(m.created)).toBe(true)
      expect(typeof m.owned_by).toBe('string')
      expect(typeof m.name).toBe('string')
      expect(m.context_length === null || Number.isInteger(m.context_length)).toBe(true)
      expect(typeof m.pricing).toBe('object')
      // issue 15: a variable price (the upstream's "-1") is null, and only then; every other price is a decimal
      for (const v of Object.values(m.pricing)) {
        if (v === null) expect(m.pricing_variable).toBe(true)
        else expect(v).toMatch(/^\d+(\.\d+)?$/)
      }
    }
  })

  test('Together per-1M prices become exact USD-per-token strings; OpenRouter strings pass through unchanged', async () => {
    const body = await list('/v1/models')
    const byId = new Map(body.data.map((m) => [m.id, m]))
    const llama = togetherRaw.find((m) => m.id === 'meta-llama/Llama-3.3-70B-Instruct-Turbo')
    expect(llama.pricing.input).toBe(0.88)
    expect(byId.get('together/meta-llama/Llama-3.3-70B-Instruct-Turbo')!.pricing).toEqual({ prompt: '0.00000088', completion: '0.00000088' })
    for (const raw of openrouterRaw.filter((m) => !String(m.pricing.prompt).startsWith('-')).slice(0, 50)) {
      const m = byId.get(`openrouter/${raw.id}`)!
      expect(m.pricing.prompt).toBe(raw.pricing.prompt)
      expect(m.pricing.completion).toBe(raw.pricing.completion)
      expect(m.context_length).toBe(raw.context_length)
    }
  })

  test('limit/offset pages carry total and has_more, and the pages add up to the full list', async () => {
    const full = (await list('/v1/models')).data.map((m) => m.id)
    const seen: string[] = []
    let offset = 0
    for (;;) {
      const page = await list(`/v1/models?limit=100&offset=${offset}`)
      expect(page.total).toBe(full.length)
      seen.push(...page.data.map((m) => m.id))
      offset += page.data.length
      expect(page.has_more).toBe(offset < full.length)
      if (!page.has_more) break
    }
    expect(seen).toEqual(full)
    const past = await list(`/v1/models?limit=10&offset=${full.length + 5}`)
    expect(past.data).toEqual([])
    expect(past.has_more).toBe(false)
  })

  test('gateway selects one provider, an alias, or a comma list', async () => {
    const groq = await list('/v1/models?gateway=groq')
    expect(groq.data.map((m) => m.id)).toEqual([...groqIds].sort())
    const alias = await list('/v1/models?gateway=togetherai')
    expect(alias.data.length).toBe(togetherRaw.length)
    expect(alias.data.every((m) => m.provider === 'together')).toBe(true)
    const both = await list('/v1/models?gateway=groq,togetherai')
    expect(both.data.length).toBe(groqIds.length + togetherRaw.length)
    const all = await list('/v1/models?gateway=all')
    expect(all.data.length).toBe(groqIds.length + togetherRaw.length + openrouterRaw.length)
    const paged = await list('/v1/models?gateway=groq&limit=5')
    expect(paged.total).toBe(groqIds.length)
  })

  test('an unknown gateway is a 400 in the error shape that lists the valid gateways', async () => {
    const res = await h.get('/v1/models?gateway=groq,nope')
    expect(res.status).toBe(400)
    const body = (await res.json()) as { error: { message: string; type: string; param: string; code: string } }
    expect(body.error.type).toBe('invalid_request_error')
    expect(body.error.param).toBe('gateway')
    expect(body.error.message).toContain("'nope'")
    for (const g of ['groq', 'together', 'togetherai', 'openrouter', 'hug', 'huggingface']) expect(body.error.message).toContain(g)
  })

  test.each([
    ['limit=0', 'limit'],
    ['limit=1001', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=2.5', 'limit'],
    ['offset=-1', 'offset'],
  ])('a bad %s is a 400 naming the parameter', async (query, param) => {
    const res = await h.get(`/v1/models?${query}`)
    expect(res.status).toBe(400)
    const body = (await res.json()) as { error: { param: string; type: string; message: string } }
    expect(body.error).toMatchObject({ param, type: 'invalid_request_error' })
    expect(body.error.message).toContain(param)
  })

  test('unknown query parameters are ignored (OpenAI clients send extras)', async () => {
    const a = await (await h.get('/v1/models?gateway=groq')).text()
    const b = await (await h.get('/v1/models?gateway=groq&foo=bar&api-version=2024')).text()
    expect(b).toBe(a)
  })

  test('the answer is served from the per-version cache and changes when the catalog version changes', async () => {
    const first = await h.get('/v1/models?gateway=groq')
    const version = first.headers.get('x-catalog-version')
    expect(version).toBe(String(h.store.version))
    const again = await h.get('/v1/models?gateway=groq')
    const firstText = await first.text()
    expect(await again.clone().text()).toBe(firstText)
    // the same list again: nothing changed, so the version (and every cached answer) stays
    await h.worker.refresh({ providers: ['groq'] })
    expect((await h.get('/v1/models?gateway=groq')).headers.get('x-catalog-version')).toBe(version)
    // a different list: a new version
    up.replay(`${GROQ}/models`, 'groq/groq_models_2025-10-05.json')
    await h.worker.refresh({ providers: ['groq'] })
    const after = await h.get('/v1/models?gateway=groq')
    expect(after.headers.get('x-catalog-version')).toBe(String(Number(version) + 1))
    expect(await after.text()).not.toBe(await again.text())
    up.replay(`${GROQ}/models`, 'groq/groq_models_2026-01-22.json')
    await h.worker.refresh({ providers: ['groq'] })
  })
})

describe('GET /v1/models/{id}', () => {
  test('returns the same object as the list, for ids with slashes', async () => {
    const body = await list('/v1/models')
    const m = body.data.find((x) => x.id === 'together/meta-llama/Llama-3.3-70B-Instruct-Turbo')!
    const res = await h.get('/v1/models/together/meta-llama/Llama-3.3-70B-Instruct-Turbo')
    expect(res.status).toBe(200)
    const { providers, ...same } = (await res.json()) as any
    expect(same).toEqual(m)
    // plus every provider of the same underlying model
    expect(providers.map((p: any) => p.id)).toEqual(body.data.filter((x) => x.canonical_id === m.canonical_id).map((x) => x.id))
    const colon = body.data.find((x) => x.id.endsWith(':free'))!
    const { providers: _p, ...colonSame } = (await (await h.get(`/v1/models/${colon.id}`)).json()) as any
    expect(colonSame).toEqual(colon)
  })

  test('an unknown id is a 404 in the error shape', async () => {
    const res = await h.get('/v1/models/groq/does-not-exist')
    expect(res.status).toBe(404)
    expect(((await res.json()) as any).error).toMatchObject({ type: 'not_found_error', code: 'model_not_found' })
  })
})

describe('errors', () => {
  test('an unknown route is a 404 in the error shape', async () => {
    const res = await h.get('/v2/nothing')
    expect(res.status).toBe(404)
    expect(((await res.json()) as any).error).toMatchObject({ type: 'not_found_error', param: null })
  })
})

describe('disabled gateways', () => {
  test('asking for a configured but disabled provider is a 400 that says so, not a silent empty list', async () => {
    // refresh.providers = [groq, together, openrouter]: huggingface is configured but disabled
    const res = await h.get('/v1/models?gateway=hug')
    expect(res.status).toBe(400)
    const body = (await res.json()) as { error: { code: string; param: string; message: string } }
    expect(body.error).toMatchObject({ code: 'gateway_disabled', param: 'gateway' })
    expect(body.error.message).toContain('huggingface')
  })
})
