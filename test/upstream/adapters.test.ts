import { describe, expect, test } from 'bun:test'
import { PRICE_COMPONENTS, VARIABLE_PRICE } from '../../src/domain/types'
import { listItems, UpstreamError, type Adapter } from '../../src/upstream/adapter'
import { ADAPTERS } from '../../src/upstream/adapters'
import { openaiAdapter } from '../../src/upstream/adapters/openai'
import { openrouterAdapter } from '../../src/upstream/adapters/openrouter'
import { togetherAdapter } from '../../src/upstream/adapters/together'
import { BUILTIN_PROVIDERS } from '../../src/upstream/registry'
import { CANONICAL_DECIMAL, find, normalizeOne, type Raw, rawItems, readFixture, run } from '../helpers/adapter-run'

// Real upstream captures, see test/fixtures/PROVENANCE.md
const runFixture = (adapter: Adapter, rel: string, opts?: { baseUrl?: string; apiKey?: string }) => run(adapter, readFixture(rel), opts)

/** The adapters of OpenAI-style lists: GET {base}/models, Bearer key, {data:[...]} or a bare array. */
const adapters = [
  ['openai', openaiAdapter],
  ['openrouter', openrouterAdapter],
  ['together', togetherAdapter],
] as const

describe('request made by list()', () => {
  test('every adapter in the registry sits under its own id', () => {
    for (const [id, adapter] of Object.entries(ADAPTERS)) expect(adapter.id).toBe(id)
  })

  test.each(adapters)('%s: GETs ${baseUrl}/models with "authorization: Bearer <key>" when a key is given', async (_id, adapter) => {
    const { calls } = await run(adapter, { data: [] }, { baseUrl: 'https://api.groq.com/openai/v1', apiKey: 'gsk_test123' })
    expect(calls).toHaveLength(1)
    expect(calls[0]!.url).toBe('https://api.groq.com/openai/v1/models')
    expect(calls[0]!.headers).toEqual({ authorization: 'Bearer gsk_test123' })
  })

  test.each(adapters)('%s: sends no authorization header when no key is given', async (_id, adapter) => {
    const { calls } = await run(adapter, [], { baseUrl: 'https://openrouter.ai/api/v1' })
    expect(calls).toHaveLength(1)
    expect(calls[0]!.url).toBe('https://openrouter.ai/api/v1/models')
    const names = Object.keys(calls[0]!.headers ?? {}).map((h) => h.toLowerCase())
    expect(names).not.toContain('authorization')
  })

  test.each(adapters)('%s: does not double the slash when baseUrl ends with "/"', async (_id, adapter) => {
    const one = await run(adapter, [], { baseUrl: 'http://127.0.0.1:9000/groq/openai/v1/' })
    const many = await run(adapter, [], { baseUrl: 'http://127.0.0.1:9000/v1//' })
    expect(one.calls[0]!.url).toBe('http://127.0.0.1:9000/groq/openai/v1/models')
    expect(many.calls[0]!.url).toBe('http://127.0.0.1:9000/v1/models')
  })

  test('generic adapter on a baseUrl without a version segment (DeepSeek) GETs /models right under it', async () => {
    const { calls } = await run(openaiAdapter, [], { baseUrl: 'https://api.deepseek.com' })
    expect(calls[0]!.url).toBe('https://api.deepseek.com/models')
  })
})

describe('generic (openai) adapter on real captures', () => {
  test('Groq 2026-01-22: all 16 items are valid', async () => {
    const r = await runFixture(openaiAdapter, 'groq/groq_models_2026-01-22.json')
    expect(r.items).toHaveLength(16)
    expect(r.invalid).toEqual([])
    expect(r.offerings).toHaveLength(16)
  })

  test('Groq: llama-3.1-8b-instant has contextLength 131072 and maxOutputTokens 131072, owner and created from the item', async () => {
    const r = await runFixture(openaiAdapter, 'groq/groq_models_2026-01-22.json')
    expect(r.byId.get('llama-3.1-8b-instant')).toMatchObject({
      providerModelId: 'llama-3.1-8b-instant',
      name: 'llama-3.1-8b-instant',
      contextLength: 131072,
      maxOutputTokens: 131072,
      ownedBy: 'Meta',
      created: 1693721698,
      pricing: {},
    })
  })

  test('Groq: context_window → contextLength and max_completion_tokens → maxOutputTokens for every item (kimi-k2-0905: 262144 / 16384)', async () => {
    const rel = 'groq/groq_models_2026-01-22.json'
    const r = await runFixture(openaiAdapter, rel)
    for (const raw of rawItems(rel)) {
      const o = r.byId.get(raw.id)!
      expect({ id: raw.id, ctx: o.contextLength, max: o.maxOutputTokens }).toEqual({ id: raw.id, ctx: raw.context_window, max: raw.max_completion_tokens })
    }
    expect(r.byId.get('moonshotai/kimi-k2-instruct-0905')).toMatchObject({ contextLength: 262144, maxOutputTokens: 16384 })
  })

  test('Mistral 2025-05-23: all 53 valid; max_context_length → contextLength; name and description from the item', async () => {
    const rel = 'mistral/mistral_models_2025-05-23.json'
    const r = await runFixture(openaiAdapter, rel)
    expect(r.items).toHaveLength(53)
    expect(r.invalid).toEqual([])
    for (const raw of rawItems(rel)) expect({ id: raw.id, ctx: r.byId.get(raw.id)!.contextLength }).toEqual({ id: raw.id, ctx: raw.max_context_length })
    expect(r.byId.get('open-mistral-7b')!.contextLength).toBe(32768)
    // an alias id carries the name of the model it points to
    expect(r.byId.get('ministral-3b-latest')).toMatchObject({
      name: 'ministral-3b-2410',
      description: 'Official ministral-3b-2410 Mistral AI model',
      ownedBy: 'mistralai',
      contextLength: 131072,
      maxOutputTokens: null,
    })
  })

  test('DeepSeek 2025-11-06: items without `created` get created null', async () => {
    const r = await runFixture(openaiAdapter, 'deepseek/deepseek_models_2025-11-06.json')
    expect(r.offerings.map((o) => o.providerModelId)).toEqual(['deepseek-chat', 'deepseek-reasoner'])
    for (const o of r.offerings) {
      expect(o.created).toBeNull()
      expect(o.ownedBy).toBe('deepseek')
      expect(o.contextLength).toBeNull()
    }
  })

  test('OpenAI 2023 legacy shape with `permission` arrays: all 64 items still valid', async () => {
    const rel = 'openai/openai_models_legacy-permission_2023-05-26.json'
    const r = await runFixture(openaiAdapter, rel)
    expect(rawItems(rel).every((i) => Array.isArray(i.permission))).toBe(true)
    expect(r.items).toHaveLength(64)
    expect(r.invalid).toEqual([])
    expect(r.byId.get('gpt-3.5-turbo')).toMatchObject({ name: 'gpt-3.5-turbo', created: 1677610602, ownedBy: 'openai', contextLength: null, pricing: {} })
    expect(r.byId.get('whisper-1')!.ownedBy).toBe('openai-internal')
  })

  test('Cerebras 2025-09-03 bare data array: all 9 items valid with their ids and owner', async () => {
    const rel = 'cerebras/cerebras_models_data-array_2025-09-03.json'
    expect(Array.isArray(readFixture(rel))).toBe(true)
    const r = await runFixture(openaiAdapter, rel)
    expect(r.invalid).toEqual([])
    expect(r.offerings.map((o) => o.providerModelId)).toEqual(rawItems(rel).map((i) => i.id))
    expect(r.offerings).toHaveLength(9)
    expect(r.byId.get('gpt-oss-120b')!.ownedBy).toBe('Cerebras')
  })

  test('Nebius 2026-03-01 (non-verbose, only id/created/owned_by): all 46 valid, no context length', async () => {
    const rel = 'nebius/nebius_models_2026-03-01.json'
    const r = await runFixture(openaiAdapter, rel)
    expect(r.items).toHaveLength(46)
    expect(r.invalid).toEqual([])
    expect(r.byId.get('meta-llama/Meta-Llama-3.1-8B-Instruct-fast')).toMatchObject({ created: 1771550732, ownedBy: 'system', contextLength: null, maxOutputTokens: null })
  })

  test('Hugging Face router 2025-12-31: all 128 valid; architecture modalities → input/output modalities', async () => {
    const rel = 'huggingface/hf_router_v1_models_2025-12-31.UTF8.DERIVED.json'
    const r = await runFixture(openaiAdapter, rel)
    expect(r.items).toHaveLength(128)
    expect(r.invalid).toEqual([])
    for (const raw of rawItems(rel)) {
      const o = r.byId.get(raw.id)!
      expect({ id: raw.id, in: o.inputModalities, out: o.outputModalities }).toEqual({
        id: raw.id,
        in: raw.architecture.input_modalities,
        out: raw.architecture.output_modalities,
      })
    }
    expect(r.byId.get('Qwen/Qwen3-VL-8B-Instruct')).toMatchObject({ inputModalities: ['text', 'image'], outputModalities: ['text'], ownedBy: 'Qwen', created: 1760167419 })
  })

  test('DeepInfra 2026-03-01: all 142 items valid', async () => {
    const r = await runFixture(openaiAdapter, 'deepinfra/deepinfra_models_2026-03-01.json')
    expect(r.items).toHaveLength(142)
    expect(r.invalid).toEqual([])
    expect(r.byId.get('ByteDance/Seed-2.0-mini')!.ownedBy).toBe('deepinfra')
  })

  test('the xAI error body (no data array) makes list() reject with UpstreamError', async () => {
    const body = readFixture('errors/xai_models_error_invalid-api-key_2026-02-27.json')
    await expect(run(openaiAdapter, body, { apiKey: 'bad' })).rejects.toBeInstanceOf(UpstreamError)
  })
})

describe('together adapter on the real capture (2026-01-23)', () => {
  const rel = 'together/together_v1_models_2026-01-23.json'

  test('accepts the bare-array body: all 131 items valid', async () => {
    expect(Array.isArray(readFixture(rel))).toBe(true)
    const r = await runFixture(togetherAdapter, rel)
    expect(r.items).toHaveLength(131)
    expect(r.invalid).toEqual([])
  })

  test('meta-llama/Llama-3.3-70B-Instruct-Turbo: 0.88 / 0.88 per 1M → "0.00000088" per token, exactly', async () => {
    const raw = find(rawItems(rel), 'meta-llama/Llama-3.3-70B-Instruct-Turbo')
    expect([raw.pricing.input, raw.pricing.output]).toEqual([0.88, 0.88])
    const r = await runFixture(togetherAdapter, rel)
    expect(r.byId.get('meta-llama/Llama-3.3-70B-Instruct-Turbo')).toMatchObject({
      name: 'Meta Llama 3.3 70B Instruct Turbo',
      ownedBy: 'Meta',
      created: 1733466629,
      contextLength: 131072,
      inputModalities: ['text'],
      outputModalities: ['text'],
      pricing: { prompt: '0.00000088', completion: '0.00000088' },
    })
  })

  test('float noise in per-1M prices is removed (Llama-4-Scout 0.18000000000000002 / 0.5900000000000001)', async () => {
    const raw = find(rawItems(rel), 'meta-llama/Llama-4-Scout-17B-16E-Instruct')
    expect([raw.pricing.input, raw.pricing.output]).toEqual([0.18000000000000002, 0.5900000000000001])
    const r = await runFixture(togetherAdapter, rel)
    expect(r.byId.get('meta-llama/Llama-4-Scout-17B-16E-Instruct')!.pricing).toEqual({ prompt: '0.00000018', completion: '0.00000059' })
    expect(r.byId.get('arcee-ai/trinity-mini')!.pricing).toEqual({ prompt: '0.000000045', completion: '0.00000015' })
  })

  test('every token-priced model gets canonical per-token prices equal to its per-1M price / 10^6', async () => {
    const r = await runFixture(togetherAdapter, rel)
    const priced = rawItems(rel).filter((i) => ['chat', 'language', 'code', 'moderation', 'embedding', 'rerank'].includes(i.type) && (i.pricing.input || i.pricing.output))
    expect(priced.length).toBeGreaterThan(50)
    for (const raw of priced) {
      const { prompt, completion } = r.byId.get(raw.id)!.pricing
      for (const [value, perMillion] of [
        [prompt, raw.pricing.input],
        [completion, raw.pricing.output],
      ] as const) {
        expect(value).toMatch(CANONICAL_DECIMAL)
        expect(Math.abs(Number(value) * 1e6 - perMillion)).toBeLessThan(1e-9)
      }
    }
  })

  test('models with 0/0 pricing (dedicated-only) get {} pricing, e.g. togethercomputer/MoA-1', async () => {
    const r = await runFixture(togetherAdapter, rel)
    const zero = rawItems(rel).filter((i) => i.pricing.input === 0 && i.pricing.output === 0)
    expect(zero.map((i) => i.id)).toContain('togethercomputer/MoA-1')
    for (const raw of zero) expect({ id: raw.id, pricing: r.byId.get(raw.id)!.pricing }).toEqual({ id: raw.id, pricing: {} })
  })

  test('image, video and audio models get no token prices, even with a non-zero input price (cartesia/sonic: 65)', async () => {
    const r = await runFixture(togetherAdapter, rel)
    const media = rawItems(rel).filter((i) => ['image', 'video', 'audio'].includes(i.type))
    expect(media.length).toBe(56)
    expect(find(media, 'cartesia/sonic').pricing.input).toBe(65)
    for (const raw of media) expect({ id: raw.id, pricing: r.byId.get(raw.id)!.pricing }).toEqual({ id: raw.id, pricing: {} })
    expect(r.byId.get('cartesia/sonic')).toMatchObject({ inputModalities: ['text'], outputModalities: ['audio'] })
    expect(r.byId.get('Qwen/Qwen-Image')).toMatchObject({ inputModalities: ['text'], outputModalities: ['image'] })
  })

  test('embedding model: text → embeddings, priced per token', async () => {
    const r = await runFixture(togetherAdapter, rel)
    expect(find(rawItems(rel), 'BAAI/bge-large-en-v1.5').pricing.input).toBe(0.016)
    expect(r.byId.get('BAAI/bge-large-en-v1.5')).toMatchObject({ inputModalities: ['text'], outputModalities: ['embeddings'], pricing: { prompt: '0.000000016', completion: '0.000000016' } })
  })

  test('context_length 0 and created 0 become null; type, link and license go to extra', async () => {
    const raw = find(rawItems(rel), 'cartesia/sonic')
    expect([raw.context_length, raw.created]).toEqual([0, 0])
    const r = await runFixture(togetherAdapter, rel)
    expect(r.byId.get('cartesia/sonic')).toMatchObject({ contextLength: null, created: null })
    expect(r.byId.get('meta-llama/Llama-3.3-70B-Instruct-Turbo')!.extra).toEqual({
      type: 'chat',
      link: 'https://huggingface.co/meta-llama/Llama-3.3-70B-Instruct',
      license: 'Llama-3.3 (Other)',
    })
  })
})

describe('openrouter adapter on real captures', () => {
  const rel = 'openrouter/roo-code_openrouter-models_2025-05-12.DECODED_BODY.json'

  test('2025-05-12 envelope {data:[...]}: all 320 items valid', async () => {
    const body = readFixture(rel) as Raw
    expect(Object.keys(body)).toEqual(['data'])
    const r = await runFixture(openrouterAdapter, rel)
    expect(r.items).toHaveLength(320)
    expect(r.invalid).toEqual([])
  })

  test('2025-04-24 capture: all 301 items valid', async () => {
    const r = await runFixture(openrouterAdapter, 'openrouter/roo-code_openrouter-models_2025-04-24.DECODED_BODY.json')
    expect(r.items).toHaveLength(301)
    expect(r.invalid).toEqual([])
  })

  test('every non-negative price string passes through exactly; nothing else is added', async () => {
    const r = await runFixture(openrouterAdapter, rel)
    for (const raw of rawItems(rel)) {
      const expected: Record<string, string> = {}
      // issue 15: a "-1" is kept as the variable marker (served as null), never dropped
      for (const c of PRICE_COMPONENTS) if (typeof raw.pricing[c] === 'string') expected[c] = raw.pricing[c].startsWith('-') ? VARIABLE_PRICE : raw.pricing[c]
      expect({ id: raw.id, pricing: r.byId.get(raw.id)!.pricing }).toEqual({ id: raw.id, pricing: expected })
    }
    expect(r.byId.get('anthropic/claude-3.7-sonnet')!.pricing).toEqual({
      prompt: '0.000003',
      completion: '0.000015',
      request: '0',
      image: '0.0048',
      web_search: '0',
      internal_reasoning: '0',
      input_cache_read: '0.0000003',
      input_cache_write: '0.00000375',
    })
  })

  test('openrouter/auto "-1" prices ("varies") are kept as variable (issue 15), never dropped or 0', async () => {
    expect(find(rawItems(rel), 'openrouter/auto').pricing).toEqual({ prompt: '-1', completion: '-1' })
    const r = await runFixture(openrouterAdapter, rel)
    expect(r.byId.get('openrouter/auto')!.pricing).toEqual({ prompt: VARIABLE_PRICE, completion: VARIABLE_PRICE })
  })

  test('modalities arrays, supported_parameters, limits and owner of anthropic/claude-3.7-sonnet', async () => {
    const raw = find(rawItems(rel), 'anthropic/claude-3.7-sonnet')
    const r = await runFixture(openrouterAdapter, rel)
    expect(r.byId.get('anthropic/claude-3.7-sonnet')).toMatchObject({
      name: 'Anthropic: Claude 3.7 Sonnet',
      created: 1740422110,
      ownedBy: 'anthropic',
      contextLength: 200000,
      maxOutputTokens: 64000,
      inputModalities: ['text', 'image'],
      outputModalities: ['text'],
      supportedParameters: raw.supported_parameters,
    })
    expect(raw.supported_parameters).toContain('tools')
  })

  test('top_provider (and architecture) are kept in extra; an empty hugging_face_id is not', async () => {
    const raw = find(rawItems(rel), 'anthropic/claude-3.7-sonnet')
    expect(raw.hugging_face_id).toBe('')
    const r = await runFixture(openrouterAdapter, rel)
    const extra = r.byId.get('anthropic/claude-3.7-sonnet')!.extra!
    expect(extra.top_provider).toEqual({ context_length: 200000, max_completion_tokens: 64000, is_moderated: false })
    expect(extra.architecture).toMatchObject({ modality: 'text+image->text', tokenizer: 'Claude' })
    expect(extra).not.toHaveProperty('hugging_face_id')
    expect(r.byId.get('nousresearch/deephermes-3-mistral-24b-preview:free')!.extra!.hugging_face_id).toBe('NousResearch/DeepHermes-3-Mistral-24B-Preview')
  })

  test('every item keeps its modality arrays and supported_parameters as sent', async () => {
    const r = await runFixture(openrouterAdapter, rel)
    for (const raw of rawItems(rel)) {
      const o = r.byId.get(raw.id)!
      expect({ id: raw.id, in: o.inputModalities, out: o.outputModalities, params: o.supportedParameters }).toEqual({
        id: raw.id,
        in: raw.architecture.input_modalities,
        out: raw.architecture.output_modalities,
        params: raw.supported_parameters,
      })
    }
  })

  test('openrouter/auto: null top_provider limits fall back to context_length; no max output', async () => {
    const r = await runFixture(openrouterAdapter, rel)
    expect(r.byId.get('openrouter/auto')).toMatchObject({ contextLength: 2000000, maxOutputTokens: null, ownedBy: 'openrouter', supportedParameters: [] })
  })

  describe('2024-09 data-array form', () => {
    const rel24 = 'openrouter/openrouter_models_data-array_2024-09.json'

    test('bare array of 170 items, all valid', async () => {
      expect(Array.isArray(readFixture(rel24))).toBe(true)
      const r = await runFixture(openrouterAdapter, rel24)
      expect(r.items).toHaveLength(170)
      expect(r.invalid).toEqual([])
    })

    test('modality string "text+image->text" is split into ["text","image"] → ["text"]', async () => {
      const raw = find(rawItems(rel24), 'google/gemini-flash-8b-1.5-exp')
      expect(raw.architecture.modality).toBe('text+image->text')
      expect(raw.architecture.input_modalities).toBeUndefined()
      const r = await runFixture(openrouterAdapter, rel24)
      expect(r.byId.get('google/gemini-flash-8b-1.5-exp')).toMatchObject({ inputModalities: ['text', 'image'], outputModalities: ['text'] })
    })

    test('every item gets modalities split from its modality string; no supported_parameters in this schema', async () => {
      const r = await runFixture(openrouterAdapter, rel24)
      for (const raw of rawItems(rel24)) {
        const [input, output] = (raw.architecture.modality as string).split('->')
        const o = r.byId.get(raw.id)!
        expect({ id: raw.id, in: o.inputModalities, out: o.outputModalities, params: o.supportedParameters }).toEqual({
          id: raw.id,
          in: input!.split('+'),
          out: output!.split('+'),
          params: null,
        })
      }
    })

    test('context_length wins over top_provider.context_length; max output from top_provider (reflection-70b:free)', async () => {
      const raw = find(rawItems(rel24), 'mattshumer/reflection-70b:free')
      expect([raw.context_length, raw.top_provider.context_length, raw.top_provider.max_completion_tokens]).toEqual([131072, 8192, 4096])
      const r = await runFixture(openrouterAdapter, rel24)
      expect(r.byId.get('mattshumer/reflection-70b:free')).toMatchObject({ contextLength: 131072, maxOutputTokens: 4096 })
    })

    test('openrouter/auto: all four "-1" components are kept as variable (issue 15)', async () => {
      expect(find(rawItems(rel24), 'openrouter/auto').pricing).toEqual({ prompt: '-1', completion: '-1', request: '-1', image: '-1' })
      const r = await runFixture(openrouterAdapter, rel24)
      expect(r.byId.get('openrouter/auto')!.pricing).toEqual({ prompt: VARIABLE_PRICE, completion: VARIABLE_PRICE, request: VARIABLE_PRICE, image: VARIABLE_PRICE })
    })
  })
})

describe('robustness of item schemas', () => {
  const groqItem = () => structuredClone(find(rawItems('groq/groq_models_2026-01-22.json'), 'llama-3.1-8b-instant'))
  const togetherItem = () => structuredClone(find(rawItems('together/together_v1_models_2026-01-23.json'), 'meta-llama/Llama-3.3-70B-Instruct-Turbo'))
  const openrouterItem = () => structuredClone(find(rawItems('openrouter/roo-code_openrouter-models_2025-05-12.DECODED_BODY.json'), 'anthropic/claude-3.7-sonnet'))

  const samples = [
    ['openai', openaiAdapter, groqItem],
    ['together', togetherAdapter, togetherItem],
    ['openrouter', openrouterAdapter, openrouterItem],
  ] as const

  test.each(samples)('%s: unknown extra fields change nothing in the normalized offering', (_id, adapter, item) => {
    const plain = normalizeOne(adapter, item())
    const noisy = normalizeOne(adapter, { ...item(), x_future_field: { nested: [1, 2, 3] }, capabilities: 'anything', beta: true })
    expect(noisy).toEqual(plain)
  })

  test.each(samples)('%s: an item without `id` (or with an empty id) fails safeParse', (_id, adapter, item) => {
    const { id: _drop, ...noId } = item()
    expect(adapter.item.safeParse(noId).success).toBe(false)
    expect(adapter.item.safeParse({ ...item(), id: '' }).success).toBe(false)
    expect(adapter.item.safeParse({ ...item(), id: 42 }).success).toBe(false)
    expect(adapter.item.safeParse(item()).success).toBe(true)
  })

  test.each([
    ['null', null],
    ['a string', 'llama'],
    ['a number', 42],
    ['an array', [{ id: 'a' }]],
  ])('%s as an item fails safeParse in every adapter', (_label, value) => {
    for (const adapter of Object.values(ADAPTERS)) expect(adapter.item.safeParse(value).success).toBe(false)
  })

  test('openai: context_window "big" still parses, with that field null and the rest intact', () => {
    const parsed = openaiAdapter.item.safeParse({ ...groqItem(), context_window: 'big' })
    expect(parsed.success).toBe(true)
    expect(parsed.data!.context_window).toBeNull()
    const o = openaiAdapter.normalize(parsed.data!)
    expect(o).toMatchObject({ providerModelId: 'llama-3.1-8b-instant', contextLength: null, maxOutputTokens: 131072, ownedBy: 'Meta' })
  })

  test('openai: non-positive or fractional limits are treated as unknown', () => {
    expect(normalizeOne(openaiAdapter, { id: 'm', context_window: 0, max_completion_tokens: -1 })).toMatchObject({ contextLength: null, maxOutputTokens: null })
    expect(normalizeOne(openaiAdapter, { id: 'm', context_window: 1.5 }).contextLength).toBeNull()
  })

  test('openai: a bad context_window falls back to the next context field (context_length)', () => {
    expect(normalizeOne(openaiAdapter, { id: 'm', context_window: 'big', context_length: 8192 }).contextLength).toBe(8192)
  })

  test('openai: wrong-typed created/owned_by/architecture become null', () => {
    const o = normalizeOne(openaiAdapter, { id: 'm', created: '2024-01-01', owned_by: 7, architecture: 'text' })
    expect(o).toMatchObject({ providerModelId: 'm', name: 'm', created: null, ownedBy: null, inputModalities: null, outputModalities: null })
  })

  test('together: context_length "big" and pricing "free" still parse, with those fields null', () => {
    const parsed = togetherAdapter.item.safeParse({ ...togetherItem(), context_length: 'big', pricing: 'free' })
    expect(parsed.success).toBe(true)
    expect(parsed.data!.context_length).toBeNull()
    expect(parsed.data!.pricing).toBeNull()
    expect(togetherAdapter.normalize(parsed.data!)).toMatchObject({ contextLength: null, pricing: {}, name: 'Meta Llama 3.3 70B Instruct Turbo' })
  })

  test('together: a wrong-typed price component does not lose the other one', () => {
    const o = normalizeOne(togetherAdapter, { ...togetherItem(), pricing: { input: '0.88', output: 0.88 } })
    expect(o.pricing.completion).toBe('0.00000088')
    expect(o.pricing.prompt).not.toBe('0.00000088')
  })

  test('openrouter: wrong-typed architecture, supported_parameters and top_provider become null', () => {
    const parsed = openrouterAdapter.item.safeParse({ ...openrouterItem(), architecture: 5, supported_parameters: 'tools', top_provider: [] })
    expect(parsed.success).toBe(true)
    const o = openrouterAdapter.normalize(parsed.data!)
    expect(o).toMatchObject({ inputModalities: null, outputModalities: null, supportedParameters: null, maxOutputTokens: null, contextLength: 200000 })
    expect(o.extra ?? {}).not.toHaveProperty('top_provider')
    expect(o.extra ?? {}).not.toHaveProperty('architecture')
  })

  test('openrouter: non-numeric price strings are left out, numeric ones kept', () => {
    const o = normalizeOne(openrouterAdapter, { id: 'x/y', pricing: { prompt: 'free', completion: '0.000002', image: null } })
    expect(o.pricing).toEqual({ completion: '0.000002' })
  })
})

describe('listItems', () => {
  test('returns the data array of an envelope and a bare array as is', () => {
    const items = [{ id: 'a' }, { id: 'b' }]
    expect(listItems({ object: 'list', data: items })).toBe(items)
    expect(listItems({ data: items })).toBe(items)
    expect(listItems(items)).toBe(items)
  })

  test.each([
    ['an object without data', { foo: 1 }],
    ['a string', 'not json models'],
    ['null', null],
    ['a number', 42],
    ['an object whose data is not an array', { data: { id: 'a' } }],
  ])('throws UpstreamError on %s', (_label, body) => {
    expect(() => listItems(body)).toThrow(UpstreamError)
  })

  test('the UpstreamError names the expected shape', () => {
    let error: unknown
    try {
      listItems({ foo: 1 })
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(UpstreamError)
    expect((error as Error).name).toBe('UpstreamError')
    expect((error as Error).message).toContain('"data" array')
  })

  test.each(adapters)('%s adapter: list() rejects with UpstreamError on {"foo":1} and on a string', async (_id, adapter) => {
    await expect(run(adapter, { foo: 1 })).rejects.toBeInstanceOf(UpstreamError)
    await expect(run(adapter, 'oops')).rejects.toBeInstanceOf(UpstreamError)
  })
})

describe('unknown values are unknown, never zero', () => {
  test('generic adapter: created 0 (Cerebras, DeepInfra) means unknown', () => {
    const m = openaiAdapter.normalize(openaiAdapter.item.parse({ id: 'gpt-oss-120b', created: 0 }))
    expect(m.created).toBeNull()
  })

  test('Together: a missing price component is absent, not "0"', () => {
    const m = togetherAdapter.normalize(togetherAdapter.item.parse({ id: 'x', type: 'chat', pricing: { input: null, output: 0.88 } }))
    expect(m.pricing).toEqual({ completion: '0.00000088' })
  })
})

describe('built-in providers', () => {
  test('at least 30, each with a unique id, a name, an https base URL (or loopback), a registered adapter and key variables', () => {
    expect(BUILTIN_PROVIDERS.length).toBeGreaterThanOrEqual(30)
    const names = BUILTIN_PROVIDERS.flatMap((p) => [p.id, ...p.aliases])
    expect(new Set(names).size).toBe(names.length) // no id or alias names two providers
    for (const p of BUILTIN_PROVIDERS) {
      expect(p.name.length).toBeGreaterThan(1)
      expect(p.baseUrl).toMatch(/^(https:\/\/|http:\/\/127\.0\.0\.1)/)
      expect(Object.keys(ADAPTERS)).toContain(p.adapter)
      expect(p.apiKeyEnv.length).toBeGreaterThan(0)
    }
  })

  test('the aliases users type resolve: hug, togetherai, fireworks-ai, google, novita-ai', () => {
    const byAlias = new Map(BUILTIN_PROVIDERS.flatMap((p) => p.aliases.map((a) => [a, p.id] as const)))
    expect(byAlias.get('hug')).toBe('huggingface')
    expect(byAlias.get('togetherai')).toBe('together')
    expect(byAlias.get('fireworks-ai')).toBe('fireworks')
    expect(byAlias.get('google')).toBe('gemini')
    expect(byAlias.get('novita-ai')).toBe('novita')
  })
})
