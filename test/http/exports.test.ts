import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import Ajv from 'ajv/dist/2020'
import { litellm } from '../../src/reference/litellm'
import { modelsDev } from '../../src/reference/models-dev'
import type { OfferingRow } from '../../src/catalog/rows'
import { VARIABLE_PRICE, type Pricing } from '../../src/domain/types'
import { getOk, openCapturedCatalog } from '../helpers/captured-catalog'
import { type FakeUpstream, FIXTURES } from '../helpers/fake-upstream'
import type { Harness } from '../helpers/harness'

/**
 * Issue 20, the exports: GET /v1/export/litellm.json validated by LiteLLM's own JSON schema
 * (test/fixtures/litellm, BerriAI/litellm's model_prices_and_context_window.schema.json) and
 * GET /v1/export/models.dev.json by a schema modelcat wrote from models.dev's published one
 * (test/fixtures/models.dev, labelled as ours); both schemas also accept the real files they describe (a check
 * of the schemas themselves). Both exports are read back by modelcat's own parsers: the same facts.
 * Captures: Groq 2026-01-22, Together 2026-01-23, OpenRouter 2025-05-12 with one override added to
 * google/gemini-2.5-pro-preview (in @openrouter/sdk 1.3.19's PricingOverride shape, as in quote.test.ts).
 */
setDefaultTimeout(60_000)
const ajv = new Ajv({ allErrors: true, strict: false })
let up: FakeUpstream
let h: Harness
let rows: OfferingRow[]
let validateLitellm: ReturnType<typeof ajv.compile>
let validateModelsDev: ReturnType<typeof ajv.compile>

beforeAll(async () => {
  const capture = (await Bun.file(`${FIXTURES}/openrouter/roo-code_openrouter-models_2025-05-12.DECODED_BODY.json`).json()) as { data: { id: string; pricing: Record<string, unknown> }[] }
  capture.data.find((m) => m.id === 'google/gemini-2.5-pro-preview')!.pricing.overrides = [{ min_prompt_tokens: 200000, prompt: '0.0000025', completion: '0.000015' }]
  ;({ up, h } = await openCapturedCatalog({ openrouterBody: JSON.stringify(capture) }))
  rows = h.store.listOfferings()
  validateLitellm = ajv.compile(await Bun.file(`${import.meta.dir}/../fixtures/litellm/model_prices_and_context_window.schema.json`).json())
  validateModelsDev = ajv.compile(await Bun.file(`${import.meta.dir}/../fixtures/models.dev/api.schema.modelcat-written.json`).json())
})
afterAll(async () => {
  await h.close()
  up.stop()
})

const get = (path: string): Promise<Record<string, any>> => getOk(h, path)
/** The prices a format can carry: known, not variable, under the given keys. */
const carried = (p: Pricing, keys: string[]) => Object.fromEntries(Object.entries(p).filter(([k, v]) => keys.includes(k) && v !== VARIABLE_PRICE))

describe('GET /v1/export/litellm.json', () => {
  test("passes LiteLLM's own schema (which accepts LiteLLM's real file, and refuses a near miss)", async () => {
    const body = await get('/v1/export/litellm.json')
    expect(Object.keys(body).length).toBe(rows.length)
    expect(validateLitellm(body), JSON.stringify(validateLitellm.errors?.slice(0, 3))).toBe(true)
    expect(validateLitellm(await Bun.file(`${FIXTURES}/litellm/model_prices_and_context_window_2026-03-14.json`).json())).toBe(true)
    const [key, entry] = Object.entries(body)[0]!
    expect(validateLitellm({ [key]: { ...entry, input_cost_per_token: -1 } })).toBe(false)
    expect(validateLitellm({ [key]: { ...entry, litellm_provider: undefined } })).toBe(false)
    expect(validateLitellm({ [key]: { ...entry, max_input_tokens: 1.5 } })).toBe(false)
  })

  test('entries: LiteLLM provider slugs and fields, tier keys, variable prices left out (never 0)', async () => {
    const body = await get('/v1/export/litellm.json')
    expect(body['openrouter/google/gemini-2.5-pro-preview']).toMatchObject({
      litellm_provider: 'openrouter',
      mode: 'chat',
      input_cost_per_token: 0.00000125,
      output_cost_per_token: 0.00001,
      cache_read_input_token_cost: 0.00000031,
      cache_creation_input_token_cost: 0.000001625,
      input_cost_per_token_above_200k_tokens: 0.0000025,
      output_cost_per_token_above_200k_tokens: 0.000015,
      max_input_tokens: 1048576,
      supports_prompt_caching: true,
    })
    expect(body['together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo']).toMatchObject({ litellm_provider: 'together_ai', input_cost_per_token: 0.00000088, max_input_tokens: 131072 })
    const router = body['openrouter/openrouter/auto']
    expect(router.litellm_provider).toBe('openrouter')
    expect('input_cost_per_token' in router || 'output_cost_per_token' in router).toBe(false)
    expect(body['groq/llama-3.3-70b-versatile'].input_cost_per_token).toBeUndefined()
  })

  test("round trip: modelcat's LiteLLM parser reads back every offering's prices and limits", async () => {
    const body = await get('/v1/export/litellm.json')
    const { entries, skipped } = litellm.parse(body)
    expect(skipped).toBe(0)
    const back = new Map(entries.map((e) => [`${e.provider}/${e.modelId}`, e]))
    const keys = ['prompt', 'completion', 'input_cache_read', 'input_cache_write', 'image', 'request', 'audio', 'internal_reasoning']
    let compared = 0
    for (const r of rows) {
      const e = back.get(r.id)!
      expect(e).toBeDefined()
      expect(e.contextLength ?? null).toBe(r.contextLength)
      // modelcat's LiteLLM parser reads an entry whose every price is 0 as "no statement" unless its key says free
      const expected = carried(r.pricing, keys)
      const allZero = Object.values(expected).every((v) => v === '0') && !/(^|[^a-z])free($|[^a-z])/i.test(r.id)
      expect([r.id, carried(e.pricing, keys)]).toEqual([r.id, allZero ? {} : expected])
      compared++
    }
    expect(compared).toBe(rows.length)
    expect(back.get('openrouter/google/gemini-2.5-pro-preview')!.priceTiers).toEqual([{ conditions: { min_prompt_tokens: 200000 }, pricing: { prompt: '0.0000025', completion: '0.000015' } }])
  })
})

describe('GET /v1/export/models.dev.json', () => {
  test('passes the schema written from models.dev (which accepts the real api.json, and refuses near misses)', async () => {
    const body = await get('/v1/export/models.dev.json')
    expect(validateModelsDev(body), JSON.stringify(validateModelsDev.errors?.slice(0, 3))).toBe(true)
    expect(validateModelsDev(await Bun.file(`${FIXTURES}/models.dev/models-dev_api_2026-06-13.json`).json())).toBe(true)
    const broken = structuredClone(body)
    const model = Object.values(broken.togetherai.models)[0] as Record<string, any>
    model.cost = { input: 1 }
    expect(validateModelsDev(broken)).toBe(false)
    model.cost = { input: 1, output: 2 }
    model.limit = { context: 1000 }
    expect(validateModelsDev(broken)).toBe(false)
    model.limit = { context: 1000, output: 10 }
    expect(validateModelsDev(broken)).toBe(true)
  })

  test('costs per 1M tokens, context tiers, providers under their models.dev ids', async () => {
    const body = await get('/v1/export/models.dev.json')
    expect(Object.keys(body).sort()).toEqual(['groq', 'openrouter', 'togetherai'])
    expect(body.openrouter.models['google/gemini-2.5-pro-preview'].cost).toEqual({
      input: 1.25,
      output: 10,
      reasoning: 0,
      cache_read: 0.31,
      cache_write: 1.625,
      tiers: [{ input: 2.5, output: 15, reasoning: 0, cache_read: 0.31, cache_write: 1.625, tier: { type: 'context', size: 200000 } }],
    })
    expect(body.togetherai.models['meta-llama/Llama-3.3-70B-Instruct-Turbo'].cost).toEqual({ input: 0.88, output: 0.88 })
    // a variable price is no cost object (models.dev has no "variable"); Groq states no prices
    expect(body.openrouter.models['openrouter/auto'].cost).toBeUndefined()
    expect(body.groq.models['llama-3.3-70b-versatile'].cost).toBeUndefined()
  })

  test("round trip: export, re-import through modelcat's models.dev parser, the same facts", async () => {
    const body = await get('/v1/export/models.dev.json')
    const { entries, skipped } = modelsDev.parse(body)
    expect(skipped).toBe(0)
    expect(entries.length).toBe(rows.length)
    const back = new Map(entries.map((e) => [`${e.provider}/${e.modelId}`, e]))
    const keys = ['prompt', 'completion', 'internal_reasoning', 'input_cache_read', 'input_cache_write', 'audio', 'audio_output']
    for (const r of rows) {
      const e = back.get(r.id)!
      expect([r.id, e.contextLength ?? null, e.maxOutputTokens ?? null]).toEqual([r.id, r.contextLength, r.maxOutputTokens])
      const priced = r.pricing.prompt !== undefined && r.pricing.completion !== undefined && r.pricing.prompt !== VARIABLE_PRICE && r.pricing.completion !== VARIABLE_PRICE
      expect([r.id, e.pricing]).toEqual([r.id, priced ? carried(r.pricing, keys) : {}])
      if (r.inputModalities?.length) expect(e.inputModalities).toEqual(r.inputModalities.filter((m) => ['text', 'audio', 'image', 'video', 'pdf'].includes(m)))
      for (const flag of ['tools', 'reasoning', 'structured_output'] as const) if (r.capabilities?.[flag] !== undefined) expect(e.capabilities?.[flag]).toBe(r.capabilities[flag])
      expect(e.releasedAt).toBe(Math.floor(((r.created && r.created > 0 ? r.created : r.firstSeenAt) * 1000 - (((r.created && r.created > 0 ? r.created : r.firstSeenAt) * 1000) % 86_400_000)) / 1000))
      expect(Boolean(e.deprecation)).toBe(Boolean(r.deprecation))
    }
    // a tier re-imports with the base prices it does not change, i.e. the same effective prices
    const tiers = back.get('openrouter/google/gemini-2.5-pro-preview')!.priceTiers!
    expect(tiers).toHaveLength(1)
    expect(tiers[0]!.conditions).toEqual({ min_prompt_tokens: 200000 })
    expect([tiers[0]!.pricing.prompt, tiers[0]!.pricing.completion, tiers[0]!.pricing.input_cache_read]).toEqual(['0.0000025', '0.000015', '0.00000031'])
  })
})

describe('the exports honour the filters of /v1/models, and are cached per version with ETags', () => {
  test('gateway, exclude_gateway, unique, lifecycle', async () => {
    const together = await get('/v1/export/litellm.json?gateway=together')
    expect(Object.values(together).every((e: any) => e.litellm_provider === 'together_ai')).toBe(true)
    expect(Object.keys(together).length).toBe(rows.filter((r) => r.providerId === 'together').length)
    expect(Object.keys(await get('/v1/export/models.dev.json?exclude_gateway=together,groq'))).toEqual(['openrouter'])
    const unique = await get('/v1/export/litellm.json?unique=true')
    expect(Object.keys(unique).length).toBe(new Set(rows.map((r) => r.canonicalId)).size)
    // meta/llama-3.3-70b-instruct: the cheapest offering (OpenRouter's :free, prompt 0) stands for the model
    const llama = Object.values(unique).filter((e: any) => e.metadata.canonical_id === 'meta/llama-3.3-70b-instruct')
    expect(llama.map((e: any) => e.metadata.modelcat_id)).toEqual(['openrouter/meta-llama/llama-3.3-70b-instruct:free'])
    expect(Object.keys(await get('/v1/export/litellm.json?lifecycle=deprecated')).length).toBe(rows.filter((r) => r.deprecation).length)
    expect((await h.get('/v1/export/litellm.json?gateway=nope')).status).toBe(400)
  })

  test('an ETag per version and query; If-None-Match answers 304; a new version, a new ETag', async () => {
    const a = await h.get('/v1/export/litellm.json')
    const etag = a.headers.get('etag')!
    expect(etag).toBeTruthy()
    expect(a.headers.get('access-control-allow-origin')).toBe('*')
    expect((await h.get('/v1/export/litellm.json', { 'if-none-match': etag })).status).toBe(304)
    expect((await h.get('/v1/export/litellm.json?gateway=groq')).headers.get('etag')).not.toBe(etag)
    const version = h.store.version
    const groq = (await Bun.file(`${FIXTURES}/groq/groq_models_2026-01-22.json`).json()) as { data: object[] }
    groq.data.push({ id: 'brand-new-model', object: 'model', owned_by: 'x', created: 1 })
    up.set('/groq/openai/v1/models', { kind: 'body', body: JSON.stringify(groq), contentType: 'application/json' })
    await h.worker.refresh({ providers: ['groq'] })
    expect(h.store.version).toBeGreaterThan(version)
    const b = await h.get('/v1/export/litellm.json', { 'if-none-match': etag })
    expect(b.status).toBe(200)
    expect(Object.keys((await b.json()) as object)).toContain('groq/brand-new-model')
  })
})
