import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { BUILTIN_PROVIDERS } from '../../src/upstream/registry'
import { LITELLM_PROVIDER_MAP, litellm, litellmModelId } from '../../src/reference/litellm'
import { MODELS_DEV_PROVIDER_MAP, modelsDev } from '../../src/reference/models-dev'
import type { ReferenceEntry } from '../../src/reference/types'

// Real snapshots, see test/fixtures/PROVENANCE.md
const FIXTURES = join(import.meta.dir, '..', 'fixtures', 'upstream')
const readFixture = (rel: string): any => JSON.parse(readFileSync(join(FIXTURES, rel), 'utf8'))
const MODELS_DEV_RAW: Record<string, { models: Record<string, any> }> = readFixture('models.dev/models-dev_api_2026-06-13.json')
const LITELLM_RAW: Record<string, any> = readFixture('litellm/model_prices_and_context_window_2026-03-14.json')

const md = modelsDev.parse(MODELS_DEV_RAW)
const ll = litellm.parse(LITELLM_RAW)

const BUILTIN_IDS = new Set(BUILTIN_PROVIDERS.map((p) => p.id))
const BUILTIN_ALIASES = new Set(BUILTIN_PROVIDERS.flatMap((p) => p.aliases))

function find(entries: ReferenceEntry[], provider: string, modelId: string): ReferenceEntry {
  const hits = entries.filter((e) => e.provider === provider && e.modelId === modelId)
  if (hits.length !== 1) throw new Error(`${hits.length} entries for ${provider} ${modelId}`)
  return hits[0]!
}

/** A valid models.dev model, for synthetic bodies. */
const goodModel = (id: string) => ({
  id,
  name: id,
  limit: { context: 8192, output: 1024 },
  modalities: { input: ['text'], output: ['text'] },
  cost: { input: 0.1, output: 0.2 },
  tool_call: true,
  reasoning: false,
  attachment: false,
})

describe('reference sources: identity', () => {
  test('ids, urls and attributions', () => {
    expect([modelsDev.id, modelsDev.url, modelsDev.attribution]).toEqual(['models.dev', 'https://models.dev/api.json', 'models.dev (MIT), https://models.dev'])
    expect([litellm.id, litellm.url, litellm.attribution]).toEqual([
      'litellm',
      'https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json',
      'LiteLLM model_prices_and_context_window.json (MIT), BerriAI/litellm',
    ])
  })
})

describe('models.dev snapshot 2026-06-13', () => {
  test('one entry per provider × model: 5258, none skipped', () => {
    const rawCount = Object.values(MODELS_DEV_RAW).reduce((n, p) => n + Object.keys(p.models).length, 0)
    expect(rawCount).toBe(5258)
    expect(md.skipped).toBe(0)
    expect(md.entries.length).toBe(5258)
    expect(new Set(md.entries.map((e) => `${e.provider} ${e.modelId}`)).size).toBe(5258)
  })

  test('Groq llama-3.3-70b-versatile: prices, limits, capabilities as stated', () => {
    // raw: cost {input: 0.59, output: 0.79} per 1M; limit {context: 131072, output: 32768}; tool_call true, reasoning false, text only
    const e = find(md.entries, 'groq', 'llama-3.3-70b-versatile')
    expect(e.pricing).toEqual({ prompt: '0.00000059', completion: '0.00000079' })
    expect(e.contextLength).toBe(131072)
    expect(e.maxOutputTokens).toBe(32768)
    expect(e.inputModalities).toEqual(['text'])
    expect(e.outputModalities).toEqual(['text'])
    // no structured_output in the source: absent, not false
    expect(e.capabilities).toEqual({ tools: true, reasoning: false, vision: false })
  })

  test('Together meta-llama/Llama-3.3-70B-Instruct-Turbo: 0.88 per 1M → "0.00000088"', () => {
    const e = find(md.entries, 'together', 'meta-llama/Llama-3.3-70B-Instruct-Turbo')
    expect(e.pricing).toEqual({ prompt: '0.00000088', completion: '0.00000088' })
    expect([e.contextLength, e.maxOutputTokens]).toEqual([131072, 131072])
  })

  test('OpenAI gpt-4o and Anthropic claude-sonnet-4-5: cache prices, vision, structured output', () => {
    // gpt-4o raw: input 2.5, output 10, cache_read 1.25; modalities.input [text, image, pdf]; structured_output true
    const gpt = find(md.entries, 'openai', 'gpt-4o')
    expect(gpt.pricing).toEqual({ prompt: '0.0000025', completion: '0.00001', input_cache_read: '0.00000125' })
    expect(gpt.capabilities).toEqual({ tools: true, reasoning: false, structured_output: true, vision: true })
    expect([gpt.contextLength, gpt.maxOutputTokens]).toEqual([128000, 16384])
    // claude-sonnet-4-5 raw: input 3, output 15, cache_read 0.3, cache_write 3.75
    const claude = find(md.entries, 'anthropic', 'claude-sonnet-4-5')
    expect(claude.pricing).toEqual({ prompt: '0.000003', completion: '0.000015', input_cache_read: '0.0000003', input_cache_write: '0.00000375' })
    expect(claude.capabilities).toEqual({ tools: true, reasoning: true, vision: true })
  })

  test('binary noise in the source is removed (0.7899999999999999 → "0.00000079")', () => {
    expect(MODELS_DEV_RAW.helicone!.models['llama-3.3-70b-versatile'].cost.output).toBe(0.7899999999999999)
    expect(find(md.entries, 'helicone', 'llama-3.3-70b-versatile').pricing.completion).toBe('0.00000079')
    expect(MODELS_DEV_RAW.vercel!.models['arcee-ai/trinity-large-thinking'].cost.output).toBe(0.8999999999999999)
    expect(find(md.entries, 'vercel', 'arcee-ai/trinity-large-thinking').pricing.completion).toBe('0.0000009')
    expect(MODELS_DEV_RAW.helicone!.models['claude-sonnet-4'].cost.cache_read).toBe(0.30000000000000004)
    expect(find(md.entries, 'helicone', 'claude-sonnet-4').pricing.input_cache_read).toBe('0.0000003')
  })

  test('no cost object → empty pricing (unknown, not free); context 0 → unknown', () => {
    expect(MODELS_DEV_RAW.anyapi!.models['anthropic/claude-haiku-4-5'].cost).toBeUndefined()
    expect(find(md.entries, 'anyapi', 'anthropic/claude-haiku-4-5').pricing).toEqual({})
    expect(MODELS_DEV_RAW.digitalocean!.models['fal-ai/fast-sdxl'].limit).toEqual({ context: 0, output: 0 })
    const sdxl = find(md.entries, 'digitalocean', 'fal-ai/fast-sdxl')
    expect([sdxl.contextLength, sdxl.maxOutputTokens]).toEqual([null, null])
  })

  test('provider ids map onto built-ins; every mapped id is a built-in id', () => {
    for (const [from, to] of Object.entries(MODELS_DEV_PROVIDER_MAP)) {
      expect(BUILTIN_IDS.has(to)).toBe(true)
      expect(from in MODELS_DEV_RAW).toBe(true) // the map is not stale
    }
    const providers = new Set(md.entries.map((e) => e.provider))
    for (const source of Object.keys(MODELS_DEV_PROVIDER_MAP)) expect(providers.has(source)).toBe(false)
    // an unmapped models.dev id never lands on a built-in's alias (it would be a missed mapping)
    for (const p of providers) if (!BUILTIN_IDS.has(p)) expect(BUILTIN_ALIASES.has(p)).toBe(false)
    const covered = [...providers].filter((p) => BUILTIN_IDS.has(p)).sort()
    expect(covered).toEqual(
      [
        'alibaba',
        'anthropic',
        'baseten',
        'cerebras',
        'chutes',
        'cohere',
        'deepinfra',
        'deepseek',
        'fireworks',
        'friendli',
        'gemini',
        'groq',
        'huggingface',
        'inference-net',
        'llama',
        'mistral',
        'moonshot',
        'nebius',
        'novita',
        'nvidia',
        'openai',
        'openrouter',
        'ovhcloud',
        'requesty',
        'scaleway',
        'siliconflow',
        'together',
        'upstage',
        'venice',
        'vercel',
        'xai',
        'zai',
      ].sort(),
    )
    expect(md.entries.filter((e) => e.provider === 'gemini').length).toBe(Object.keys(MODELS_DEV_RAW.google!.models).length)
    expect(find(md.entries, 'fireworks', Object.keys(MODELS_DEV_RAW['fireworks-ai']!.models)[0]!)).toBeDefined()
  })

  test('a bad model inside a good body is skipped and counted', () => {
    const body = {
      groq: {
        id: 'groq',
        name: 'Groq',
        models: {
          good: goodModel('good'),
          text: 'not a model',
          empty: null,
          list: [1, 2],
          // wrong-typed fields fall back to unknown without failing the model
          odd: { id: 'odd', limit: 'big', cost: { input: 'cheap', output: 1 }, tool_call: 'yes', modalities: { input: 'image' } },
        },
      },
      broken: 'not a provider',
    }
    const { entries, skipped } = modelsDev.parse(body)
    expect(skipped).toBe(4) // text, empty, list + the provider that is not an object
    expect(entries.map((e) => e.modelId)).toEqual(['good', 'odd'])
    expect(entries[0]!.pricing).toEqual({ prompt: '0.0000001', completion: '0.0000002' })
    const odd = entries[1]!
    expect(odd.pricing).toEqual({ completion: '0.000001' })
    expect([odd.contextLength, odd.capabilities, odd.inputModalities]).toEqual([null, null, null])
  })

  test('a body that is not an object of providers throws', () => {
    for (const body of [null, undefined, 'x', 42, [], [goodModel('a')], {}, { data: [goodModel('a')] }, { groq: { models: 'x' } }]) {
      expect(() => modelsDev.parse(body)).toThrow(/models\.dev: expected an object of providers/)
    }
  })
})

describe('LiteLLM snapshot 2026-03-14', () => {
  test('every model key becomes an entry, one per provider model (22 case/prefix duplicates merged)', () => {
    const keys = Object.keys(LITELLM_RAW)
    expect(keys.length).toBe(2582) // 2581 model keys + sample_spec
    expect(ll.skipped).toBe(0)
    expect(ll.entries.length).toBe(2581 - 22)
    expect(new Set(ll.entries.map((e) => `${e.provider} ${e.modelId.toLowerCase()}`)).size).toBe(ll.entries.length)
    expect(ll.entries.some((e) => e.provider.startsWith('one of'))).toBe(false) // sample_spec is not a model
  })

  test('groq/llama-3.3-70b-versatile: 5.9e-07 → "0.00000059"', () => {
    expect(LITELLM_RAW['groq/llama-3.3-70b-versatile'].input_cost_per_token).toBe(5.9e-7)
    const e = find(ll.entries, 'groq', 'llama-3.3-70b-versatile')
    expect(e.pricing).toEqual({ prompt: '0.00000059', completion: '0.00000079' })
    expect([e.contextLength, e.maxOutputTokens]).toEqual([128000, 32768])
    // supports_function_calling true, supports_response_schema false; vision/reasoning not stated
    expect(e.capabilities).toEqual({ tools: true, structured_output: false })
  })

  test('together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo: prefix removed, 8.8e-07 → "0.00000088", no limits stated', () => {
    const e = find(ll.entries, 'together', 'meta-llama/Llama-3.3-70B-Instruct-Turbo')
    expect(e.pricing).toEqual({ prompt: '0.00000088', completion: '0.00000088' })
    expect([e.contextLength, e.maxOutputTokens]).toEqual([null, null])
    expect(e.capabilities).toEqual({ tools: true, structured_output: true })
  })

  test('model ids as the provider lists them', () => {
    const gpt = find(ll.entries, 'openai', 'gpt-4o')
    // issue 15: every other cost field is carried too, under LiteLLM's own name (batches, priority)
    expect(gpt.pricing).toMatchObject({ prompt: '0.0000025', completion: '0.00001', input_cache_read: '0.00000125', input_cost_per_token_batches: '0.00000125' })
    expect(gpt.capabilities).toEqual({ tools: true, vision: true, structured_output: true })
    expect([gpt.contextLength, gpt.maxOutputTokens]).toEqual([128000, 16384])
    expect(find(ll.entries, 'fireworks', 'accounts/fireworks/models/deepseek-v3').pricing).toEqual({ prompt: '0.0000009', completion: '0.0000009' })
    expect(find(ll.entries, 'vercel', 'alibaba/qwen-3-14b').pricing).toEqual({ prompt: '0.00000008', completion: '0.00000024' })
    expect(find(ll.entries, 'alibaba', 'qwen-max').capabilities).toEqual({ tools: true, reasoning: true })
    expect(find(ll.entries, 'openai', 'babbage-002').contextLength).toBe(16384) // text-completion-openai
    expect(find(ll.entries, 'cohere', 'command-r').pricing.prompt).toBeDefined() // cohere_chat
    expect(find(ll.entries, 'nvidia', 'nvidia/nv-rerankqa-mistral-4b-v3')).toBeDefined()
    expect(find(ll.entries, 'llama', 'Llama-3.3-70B-Instruct')).toBeDefined()
    expect(litellmModelId('fireworks_ai/accounts/fireworks/models/x', 'fireworks_ai')).toBe('accounts/fireworks/models/x')
    expect(litellmModelId('groq/', 'groq')).toBe('groq/')
  })

  test('cache, reasoning prices and modalities', () => {
    // claude-sonnet-4-5 raw: 3e-06 / 1.5e-05 / cache read 3e-07 / cache creation 3.75e-06
    expect(find(ll.entries, 'anthropic', 'claude-sonnet-4-5').pricing).toEqual({
      prompt: '0.000003',
      completion: '0.000015',
      input_cache_read: '0.0000003',
      input_cache_write: '0.00000375',
    })
    const flash = find(ll.entries, 'gemini', 'gemini-2.5-flash')
    // issue 15: input_cost_per_audio_token → audio
    expect(flash.pricing).toEqual({ prompt: '0.0000003', completion: '0.0000025', input_cache_read: '0.00000003', internal_reasoning: '0.0000025', audio: '0.000001' })
    expect([flash.inputModalities, flash.outputModalities]).toEqual([['text', 'image', 'audio', 'video'], ['text']])
    expect([flash.contextLength, flash.maxOutputTokens]).toEqual([1048576, 65535])
    // deepseek/deepseek-coder states its cache price only as input_cost_per_token_cache_hit (1.4e-08)
    expect(find(ll.entries, 'deepseek', 'deepseek-coder').pricing.input_cache_read).toBe('0.000000014')
  })

  test('duplicates: the provider-prefixed key wins over the bare one', () => {
    // `deepseek-chat` lacks cache_creation_input_token_cost; `deepseek/deepseek-chat` states 0.0
    expect(find(ll.entries, 'deepseek', 'deepseek-chat').pricing.input_cache_write).toBe('0')
    // gemini/gemini-flash-latest: cache read 7.5e-08; bare gemini-flash-latest: 3e-08
    expect(find(ll.entries, 'gemini', 'gemini-flash-latest').pricing.input_cache_read).toBe('0.000000075')
  })

  test('max_tokens is a context length only for input-only modes', () => {
    // gradient_ai/anthropic-claude-3-opus: max_tokens 1024, no max_input_tokens: an output limit, not the context
    expect(LITELLM_RAW['gradient_ai/anthropic-claude-3-opus'].max_tokens).toBe(1024)
    expect(find(ll.entries, 'gradient_ai', 'anthropic-claude-3-opus').contextLength).toBeNull()
    expect(find(ll.entries, 'openai', 'text-embedding-3-small').contextLength).toBe(8191)
    const { entries } = litellm.parse({
      'x/embed': { litellm_provider: 'x', mode: 'embedding', max_tokens: 512 },
      'x/chat': { litellm_provider: 'x', mode: 'chat', max_tokens: 512 },
    })
    expect(entries.map((e) => [e.modelId, e.contextLength, e.maxOutputTokens])).toEqual([
      ['embed', 512, null],
      ['chat', null, null],
    ])
  })

  test('provider ids map onto built-ins; every mapped id is a built-in id', () => {
    const rawProviders = new Set(Object.values(LITELLM_RAW).map((v: any) => v.litellm_provider))
    for (const [from, to] of Object.entries(LITELLM_PROVIDER_MAP)) {
      expect(BUILTIN_IDS.has(to)).toBe(true)
      expect(rawProviders.has(from)).toBe(true) // the map is not stale
    }
    const providers = new Set(ll.entries.map((e) => e.provider))
    for (const source of Object.keys(LITELLM_PROVIDER_MAP)) if (!BUILTIN_IDS.has(source)) expect(providers.has(source)).toBe(false)
    for (const p of providers) if (!BUILTIN_IDS.has(p)) expect(BUILTIN_ALIASES.has(p)).toBe(false)
    const covered = [...providers].filter((p) => BUILTIN_IDS.has(p)).sort()
    expect(covered).toEqual(
      [
        'alibaba',
        'anthropic',
        'cerebras',
        'cohere',
        'deepinfra',
        'deepseek',
        'featherless',
        'fireworks',
        'friendli',
        'gemini',
        'groq',
        'heroku',
        'hyperbolic',
        'lambda',
        'llama',
        'mistral',
        'moonshot',
        'nebius',
        'novita',
        'nscale',
        'nvidia',
        'ollama',
        'openai',
        'openrouter',
        'ovhcloud',
        'sambanova',
        'together',
        'vercel',
        'xai',
        'zai',
      ].sort(),
    )
  })

  test('bad entries are skipped and counted; a non-object body throws', () => {
    const { entries, skipped } = litellm.parse({
      sample_spec: { litellm_provider: 'one of https://docs.litellm.ai/docs/providers', max_tokens: 'LEGACY' },
      'groq/ok': { litellm_provider: 'groq', mode: 'chat', input_cost_per_token: 1e-7, max_input_tokens: 'lots', supports_vision: 'maybe' },
      'groq/no-provider': { mode: 'chat', input_cost_per_token: 1e-7 },
      'groq/string': 'x',
      'groq/null': null,
      'groq/list': [],
    })
    expect(skipped).toBe(4)
    expect(entries).toEqual([
      {
        provider: 'groq',
        modelId: 'ok',
        contextLength: null,
        maxOutputTokens: null,
        inputModalities: null,
        outputModalities: null,
        capabilities: null,
        pricing: { prompt: '0.0000001' },
        priceTiers: [],
        deprecation: null,
      },
    ])
    for (const body of [null, undefined, 'x', 42, [], [{ litellm_provider: 'groq' }], { data: [{ litellm_provider: 'groq' }] }]) {
      expect(() => litellm.parse(body)).toThrow(/^litellm: /)
    }
  })
})

describe('both snapshots: price strings', () => {
  test('exact decimals without float noise, every one', () => {
    let n = 0
    for (const e of [...md.entries, ...ll.entries]) {
      for (const value of Object.values(e.pricing)) {
        n++
        expect(value).toMatch(/^\d+(\.\d*[1-9])?$/)
        expect(value!.length).toBeLessThan(25)
      }
    }
    expect(n).toBeGreaterThan(10000)
  })
})
