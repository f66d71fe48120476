import { describe, expect, test } from 'bun:test'
import type { OfferingInput } from '../../src/domain/types'
import { UpstreamError, type Adapter } from '../../src/upstream/adapter'
import { deepinfraAdapter } from '../../src/upstream/adapters/deepinfra'
import { herokuAdapter } from '../../src/upstream/adapters/heroku'
import { huggingfaceAdapter } from '../../src/upstream/adapters/huggingface'
import { mistralAdapter } from '../../src/upstream/adapters/mistral'
import { novitaAdapter } from '../../src/upstream/adapters/novita'
import { openaiAdapter } from '../../src/upstream/adapters/openai'
import { CANONICAL_DECIMAL, find, itemsOf, type Raw, rawItems, readFixture, readText, run } from '../helpers/adapter-run'

// Real upstream captures, see test/fixtures/PROVENANCE.md
const DEEPINFRA = 'deepinfra/deepinfra_models_2026-03-01.json'
const MISTRAL = 'mistral/mistral_models_2025-05-23.json'
const NOVITA = 'novita/novita_models_data-array_2024-07.json'
const HF = 'huggingface/hf_router_v1_models_2025-12-31.UTF8.DERIVED.json'
const CASSETTE = 'cassettes/pydantic-ai_vcr_cerebras+heroku_models_2026-08-22.yaml'
const HEROKU_URI = 'https://us.inference.heroku.com/available-models'
const CEREBRAS_URI = 'https://api.cerebras.ai/v1/models'

/** The recorded body of the cassette interaction for `uri`. */
function cassetteBody(uri: string): unknown {
  const cassette = Bun.YAML.parse(readText(CASSETTE)) as { interactions: { request: { uri: string }; response: { parsed_body: unknown } }[] }
  const hits = cassette.interactions.filter((i) => i.request.uri === uri)
  if (hits.length !== 1) throw new Error(`cassette has ${hits.length} interactions for ${uri}`)
  return hits[0]!.response.parsed_body
}

/** Checks a per-token decimal string against a raw upstream number in `scale` units (1e6 = per 1M tokens). */
function expectScaled(value: string | undefined, raw: number, scale: number) {
  expect(value).toMatch(CANONICAL_DECIMAL)
  expect(Math.abs(Number(value) * scale - raw)).toBeLessThanOrEqual(Math.abs(raw) * 1e-12 + 1e-12)
}

describe('requests made by list()', () => {
  const cases = [
    ['deepinfra', deepinfraAdapter, 'https://api.deepinfra.com/v1/openai', 'https://api.deepinfra.com/v1/openai/models', { data: [] }],
    ['mistral', mistralAdapter, 'https://api.mistral.ai/v1', 'https://api.mistral.ai/v1/models', { data: [] }],
    ['novita', novitaAdapter, 'https://api.novita.ai/v3/openai', 'https://api.novita.ai/v3/openai/models', { data: [] }],
    ['huggingface', huggingfaceAdapter, 'https://router.huggingface.co/v1', 'https://router.huggingface.co/v1/models', { data: [] }],
    ['heroku', herokuAdapter, 'https://us.inference.heroku.com', 'https://us.inference.heroku.com/available-models', []],
  ] as const

  test.each(cases)('%s: GETs the list URL with a Bearer key, none without a key, no doubled slash', async (id, adapter, baseUrl, url, empty) => {
    expect(adapter.id).toBe(id)
    const withKey = await run(adapter, empty, { baseUrl, apiKey: 'k-123' })
    expect(withKey.calls).toEqual([{ url, headers: { authorization: 'Bearer k-123' } }])
    const noKey = await run(adapter, empty, { baseUrl: `${baseUrl}/` })
    expect(noKey.calls).toHaveLength(1)
    expect(noKey.calls[0]!.url).toBe(url)
    expect(Object.keys(noKey.calls[0]!.headers ?? {}).map((h) => h.toLowerCase())).not.toContain('authorization')
  })

  test.each(cases)('%s: an error body makes list() reject with UpstreamError', async (_id, adapter) => {
    const body = readFixture('errors/xai_models_error_invalid-api-key_2026-02-27.json')
    await expect(run(adapter, body)).rejects.toBeInstanceOf(UpstreamError)
  })

  test.each(cases)('%s: null, a string and a number are invalid items', (_id, adapter) => {
    for (const value of [null, 'model', 42, [{ id: 'a', model_id: 'a' }]]) expect(adapter.item.safeParse(value).success).toBe(false)
  })
})

describe('deepinfra adapter on the real capture (2026-03-01)', () => {
  const raw = rawItems(DEEPINFRA)

  test('all 142 items valid; the 64 without metadata keep only their id', async () => {
    const r = await run(deepinfraAdapter, readFixture(DEEPINFRA))
    expect(r.items).toHaveLength(142)
    expect(r.invalid).toEqual([])
    const bare = raw.filter((i) => i.metadata === null)
    expect(bare).toHaveLength(64)
    for (const i of bare) {
      expect({ id: i.id, o: r.byId.get(i.id) }).toEqual({
        id: i.id,
        o: {
          providerModelId: i.id,
          name: i.id,
          description: null,
          created: null,
          ownedBy: i.id.split('/')[0],
          contextLength: null,
          maxOutputTokens: null,
          inputModalities: null,
          outputModalities: null,
          capabilities: null,
          pricing: {},
          extra: null,
        },
      })
    }
  })

  test('ByteDance/Seed-2.0-mini: cache read 0.020000000000000004 per 1M becomes "0.00000002" per token', async () => {
    const item = find(raw, 'ByteDance/Seed-2.0-mini')
    expect(item.metadata.pricing).toEqual({ input_tokens: 0.1, output_tokens: 0.4, cache_read_tokens: 0.020000000000000004 })
    expect(item.created).toBe(0)
    const r = await run(deepinfraAdapter, readFixture(DEEPINFRA))
    expect(r.byId.get('ByteDance/Seed-2.0-mini')).toMatchObject({
      description: item.metadata.description,
      created: null,
      ownedBy: 'ByteDance',
      contextLength: 256000,
      maxOutputTokens: 256000,
      inputModalities: ['text', 'image'],
      outputModalities: ['text'],
      capabilities: { vision: true },
      pricing: { prompt: '0.0000001', completion: '0.0000004', input_cache_read: '0.00000002' },
      extra: { tags: ['vision', 'prompt_cache'] },
    })
  })

  test('openai/gpt-oss-20b: 0.030000000000000002 / 0.14 → "0.00000003" / "0.00000014"; no cache price; reasoning_effort → reasoning', async () => {
    expect(find(raw, 'openai/gpt-oss-20b').metadata.pricing).toEqual({ input_tokens: 0.030000000000000002, output_tokens: 0.14 })
    const r = await run(deepinfraAdapter, readFixture(DEEPINFRA))
    expect(r.byId.get('openai/gpt-oss-20b')).toMatchObject({
      contextLength: 131072,
      inputModalities: ['text'],
      capabilities: { reasoning: true },
      pricing: { prompt: '0.00000003', completion: '0.00000014' },
    })
    expect(r.byId.get('openai/gpt-oss-20b')!.pricing).not.toHaveProperty('input_cache_read')
  })

  test('more noisy prices: claude-4-sonnet 3.3000000000000003 / 16.5, DeepSeek-V3.1-Terminus 0.7899999999999999', async () => {
    expect(find(raw, 'anthropic/claude-4-sonnet').metadata.pricing).toEqual({ input_tokens: 3.3000000000000003, output_tokens: 16.5 })
    expect(find(raw, 'deepseek-ai/DeepSeek-V3.1-Terminus').metadata.pricing).toEqual({ input_tokens: 0.21, output_tokens: 0.7899999999999999, cache_read_tokens: 0.1300000002 })
    const r = await run(deepinfraAdapter, readFixture(DEEPINFRA))
    expect(r.byId.get('anthropic/claude-4-sonnet')!.pricing).toEqual({ prompt: '0.0000033', completion: '0.0000165' })
    // 0.1300000002 has 10 significant digits: real digits, not binary noise, so they are kept
    expect(r.byId.get('deepseek-ai/DeepSeek-V3.1-Terminus')!.pricing).toEqual({ prompt: '0.00000021', completion: '0.00000079', input_cache_read: '0.0000001300000002' })
  })

  test('every priced item: canonical per-token strings equal to the per-1M price / 10^6, cache price iff sent', async () => {
    const r = await run(deepinfraAdapter, readFixture(DEEPINFRA))
    const priced = raw.filter((i) => i.metadata?.pricing)
    expect(priced).toHaveLength(78)
    for (const i of priced) {
      const p = r.byId.get(i.id)!.pricing
      expectScaled(p.prompt, i.metadata.pricing.input_tokens, 1e6)
      expectScaled(p.completion, i.metadata.pricing.output_tokens, 1e6)
      if ('cache_read_tokens' in i.metadata.pricing) expectScaled(p.input_cache_read, i.metadata.pricing.cache_read_tokens, 1e6)
      else expect(p).not.toHaveProperty('input_cache_read')
      expect(Object.keys(p).sort()).toEqual('cache_read_tokens' in i.metadata.pricing ? ['completion', 'input_cache_read', 'prompt'] : ['completion', 'prompt'])
    }
  })

  test('tags: 26 vision models get vision + text/image input, 22 reasoning_effort models get reasoning, limits from metadata', async () => {
    const r = await run(deepinfraAdapter, readFixture(DEEPINFRA))
    const withMeta = raw.filter((i) => i.metadata)
    expect(withMeta.filter((i) => i.metadata.tags.includes('vision'))).toHaveLength(26)
    expect(withMeta.filter((i) => i.metadata.tags.includes('reasoning_effort'))).toHaveLength(22)
    for (const i of withMeta) {
      const o = r.byId.get(i.id)!
      const vision = i.metadata.tags.includes('vision')
      const reasoning = i.metadata.tags.includes('reasoning_effort')
      expect({
        id: i.id,
        vision: o.capabilities?.vision,
        reasoning: o.capabilities?.reasoning,
        tools: o.capabilities?.tools,
        input: o.inputModalities,
        ctx: o.contextLength,
        max: o.maxOutputTokens,
      }).toEqual({
        id: i.id,
        vision: vision ? true : undefined,
        reasoning: reasoning ? true : undefined,
        tools: undefined, // no tag in this capture says anything about tools
        input: vision ? ['text', 'image'] : ['text'],
        ctx: i.metadata.context_length,
        max: i.metadata.max_tokens,
      })
    }
    expect(r.byId.get('meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8')!.contextLength).toBe(1048576)
  })

  test('function_calling / tools tags (not in this capture) map to tools', () => {
    const item = structuredClone(find(raw, 'Qwen/Qwen3-32B'))
    item.metadata.tags = ['function_calling', 'reasoning_effort']
    expect(deepinfraAdapter.normalize(deepinfraAdapter.item.parse(item)).capabilities).toEqual({ tools: true, reasoning: true })
  })
})

describe('mistral adapter on the real capture (2025-05-23)', () => {
  const raw = rawItems(MISTRAL)

  test('all 53 valid; name, description, owner, created and context from each item', async () => {
    const r = await run(mistralAdapter, readFixture(MISTRAL))
    expect(r.items).toHaveLength(53)
    expect(r.invalid).toEqual([])
    for (const i of raw) {
      const o = r.byId.get(i.id)!
      expect({ id: i.id, name: o.name, description: o.description, ownedBy: o.ownedBy, created: o.created, ctx: o.contextLength, pricing: o.pricing }).toEqual({
        id: i.id,
        name: i.name,
        description: i.description,
        ownedBy: 'mistralai',
        created: 1748021692,
        ctx: i.max_context_length,
        pricing: {},
      })
    }
  })

  test('function_calling → tools and vision → vision for every item, false included', async () => {
    const r = await run(mistralAdapter, readFixture(MISTRAL))
    for (const i of raw) {
      const caps = r.byId.get(i.id)!.capabilities
      expect({ id: i.id, tools: caps?.tools, vision: caps?.vision }).toEqual({ id: i.id, tools: i.capabilities.function_calling, vision: i.capabilities.vision })
    }
    expect(raw.filter((i) => i.capabilities.vision)).toHaveLength(11)
  })

  test('ministral-3b-latest: an alias item, text in/out, aliases and temperature in extra', async () => {
    const r = await run(mistralAdapter, readFixture(MISTRAL))
    expect(r.byId.get('ministral-3b-latest')).toMatchObject({
      name: 'ministral-3b-2410',
      contextLength: 131072,
      inputModalities: ['text'],
      outputModalities: ['text'],
      capabilities: { tools: true, vision: false },
      deprecation: null,
      extra: { aliases: ['ministral-3b-2410'], type: 'base', default_model_temperature: 0.3 },
    })
  })

  test('pixtral-large-2411: vision → text+image input; mistral-embed: no chat, modalities unknown, no temperature', async () => {
    const r = await run(mistralAdapter, readFixture(MISTRAL))
    expect(r.byId.get('pixtral-large-2411')).toMatchObject({
      inputModalities: ['text', 'image'],
      outputModalities: ['text'],
      capabilities: { tools: true, vision: true },
      extra: { aliases: ['pixtral-large-latest', 'mistral-large-pixtral-2411'] },
    })
    expect(find(raw, 'mistral-embed').default_model_temperature).toBeNull()
    const embed = r.byId.get('mistral-embed')!
    expect(embed).toMatchObject({ inputModalities: null, outputModalities: null, capabilities: { tools: false, vision: false } })
    expect(embed.extra).not.toHaveProperty('aliases')
    expect(embed.extra).not.toHaveProperty('default_model_temperature')
  })

  test('codestral-2501 (FIM + chat): text in/out; mistral-ocr-2505: no completion capability, modalities unknown', async () => {
    const r = await run(mistralAdapter, readFixture(MISTRAL))
    expect(r.byId.get('codestral-2501')).toMatchObject({ contextLength: 262144, inputModalities: ['text'], outputModalities: ['text'] })
    expect(r.byId.get('mistral-ocr-2505')).toMatchObject({ inputModalities: null, outputModalities: null })
  })

  test('no model of this capture is deprecated: every deprecation is null', async () => {
    expect(raw.every((i) => i.deprecation === null)).toBe(true)
    const r = await run(mistralAdapter, readFixture(MISTRAL))
    for (const o of r.offerings) expect(o.deprecation).toBeNull()
  })

  test('a deprecation date (with deprecation_replacement_model) becomes a Deprecation', () => {
    const item = { ...structuredClone(find(raw, 'mistral-medium-2312')), deprecation: '2026-11-30T12:00:00Z', deprecation_replacement_model: 'mistral-medium-latest' }
    expect(mistralAdapter.normalize(mistralAdapter.item.parse(item)).deprecation).toEqual({ date: '2026-11-30T12:00:00Z', end_of_life: null, replacement: 'mistral-medium-latest' })
    const noReplacement = { ...structuredClone(find(raw, 'mistral-medium-2312')), deprecation: '2026-11-30T12:00:00Z' }
    expect(mistralAdapter.normalize(mistralAdapter.item.parse(noReplacement)).deprecation).toEqual({ date: '2026-11-30T12:00:00Z', end_of_life: null, replacement: null })
    const garbage = { ...structuredClone(find(raw, 'mistral-medium-2312')), deprecation: 'soon' }
    expect(mistralAdapter.normalize(mistralAdapter.item.parse(garbage)).deprecation).toBeNull()
  })
})

describe('novita adapter on the real capture (2024-07, data array)', () => {
  const raw = rawItems(NOVITA)

  test('bare array of 18 items, all valid', async () => {
    expect(Array.isArray(readFixture(NOVITA))).toBe(true)
    const r = await run(novitaAdapter, readFixture(NOVITA))
    expect(r.items).toHaveLength(18)
    expect(r.invalid).toEqual([])
  })

  test('meta-llama/llama-3-8b-instruct: 630 (1/10,000 USD per 1M) → "0.000000063" per token', async () => {
    const item = find(raw, 'meta-llama/llama-3-8b-instruct')
    expect([item.input_token_price_per_m, item.output_token_price_per_m, item.context_size, item.owned_by]).toEqual([630, 630, 8192, 'unknown'])
    const r = await run(novitaAdapter, readFixture(NOVITA))
    expect(r.byId.get('meta-llama/llama-3-8b-instruct')).toMatchObject({
      name: 'meta-llama/llama-3-8b-instruct',
      description: item.description,
      created: 1714024874,
      ownedBy: null,
      contextLength: 8192,
      maxOutputTokens: null,
      pricing: { prompt: '0.000000063', completion: '0.000000063' },
      extra: { status: 1 },
    })
  })

  test('llama-3.1-405b: 30000 / 50000 → "0.000003" / "0.000005"; tags kept in extra; other exact prices', async () => {
    const item = find(raw, 'meta-llama/llama-3.1-405b-instruct')
    expect([item.input_token_price_per_m, item.output_token_price_per_m, item.tags]).toEqual([30000, 50000, ['HOT', 'UNCENSORED']])
    const r = await run(novitaAdapter, readFixture(NOVITA))
    expect(r.byId.get('meta-llama/llama-3.1-405b-instruct')).toMatchObject({
      contextLength: 32768,
      pricing: { prompt: '0.000003', completion: '0.000005' },
      extra: { status: 1, tags: ['HOT', 'UNCENSORED'] },
    })
    expect(find(raw, 'meta-llama/llama-3-70b-instruct').output_token_price_per_m).toBe(7600)
    expect(r.byId.get('meta-llama/llama-3-70b-instruct')!.pricing).toEqual({ prompt: '0.00000055', completion: '0.00000076' })
    expect(find(raw, 'gryphe/mythomax-l2-13b').input_token_price_per_m).toBe(1190)
    expect(r.byId.get('gryphe/mythomax-l2-13b')!.pricing).toEqual({ prompt: '0.000000119', completion: '0.000000119' })
    expect(r.byId.get('microsoft/wizardlm-2-8x22b')!.contextLength).toBe(65535)
  })

  test('every item: canonical per-token prices equal to raw / 10^10; name from title', async () => {
    const r = await run(novitaAdapter, readFixture(NOVITA))
    for (const i of raw) {
      const o = r.byId.get(i.id)!
      expectScaled(o.pricing.prompt, i.input_token_price_per_m, 1e10)
      expectScaled(o.pricing.completion, i.output_token_price_per_m, 1e10)
      expect({ id: i.id, name: o.name, ctx: o.contextLength }).toEqual({ id: i.id, name: i.title, ctx: i.context_size })
    }
  })

  test('newer fields: display_name, features, modalities, max_output_tokens, model_type', () => {
    const item = {
      ...structuredClone(find(raw, 'meta-llama/llama-3.1-8b-instruct')),
      display_name: 'Llama 3.1 8B Instruct',
      max_output_tokens: 16384,
      model_type: 'chat',
      features: ['function-calling', 'structured-outputs', 'reasoning', 'serverless'],
      input_modalities: ['text', 'image'],
      output_modalities: ['text'],
    }
    expect(novitaAdapter.normalize(novitaAdapter.item.parse(item))).toMatchObject({
      name: 'Llama 3.1 8B Instruct',
      maxOutputTokens: 16384,
      inputModalities: ['text', 'image'],
      outputModalities: ['text'],
      capabilities: { tools: true, structured_output: true, reasoning: true, vision: true },
      pricing: { prompt: '0.0000001', completion: '0.0000001' },
      extra: { model_type: 'chat', features: item.features },
    })
  })

  test('tiered billing: the 0/0 integer prices are unknown, not free', () => {
    const item = { ...structuredClone(find(raw, 'meta-llama/llama-3.1-8b-instruct')), input_token_price_per_m: 0, output_token_price_per_m: 0, is_tiered_billing: true }
    expect(novitaAdapter.normalize(novitaAdapter.item.parse(item)).pricing).toEqual({})
    const free = { ...item, is_tiered_billing: false }
    expect(novitaAdapter.normalize(novitaAdapter.item.parse(free)).pricing).toEqual({ prompt: '0', completion: '0' })
  })
})

describe('huggingface adapter on the real capture (2025-12-31)', () => {
  const raw = rawItems(HF)

  test('the file ends with CRLF and still parses; 128 items, all valid, one offering per model', async () => {
    expect(readText(HF).endsWith('\r\n')).toBe(true)
    const r = await run(huggingfaceAdapter, readFixture(HF))
    expect(r.items).toHaveLength(128)
    expect(r.invalid).toEqual([])
    expect(r.byId.size).toBe(128)
  })

  test('meta-llama/Llama-3.1-8B-Instruct: cheapest live provider novita 0.02/0.05; max live context 131072; tools and structured output', async () => {
    const novita = find(find(raw, 'meta-llama/Llama-3.1-8B-Instruct').providers, 'novita', 'provider')
    expect([novita.status, novita.pricing, novita.context_length]).toEqual(['live', { input: 0.02, output: 0.05 }, 16384])
    const r = await run(huggingfaceAdapter, readFixture(HF))
    expect(r.byId.get('meta-llama/Llama-3.1-8B-Instruct')).toMatchObject({
      name: 'meta-llama/Llama-3.1-8B-Instruct',
      ownedBy: 'meta-llama',
      contextLength: 131072,
      pricing: { prompt: '0.00000002', completion: '0.00000005' },
      capabilities: { tools: true, structured_output: true },
      extra: { pricing_provider: 'novita' },
    })
  })

  test('a prompt-price tie is broken by completion price (Qwen/Qwen3-32B: novita 0.08/0.36 vs nscale 0.08/0.25)', async () => {
    const providers = find(raw, 'Qwen/Qwen3-32B').providers
    expect(find(providers, 'novita', 'provider').pricing).toEqual({ input: 0.08, output: 0.36 })
    expect(find(providers, 'nscale', 'provider').pricing).toEqual({ input: 0.08, output: 0.25 })
    const r = await run(huggingfaceAdapter, readFixture(HF))
    expect(r.byId.get('Qwen/Qwen3-32B')).toMatchObject({ contextLength: 131072, pricing: { prompt: '0.00000008', completion: '0.00000025' }, extra: { pricing_provider: 'nscale' } })
  })

  test('the providers list is kept, normalized, in extra (Llama-3.2-3B: together 0.060000000000000005 → "0.00000006")', async () => {
    expect(find(find(raw, 'meta-llama/Llama-3.2-3B-Instruct').providers, 'together', 'provider').pricing.input).toBe(0.060000000000000005)
    const r = await run(huggingfaceAdapter, readFixture(HF))
    const o = r.byId.get('meta-llama/Llama-3.2-3B-Instruct')!
    expect(o.pricing).toEqual({ prompt: '0.000000024', completion: '0.00000004' })
    expect(o.extra!.providers).toEqual([
      { provider: 'novita', status: 'live', context_length: 32768, pricing: { prompt: '0.000000024', completion: '0.00000004' }, supports_tools: true, supports_structured_output: false },
      { provider: 'hyperbolic', status: 'live', context_length: 131072, pricing: { prompt: '0.0000001', completion: '0.0000001' }, supports_tools: false, supports_structured_output: false },
      { provider: 'together', status: 'live', context_length: 131072, pricing: { prompt: '0.00000006', completion: '0.00000006' }, supports_tools: true, supports_structured_output: true },
    ])
  })

  test('providers without pricing/context: GLM-4.6V has no price and no context, tools from zai-org', async () => {
    const r = await run(huggingfaceAdapter, readFixture(HF))
    const o = r.byId.get('zai-org/GLM-4.6V')!
    expect(o).toMatchObject({ contextLength: null, pricing: {}, inputModalities: ['text', 'image'], outputModalities: ['text'], capabilities: { tools: true, structured_output: false, vision: true } })
    expect(o.extra!.providers).toEqual([
      { provider: 'novita', status: 'live', context_length: null, pricing: null, supports_tools: null, supports_structured_output: null },
      { provider: 'zai-org', status: 'live', context_length: null, pricing: null, supports_tools: true, supports_structured_output: false },
    ])
    expect(o.extra).not.toHaveProperty('pricing_provider')
  })

  test('DeepSeek-V3.2: tools true (fireworks-ai) although novita says false; structured output false everywhere', async () => {
    const r = await run(huggingfaceAdapter, readFixture(HF))
    expect(r.byId.get('deepseek-ai/DeepSeek-V3.2')!.capabilities).toEqual({ tools: true, structured_output: false })
    expect(r.byId.get('openai/gpt-oss-120b')!.pricing).toEqual({ prompt: '0.00000004', completion: '0.0000002' })
    expect(r.byId.get('utter-project/EuroLLM-22B-Instruct-2512')!.pricing).toEqual({ prompt: '0', completion: '0' })
  })

  test('staging providers count for nothing: MiniMax-M2 lists fireworks-ai (staging); turning novita to staging moves the price', async () => {
    const r = await run(huggingfaceAdapter, readFixture(HF))
    expect((r.byId.get('MiniMaxAI/MiniMax-M2')!.extra!.providers as { status: string }[]).map((p) => p.status)).toEqual(['live', 'staging'])
    const item = structuredClone(find(raw, 'meta-llama/Llama-3.1-8B-Instruct'))
    find(item.providers, 'novita', 'provider').status = 'staging'
    // next cheapest live: nebius 0.03 / 0.09 (hyperbolic is staging already)
    expect(find(item.providers, 'nebius', 'provider').pricing).toEqual({ input: 0.03, output: 0.09 })
    const o = huggingfaceAdapter.normalize(huggingfaceAdapter.item.parse(item))
    expect(o.pricing).toEqual({ prompt: '0.00000003', completion: '0.00000009' })
    expect(o.extra!.pricing_provider).toBe('nebius')
    for (const p of item.providers) p.status = 'staging'
    expect(huggingfaceAdapter.normalize(huggingfaceAdapter.item.parse(item))).toMatchObject({ contextLength: null, pricing: {}, capabilities: null })
  })

  test('every model: context = max over live providers, price = min live prompt (then completion), flags = any live', async () => {
    const r = await run(huggingfaceAdapter, readFixture(HF))
    for (const i of raw) {
      const live = (i.providers as Raw[]).filter((p) => p.status === 'live')
      const ctxs = live.map((p) => p.context_length).filter((n) => typeof n === 'number')
      const priced = live.filter((p) => typeof p.pricing?.input === 'number').sort((a, b) => a.pricing.input - b.pricing.input || a.pricing.output - b.pricing.output)
      const o = r.byId.get(i.id)!
      expect({ id: i.id, ctx: o.contextLength, n: (o.extra!.providers as unknown[]).length, in: o.inputModalities, out: o.outputModalities }).toEqual({
        id: i.id,
        ctx: ctxs.length ? Math.max(...ctxs) : null,
        n: i.providers.length,
        in: i.architecture.input_modalities,
        out: i.architecture.output_modalities,
      })
      if (priced.length) {
        expectScaled(o.pricing.prompt, priced[0]!.pricing.input, 1e6)
        expectScaled(o.pricing.completion, priced[0]!.pricing.output, 1e6)
      } else expect({ id: i.id, pricing: o.pricing }).toEqual({ id: i.id, pricing: {} })
      const tools = live.filter((p) => typeof p.supports_tools === 'boolean')
      expect({ id: i.id, tools: o.capabilities?.tools }).toEqual({ id: i.id, tools: tools.length ? tools.some((p) => p.supports_tools) : undefined })
    }
  })

  test('a malformed provider entry is dropped, not the model', () => {
    const item = structuredClone(find(raw, 'openai/gpt-oss-120b'))
    item.providers.unshift({ provider: 42, status: 'live', context_length: 10_000_000, pricing: { input: 0, output: 0 } }, 'junk')
    const o = huggingfaceAdapter.normalize(huggingfaceAdapter.item.parse(item))
    expect(o.contextLength).toBe(131072)
    expect(o.pricing).toEqual({ prompt: '0.00000004', completion: '0.0000002' })
    expect((o.extra!.providers as unknown[]).length).toBe(11)
  })
})

describe('cassette (pydantic-ai VCR, 2026-08-22): Heroku and Cerebras', () => {
  test('heroku: 28 models from the /available-models interaction, all valid', async () => {
    const body = cassetteBody(HEROKU_URI)
    expect(Array.isArray(body)).toBe(true)
    const r = await run(herokuAdapter, body, { baseUrl: 'https://us.inference.heroku.com', apiKey: 'inf-key' })
    expect(r.calls).toEqual([{ url: HEROKU_URI, headers: { authorization: 'Bearer inf-key' } }])
    expect(r.items).toHaveLength(28)
    expect(r.invalid).toEqual([])
    expect(r.offerings.map((o) => o.providerModelId)).toEqual(itemsOf(body).map((i) => i.model_id))
  })

  test('heroku: claude-3-5-haiku is deprecated 2026-05-12, ends 2026-06-12, replaced by claude-4-5-haiku', async () => {
    const r = await run(herokuAdapter, cassetteBody(HEROKU_URI))
    expect(r.byId.get('claude-3-5-haiku')).toEqual({
      providerModelId: 'claude-3-5-haiku',
      name: 'claude-3-5-haiku',
      inputModalities: ['text'],
      outputModalities: ['text'],
      deprecation: { date: '2026-05-12T00:00:00Z', end_of_life: '2026-06-12T00:00:00Z', replacement: 'claude-4-5-haiku' },
      pricing: {},
      extra: { regions: ['us'], type: ['text-to-text'], state: 'deprecated' },
    })
  })

  test('heroku: exactly the 3 deprecated models have a deprecation; active ones none', async () => {
    const raw = itemsOf(cassetteBody(HEROKU_URI))
    const r = await run(herokuAdapter, cassetteBody(HEROKU_URI))
    const deprecated = raw.filter((i) => i.state === 'deprecated').map((i) => i.model_id)
    expect(deprecated).toEqual(['claude-3-5-haiku', 'claude-3-5-sonnet-latest', 'claude-3-7-sonnet'])
    for (const i of raw) {
      expect({ id: i.model_id, d: r.byId.get(i.model_id)!.deprecation }).toEqual({
        id: i.model_id,
        d: i.state === 'deprecated' ? { date: i.deprecation_date, end_of_life: i.eol_date, replacement: i.replacement_model } : null,
      })
    }
    expect(r.byId.get('claude-3-7-sonnet')!.deprecation).toEqual({ date: '2026-03-21T00:00:00Z', end_of_life: '2026-04-21T00:00:00Z', replacement: 'claude-4-6-sonnet' })
  })

  test('heroku: modalities from type; regions in extra', async () => {
    const r = await run(herokuAdapter, cassetteBody(HEROKU_URI))
    expect(r.byId.get('cohere-embed-v4')).toMatchObject({ inputModalities: ['text'], outputModalities: ['embeddings'], extra: { regions: ['eu', 'us'] } })
    expect(r.byId.get('stable-image-ultra')).toMatchObject({ inputModalities: ['text'], outputModalities: ['image'], extra: { regions: ['us'] } })
    expect(r.byId.get('claude-3-haiku')).toMatchObject({ inputModalities: ['text'], outputModalities: ['text'], deprecation: null, extra: { regions: ['eu'] } })
    // rerankers (text-to-score) have no modality in the catalog's vocabulary
    expect(r.byId.get('amazon-rerank-1-0')).toMatchObject({ inputModalities: null, outputModalities: null, extra: { type: ['text-to-score'] } })
    const counts = { text: 0, embeddings: 0, image: 0, none: 0 }
    for (const o of r.offerings) counts[(o.outputModalities?.[0] ?? 'none') as keyof typeof counts]++
    expect(counts).toEqual({ text: 23, embeddings: 2, image: 1, none: 2 })
  })

  test('cerebras interaction through the generic adapter: 3 models, created 0 → null, owner Cerebras', async () => {
    const r = await run(openaiAdapter, cassetteBody(CEREBRAS_URI), { baseUrl: 'https://api.cerebras.ai/v1', apiKey: 'csk' })
    expect(r.calls).toEqual([{ url: CEREBRAS_URI, headers: { authorization: 'Bearer csk' } }])
    expect(r.invalid).toEqual([])
    expect(r.offerings.map((o) => o.providerModelId)).toEqual(['gemma-4-31b', 'gpt-oss-120b', 'zai-glm-4.7'])
    for (const o of r.offerings) expect(o).toMatchObject({ created: null, ownedBy: 'Cerebras', contextLength: null, pricing: {} })
  })
})

// ---------------------------------------------------------------------------------------------------
// Robustness: every real capture, every optional field. A path is "key" (top level), "a.key" (inside
// object a) or "a[].key" (inside each element of array a). `deps` names the normalized fields a path
// may move; every other normalized field must stay exactly as it was.

type Field = keyof OfferingInput
const ALL: Field[] = [
  'providerModelId',
  'name',
  'description',
  'created',
  'ownedBy',
  'contextLength',
  'maxOutputTokens',
  'inputModalities',
  'outputModalities',
  'supportedParameters',
  'capabilities',
  'deprecation',
  'pricing',
  'extra',
]

interface Case {
  name: string
  adapter: Adapter
  items: () => Raw[]
  /** The required id field: never deleted. */
  idKey: string
  /** Nested containers whose keys are also deleted one at a time. */
  containers: string[]
  deps: Record<string, Field[]>
}

/** The objects at `container` in one item ("" = the item, "a", "a.b", "a[]"). */
function at(item: Raw, container: string): Raw[] {
  let nodes: unknown[] = [item]
  for (const part of container ? container.split('.') : []) {
    const many = part.endsWith('[]')
    const key = many ? part.slice(0, -2) : part
    nodes = nodes.flatMap((n) => {
      const v = n && typeof n === 'object' ? (n as Raw)[key] : undefined
      return many ? (Array.isArray(v) ? v : []) : [v]
    })
  }
  return nodes.filter((n): n is Raw => !!n && typeof n === 'object' && !Array.isArray(n))
}

/** Every path present in the items: top-level keys and the keys of each container. */
function pathsOf(c: Case): string[] {
  const paths = new Set<string>()
  for (const item of c.items()) {
    for (const container of ['', ...c.containers]) {
      for (const node of at(item, container)) for (const k of Object.keys(node)) paths.add(container ? `${container}.${k}` : k)
    }
  }
  paths.delete(c.idKey)
  return [...paths].sort()
}

/** Applies `fn` to the key of `path` in every item (copies). */
function mutate(items: Raw[], path: string, fn: (node: Raw, key: string) => void): Raw[] {
  const copy = structuredClone(items)
  const cut = path.lastIndexOf('.')
  const [container, key] = cut < 0 ? ['', path] : [path.slice(0, cut), path.slice(cut + 1)]
  for (const item of copy) for (const node of at(item, container)) if (key in node) fn(node, key)
  return copy
}

function normalizeAll(adapter: Adapter, items: Raw[]): OfferingInput[] {
  return items.map((raw, i) => {
    const parsed = adapter.item.safeParse(raw)
    if (!parsed.success) throw new Error(`item ${i} no longer parses: ${parsed.error.message}`)
    return adapter.normalize(parsed.data)
  })
}

const pick = (o: OfferingInput, fields: Field[]) => Object.fromEntries(fields.map((f) => [f, o[f] ?? null]))
const rest = (deps: Field[]) => ALL.filter((f) => !deps.includes(f))

const cases: Case[] = [
  {
    name: 'deepinfra',
    adapter: deepinfraAdapter,
    items: () => rawItems(DEEPINFRA),
    idKey: 'id',
    containers: ['metadata', 'metadata.pricing'],
    deps: {
      object: [],
      root: [],
      parent: [],
      created: ['created'],
      owned_by: ['ownedBy'],
      metadata: ['description', 'contextLength', 'maxOutputTokens', 'inputModalities', 'outputModalities', 'capabilities', 'pricing', 'extra'],
      'metadata.description': ['description'],
      'metadata.context_length': ['contextLength'],
      'metadata.max_tokens': ['maxOutputTokens'],
      'metadata.pricing': ['pricing'],
      'metadata.pricing.input_tokens': ['pricing'],
      'metadata.pricing.output_tokens': ['pricing'],
      'metadata.pricing.cache_read_tokens': ['pricing'],
      'metadata.tags': ['inputModalities', 'outputModalities', 'capabilities', 'extra'],
    },
  },
  {
    name: 'mistral',
    adapter: mistralAdapter,
    items: () => rawItems(MISTRAL),
    idKey: 'id',
    containers: ['capabilities'],
    deps: {
      object: [],
      created: ['created'],
      owned_by: ['ownedBy'],
      name: ['name'],
      description: ['description'],
      type: ['extra'],
      max_context_length: ['contextLength'],
      aliases: ['extra'],
      deprecation: ['deprecation'],
      default_model_temperature: ['extra'],
      capabilities: ['inputModalities', 'outputModalities', 'capabilities', 'extra'],
      'capabilities.completion_chat': ['inputModalities', 'outputModalities', 'extra'],
      'capabilities.completion_fim': ['inputModalities', 'outputModalities', 'extra'],
      'capabilities.function_calling': ['capabilities', 'extra'],
      'capabilities.vision': ['inputModalities', 'capabilities', 'extra'],
      'capabilities.fine_tuning': ['extra'],
      'capabilities.classification': ['extra'],
    },
  },
  {
    name: 'novita',
    adapter: novitaAdapter,
    items: () => rawItems(NOVITA),
    idKey: 'id',
    containers: [],
    deps: {
      object: [],
      permission: [],
      root: [],
      parent: [],
      cus_id: [],
      created: ['created'],
      owned_by: ['ownedBy'],
      title: ['name'],
      description: ['description'],
      input_token_price_per_m: ['pricing'],
      output_token_price_per_m: ['pricing'],
      context_size: ['contextLength'],
      tags: ['extra'],
      status: ['extra'],
    },
  },
  {
    name: 'huggingface',
    adapter: huggingfaceAdapter,
    items: () => rawItems(HF),
    idKey: 'id',
    containers: ['architecture', 'providers[]', 'providers[].pricing'],
    deps: {
      object: [],
      created: ['created'],
      owned_by: ['ownedBy'],
      architecture: ['inputModalities', 'outputModalities', 'capabilities'],
      'architecture.input_modalities': ['inputModalities', 'capabilities'],
      'architecture.output_modalities': ['outputModalities'],
      providers: ['contextLength', 'pricing', 'capabilities', 'extra'],
      'providers[].provider': ['contextLength', 'pricing', 'capabilities', 'extra'], // required per entry: every entry is dropped
      'providers[].status': ['contextLength', 'pricing', 'capabilities', 'extra'],
      'providers[].context_length': ['contextLength', 'extra'],
      'providers[].pricing': ['pricing', 'extra'],
      'providers[].pricing.input': ['pricing', 'extra'],
      'providers[].pricing.output': ['pricing', 'extra'],
      'providers[].supports_tools': ['capabilities', 'extra'],
      'providers[].supports_structured_output': ['capabilities', 'extra'],
      'providers[].is_model_author': [],
    },
  },
  {
    name: 'heroku',
    adapter: herokuAdapter,
    items: () => itemsOf(cassetteBody(HEROKU_URI)),
    idKey: 'model_id',
    containers: [],
    deps: {
      regions: ['extra'],
      state: ['deprecation', 'extra'],
      type: ['inputModalities', 'outputModalities', 'extra'],
      deprecation_date: ['deprecation'],
      eol_date: ['deprecation'],
      replacement_model: ['deprecation'],
    },
  },
  {
    name: 'openai (cerebras, cassette)',
    adapter: openaiAdapter,
    items: () => itemsOf(cassetteBody(CEREBRAS_URI)),
    idKey: 'id',
    containers: [],
    deps: { object: [], created: ['created'], owned_by: ['ownedBy'] },
  },
]

describe('robustness on every real capture', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s: every optional field of the capture has a declared effect', (_name, c) => {
    const paths = pathsOf(c)
    expect(paths.length).toBeGreaterThan(2)
    expect(paths.filter((p) => !(p in c.deps))).toEqual([])
  })

  test.each(cases.map((c) => [c.name, c] as const))('%s: an unknown field in every item (and every nested object) changes nothing', (_name, c) => {
    const items = c.items()
    const before = normalizeAll(c.adapter, items)
    const noisy = structuredClone(items)
    for (const item of noisy) {
      for (const container of ['', ...c.containers]) {
        for (const node of at(item, container)) Object.assign(node, { x_future_field: { nested: [1, 2, 3] }, beta: true, pricing_v2: 'per-token' })
      }
    }
    expect(normalizeAll(c.adapter, noisy)).toEqual(before)
  })

  const perPath = cases.flatMap((c) => Object.keys(c.deps).map((path) => [c.name, path, c] as const))

  test.each(perPath)('%s: deleting %s from every item leaves the other normalized fields unchanged', (_name, path, c) => {
    const items = c.items()
    const before = normalizeAll(c.adapter, items)
    const mutated = mutate(items, path, (node, key) => delete node[key])
    expect(JSON.stringify(mutated)).not.toBe(JSON.stringify(items)) // the path exists in this capture
    const after = normalizeAll(c.adapter, mutated)
    expect(after).toHaveLength(before.length)
    const keep = rest(c.deps[path]!)
    for (let i = 0; i < before.length; i++) expect(pick(after[i]!, keep)).toEqual(pick(before[i]!, keep))
  })

  test.each(perPath)('%s: a wrong-typed %s in every item reads as if it were absent', (_name, path, c) => {
    const items = c.items()
    const deleted = normalizeAll(
      c.adapter,
      mutate(items, path, (node, key) => delete node[key]),
    )
    const wrong = normalizeAll(
      c.adapter,
      mutate(items, path, (node, key) => (node[key] = typeof node[key] === 'string' ? 42 : 'wrong')),
    )
    for (let i = 0; i < deleted.length; i++) expect(pick(wrong[i]!, ALL)).toEqual(pick(deleted[i]!, ALL))
  })
})
