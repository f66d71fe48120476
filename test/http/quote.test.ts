import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { openCapturedCatalog } from '../helpers/captured-catalog'
import { type FakeUpstream, FIXTURES } from '../helpers/fake-upstream'
import type { Harness } from '../helpers/harness'

/**
 * Issue 20, POST /v1/quote, through the whole service: fake upstreams on 127.0.0.1 replaying real captures
 * (Groq 2026-01-22, Together 2026-01-23, OpenRouter 2025-05-12), a real SQLite file, every answer checked
 * against its route's schema by the harness. Every expected cost is worked out by hand below from the
 * capture's price strings (each string is asserted first, so a changed fixture fails loudly).
 *
 * The OpenRouter capture predates `pricing.overrides`; the tier test DERIVES a body from it: the capture with
 * one override added to google/gemini-2.5-pro-preview, in the shape of `@openrouter/sdk` 1.3.19's
 * PricingOverride ({min_prompt_tokens, prompt, completion, input_cache_read}); the override's values are
 * Google's published >200k prices for Gemini 2.5 Pro ($2.50 / $15 / $0.625 per 1M).
 */

setDefaultTimeout(30_000)

let up: FakeUpstream
let h: Harness
let raw: { id: string; pricing: Record<string, string> }[]

const price = (id: string, key: string) => raw.find((m) => m.id === id)!.pricing[key]

beforeAll(async () => {
  const capture = (await Bun.file(`${FIXTURES}/openrouter/roo-code_openrouter-models_2025-05-12.DECODED_BODY.json`).json()) as { data: typeof raw }
  raw = capture.data
  const derived = structuredClone(capture)
  const gemini = derived.data.find((m) => m.id === 'google/gemini-2.5-pro-preview')!
  ;(gemini.pricing as Record<string, unknown>).overrides = [{ min_prompt_tokens: 200000, prompt: '0.0000025', completion: '0.000015', input_cache_read: '0.000000625' }]
  const flash = derived.data.find((m) => m.id === 'google/gemini-2.5-flash-preview')!
  // a time-of-day override (OpenRouter's utc_start/utc_end/utc_days), half the prompt price on weekend nights
  ;(flash.pricing as Record<string, unknown>).overrides = [{ utc_start: 100, utc_end: 400, utc_days: ['saturday', 'sunday'], prompt: '0.000000075' }]
  ;({ up, h } = await openCapturedCatalog({ openrouterBody: JSON.stringify(derived) }))
})
afterAll(async () => {
  await h.close()
  up.stop()
})

const quote = async (body: unknown, status = 200) => {
  const res = await h.post('/v1/quote', {}, body)
  const json = (await res.json()) as any
  expect(`${res.status} ${JSON.stringify(json).slice(0, 300)}`).toStartWith(String(status))
  return json
}
const offering = (q: any, id: string) => q.offerings.find((o: any) => o.id === id)

describe('POST /v1/quote: exact costs', () => {
  test('a tiered OpenRouter model on both sides of its threshold (and at it: the tier needs strictly more)', async () => {
    const id = 'openrouter/google/gemini-2.5-pro-preview'
    expect([price('google/gemini-2.5-pro-preview', 'prompt'), price('google/gemini-2.5-pro-preview', 'completion')]).toEqual(['0.00000125', '0.00001'])
    // under: 100000 × 0.00000125 = 0.125; 2000 × 0.00001 = 0.02; request 1 × 0 = 0 → 0.145
    const under = offering(await quote({ model: id, input_tokens: 100000, output_tokens: 2000 }), id)
    expect(under.cost).toBe('0.145')
    expect(under.line_items.map((i: any) => [i.part, i.price_key, i.quantity, i.unit_price, i.cost, i.tier])).toEqual([
      ['input', 'prompt', 100000, '0.00000125', '0.125', null],
      ['output', 'completion', 2000, '0.00001', '0.02', null],
      ['request', 'request', 1, '0', '0', null],
    ])
    // at the threshold: 200000 × 0.00000125 = 0.25; + 0.02 → 0.27 (base prices)
    expect(offering(await quote({ model: id, input_tokens: 200000, output_tokens: 2000 }), id).cost).toBe('0.27')
    // over: 250000 × 0.0000025 = 0.625; 2000 × 0.000015 = 0.03 → 0.655 (the tier's prices, and why)
    const over = offering(await quote({ model: id, input_tokens: 250000, output_tokens: 2000 }), id)
    expect(over.cost).toBe('0.655')
    const input = over.line_items.find((i: any) => i.part === 'input')
    expect([input.unit_price, input.cost, input.tier.index, input.tier.conditions]).toEqual(['0.0000025', '0.625', 0, { min_prompt_tokens: 200000 }])
    expect(input.tier.reason).toBe('prompt of 250000 tokens is over 200000 (min_prompt_tokens)')
    expect(over.line_items.find((i: any) => i.part === 'output').unit_price).toBe('0.000015')
    // over the threshold with a cache read: 50000 uncached × 0.0000025 = 0.125; 200000 cached × 0.000000625 = 0.125; 0.03 → 0.28
    const cached = offering(await quote({ model: id, input_tokens: 250000, cached_input_tokens: 200000, output_tokens: 2000 }), id)
    expect(cached.cost).toBe('0.28')
  })

  test('a cache-read request: cached tokens at input_cache_read, the rest at prompt', async () => {
    const id = 'openrouter/google/gemini-2.5-flash-preview'
    const m = 'google/gemini-2.5-flash-preview'
    expect([price(m, 'prompt'), price(m, 'input_cache_read'), price(m, 'completion')]).toEqual(['0.00000015', '0.0000000375', '0.0000006'])
    // 20000 × 0.00000015 = 0.003; 80000 × 0.0000000375 = 0.003; 1000 × 0.0000006 = 0.0006 → 0.0066
    const q = offering(await quote({ model: id, input_tokens: 100000, cached_input_tokens: 80000, output_tokens: 1000, at: '2026-06-10T12:00:00Z' }), id)
    expect(q.cost).toBe('0.0066')
    expect(q.line_items.find((i: any) => i.part === 'cached_input')).toMatchObject({ price_key: 'input_cache_read', quantity: 80000, cost: '0.003', tier: null })
    // no cache-read price (Together states none): cached tokens cost the prompt price, and the answer says so
    const llama = 'together/meta-llama/Llama-3.3-70B-Instruct-Turbo'
    const t = offering(await quote({ model: llama, input_tokens: 1000, cached_input_tokens: 400, output_tokens: 0 }), llama)
    // 600 × 0.00000088 = 0.000528; 400 × 0.00000088 = 0.000352 → 0.00088
    expect(t.cost).toBe('0.00088')
    expect(t.line_items[1]).toMatchObject({ part: 'cached_input', price_key: 'prompt', note: 'no input_cache_read price stated: billed at the prompt price' })
  })

  test('a time-of-day tier applies inside its UTC window only (`at`)', async () => {
    const id = 'openrouter/google/gemini-2.5-flash-preview'
    // Saturday 2026-06-13 02:30 UTC: inside 01:00–04:00 on saturday → 10000 × 0.000000075 = 0.00075
    const inside = offering(await quote({ model: id, input_tokens: 10000, output_tokens: 0, at: '2026-06-13T02:30:00Z' }), id)
    expect(inside.cost).toBe('0.00075')
    expect(inside.line_items[0].tier.reason).toBe('saturday 02:30 UTC is within 01:00–04:00 on saturday, sunday')
    // the same time on a Wednesday, and Saturday at 04:00 (the end is exclusive): the base 10000 × 0.00000015 = 0.0015
    expect(offering(await quote({ model: id, input_tokens: 10000, output_tokens: 0, at: '2026-06-10T02:30:00Z' }), id).cost).toBe('0.0015')
    expect(offering(await quote({ model: id, input_tokens: 10000, output_tokens: 0, at: '2026-06-13T04:00:00Z' }), id).cost).toBe('0.0015')
  })

  test('a variable-price router is reported, never priced as 0, and never the cheapest', async () => {
    expect([price('openrouter/auto', 'prompt'), price('openrouter/auto', 'completion')]).toEqual(['-1', '-1'])
    const q = await quote({ model: 'openrouter/openrouter/auto', input_tokens: 1000, output_tokens: 100 })
    expect(q.offerings).toHaveLength(1)
    const o = q.offerings[0]
    expect(o.cost).toBeNull()
    expect(o.priced_cost).toBe('0')
    expect(o.line_items).toEqual([])
    expect(o.unpriced).toEqual([
      { part: 'input', price_key: 'prompt', quantity: 1000, reason: 'variable' },
      { part: 'output', price_key: 'completion', quantity: 100, reason: 'variable' },
    ])
    expect(q.cheapest).toBeNull()
  })

  test('every offering of a canonical model, cheapest first; one whose context is exceeded is never `cheapest`', async () => {
    const ids = ['meta-llama/llama-3.3-70b-instruct:free', 'meta-llama/llama-3.3-70b-instruct']
    expect(ids.map((m) => [price(m, 'prompt'), price(m, 'completion')])).toEqual([
      ['0', '0'],
      ['0.00000009', '0.00000035'],
    ])
    const q = await quote({ model: 'meta/llama-3.3-70b-instruct', input_tokens: 10000, output_tokens: 1000 })
    const order = q.offerings.map((o: any) => [o.id, o.cost])
    // :free costs 0 but holds 8000 tokens; OpenRouter: 10000 × 0.00000009 = 0.0009 + 1000 × 0.00000035 = 0.00035 → 0.00125;
    // Together: 11000 × 0.00000088 = 0.00968; Groq states no prices: unknown, last
    expect(order).toEqual([
      ['openrouter/meta-llama/llama-3.3-70b-instruct:free', '0'],
      ['openrouter/meta-llama/llama-3.3-70b-instruct', '0.00125'],
      ['together/meta-llama/Llama-3.3-70B-Instruct-Turbo', '0.00968'],
      ['groq/llama-3.3-70b-versatile', null],
    ])
    expect(q.offerings[0].fits).toEqual({ context: false, output: expect.anything() })
    expect(q.offerings[0].context_length).toBe(8000)
    expect(q.cheapest).toEqual({ id: 'openrouter/meta-llama/llama-3.3-70b-instruct', provider: 'openrouter', cost: '0.00125' })
    expect(q.offerings[3].unpriced.map((u: any) => u.reason)).toEqual(['unknown', 'unknown'])
    // the near miss: a request that fits in 8000 tokens makes :free the cheapest
    const small = await quote({ model: 'meta/llama-3.3-70b-instruct', input_tokens: 6000, output_tokens: 1000 })
    expect(small.cheapest.id).toBe('openrouter/meta-llama/llama-3.3-70b-instruct:free')
  })

  test('filters: gateway, exclude_gateway, lifecycle', async () => {
    const ids = async (extra: object) => (await quote({ model: 'meta/llama-3.3-70b-instruct', input_tokens: 10, output_tokens: 10, ...extra })).offerings.map((o: any) => o.provider)
    expect(await ids({ gateway: 'together' })).toEqual(['together'])
    expect((await ids({ exclude_gateway: 'openrouter,groq' })).sort()).toEqual(['together'])
    expect((await ids({ lifecycle: 'active' })).length).toBe(4)
    expect(await ids({ lifecycle: 'deprecated' })).toEqual([])
    const bad = await quote({ model: 'meta/llama-3.3-70b-instruct', input_tokens: 10, output_tokens: 10, gateway: 'nope' }, 400)
    expect(bad.error.param).toBe('gateway')
  })

  test('requests, reasoning, images, web searches: every part multiplied, unknown prices flagged', async () => {
    const id = 'openrouter/openai/o3'
    expect([price('openai/o3', 'prompt'), price('openai/o3', 'completion'), price('openai/o3', 'internal_reasoning'), price('openai/o3', 'image')]).toEqual(['0.00001', '0.00004', '0', '0.00765'])
    // per request: 1000 × 0.00001 = 0.01; 500 output (incl. 300 reasoning: internal_reasoning is "0", so billed as output) × 0.00004 = 0.02;
    // 2 images × 0.00765 = 0.0153; request 0 → 0.0453; × 10 requests = 0.453
    const q = offering(await quote({ model: id, input_tokens: 1000, output_tokens: 500, reasoning_tokens: 300, images: 2, requests: 10 }), id)
    expect(q.cost).toBe('0.453')
    expect(q.line_items.find((i: any) => i.part === 'output').quantity).toBe(5000)
    expect(q.line_items.some((i: any) => i.part === 'reasoning')).toBe(false)
    // audio input: o3 states no `audio` price → unknown, the rest still summed as priced_cost
    const a = offering(await quote({ model: id, input_tokens: 1000, output_tokens: 0, audio_input_tokens: 50 }), id)
    expect([a.cost, a.priced_cost, a.unpriced]).toEqual([null, '0.01', [{ part: 'audio_input', price_key: 'audio', quantity: 50, reason: 'unknown' }]])
  })

  test('a batch answers each request in order, the same as one by one', async () => {
    const one = { model: 'openrouter/google/gemini-2.5-pro-preview', input_tokens: 250000, output_tokens: 2000, at: '2026-06-10T12:00:00Z' }
    const two = { model: 'meta/llama-3.3-70b-instruct', input_tokens: 10000, output_tokens: 1000, at: '2026-06-10T12:00:00Z' }
    const batch = await quote([one, two])
    expect(batch.object).toBe('list')
    expect(batch.data.map((q: any) => q.cheapest?.cost)).toEqual(['0.655', '0.00125'])
    expect(batch.data).toEqual([await quote(one), await quote(two)])
  })
})

describe('POST /v1/quote: bad input is a 400 naming the parameter', () => {
  const base = { model: 'meta/llama-3.3-70b-instruct', input_tokens: 10, output_tokens: 10 }
  const cases: [string, unknown, string | null][] = [
    ['missing input_tokens', { model: base.model, output_tokens: 1 }, 'input_tokens'],
    ['negative output_tokens', { ...base, output_tokens: -1 }, 'output_tokens'],
    ['fractional tokens', { ...base, input_tokens: 1.5 }, 'input_tokens'],
    ['tokens over the cap', { ...base, input_tokens: 100_000_001 }, 'input_tokens'],
    ['requests over the cap', { ...base, requests: 1_000_001 }, 'requests'],
    ['zero requests', { ...base, requests: 0 }, 'requests'],
    ['cached more than input', { ...base, cached_input_tokens: 11 }, 'cached_input_tokens'],
    ['reasoning more than output', { ...base, reasoning_tokens: 11 }, 'reasoning_tokens'],
    ['a bad cache_ttl', { ...base, cache_ttl: '2h' }, 'cache_ttl'],
    ['an unknown field (a typo)', { ...base, input_token: 5 }, 'input_token'],
    ['a model id over 300 characters', { ...base, model: 'x'.repeat(301) }, 'model'],
    ['a bad time', { ...base, at: 'yesterday' }, 'at'],
    ['a batch item', [base, { ...base, output_tokens: 'many' }], '[1].output_tokens'],
    ['an unknown field in a batch item', [base, base, { ...base, input_token: 5 }], '[2].input_token'],
    ['an empty batch', [], null],
    ['a batch over 100', Array.from({ length: 101 }, () => base), null],
    ['a string body', '"quote me"', null],
  ]
  for (const [name, body, param] of cases) {
    test(name, async () => {
      const res = await h.post('/v1/quote', {}, body)
      const json = (await res.json()) as any
      expect(res.status).toBe(400)
      expect(json.error.param).toBe(param)
      expect(json.error.type).toBe('invalid_request_error')
    })
  }

  test('the near misses pass: at the caps, cached + written = input, reasoning = output, a batch of 100', async () => {
    await quote({ ...base, input_tokens: 100_000_000, requests: 1_000_000, cached_input_tokens: 50_000_000, cache_write_tokens: 50_000_000 })
    await quote({ ...base, reasoning_tokens: 10, cache_ttl: '1h' })
    expect((await quote(Array.from({ length: 100 }, () => base))).data).toHaveLength(100)
  })

  test('an unknown model is a 404 naming the parameter (in a batch: its index)', async () => {
    expect((await quote({ ...base, model: 'nobody/nothing' }, 404)).error).toMatchObject({ param: 'model', code: 'model_not_found' })
    expect((await quote([base, { ...base, model: 'nobody/nothing' }], 404)).error.param).toBe('[1].model')
  })

  test('malformed JSON, a body over 256 KiB, a body without Content-Length', async () => {
    expect((await h.post('/v1/quote', {}, '{"model":')).status).toBe(400)
    const big = JSON.stringify({ ...base, model: 'x'.repeat(300 * 1024) })
    const tooBig = await h.post('/v1/quote', {}, big)
    expect([tooBig.status, ((await tooBig.json()) as any).error.code]).toEqual([413, 'body_too_large'])
    const chunked = await h.handler(new Request('http://localhost/v1/quote', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(base) }))
    expect(chunked.status).toBe(411)
  })
})

describe('POST /v1/quote from a browser', () => {
  test('CORS: the preflight allows POST with Content-Type; the answer is readable from any origin', async () => {
    const pre = await h.handler(new Request('http://localhost/v1/quote', { method: 'OPTIONS', headers: { origin: 'https://example.com', 'access-control-request-method': 'POST' } }))
    expect(pre.status).toBe(204)
    expect(pre.headers.get('access-control-allow-methods')).toBe('POST, OPTIONS')
    expect(pre.headers.get('access-control-allow-headers')).toContain('Content-Type')
    const res = await h.post('/v1/quote', { origin: 'https://example.com' }, { model: 'meta/llama-3.3-70b-instruct', input_tokens: 1, output_tokens: 1 })
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    // the GET routes' preflight is unchanged: no POST there
    const list = await h.handler(new Request('http://localhost/v1/models', { method: 'OPTIONS' }))
    expect(list.headers.get('access-control-allow-methods')).toBe('GET, HEAD, OPTIONS')
  })
})
