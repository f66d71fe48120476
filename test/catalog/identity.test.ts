import { describe, expect, test } from 'bun:test'
import { createCanonicalizer } from '../../src/catalog/canonical'
import { LEARNED_LIMITS, LearnedIdentity, type Observation } from '../../src/catalog/learned'

/**
 * Issue 16: identity that holds on models nobody labelled. Every id here is written by hand for the
 * rule it proves (none is copied from a label file); each check has its near miss beside it.
 */

const plain = createCanonicalizer()
const c = (provider: string, id: string) => plain({ provider, id })

/** A canonicalizer taught by observations written here (what reference catalogs and live lists would hold). */
function taught(observations: Observation[]) {
  const canonical = createCanonicalizer()
  canonical.learn(observations)
  return (provider: string, id: string) => canonical({ provider, id })
}
const ref = (provider: string, id: string, name?: string): Observation => ({ source: 'models.dev', provider, id, name })
const live = (provider: string, id: string, extra: Partial<Observation> = {}): Observation => ({ source: 'live', provider, id, ...extra })

describe('pinned canonical ids (hand-written expectations, not taken from the service)', () => {
  const pinned: [string, string, string][] = [
    ['together', 'deepseek-ai/deepseek-coder-33b-instruct', 'deepseek/deepseek-coder-33b-instruct'],
    ['deepinfra', 'deepseek-ai/DeepSeek-Coder-V2-Instruct', 'deepseek/deepseek-coder-v2-instruct'],
    ['x', 'deepseek-coder', 'deepseek/deepseek-coder'],
    ['x', 'deepseek-coder-v2', 'deepseek/deepseek-coder-v2'],
    ['openrouter', 'deepseek/deepseek-chat-v3-0324', 'deepseek/deepseek-chat-v3-0324'],
    ['groq', 'llama-3.3-70b-versatile', 'meta/llama-3.3-70b-instruct'],
    ['together', 'meta-llama/Llama-3.3-70B-Instruct-Turbo', 'meta/llama-3.3-70b-instruct'],
    ['openai', 'gpt-4o-mini', 'openai/gpt-4o-mini'],
    ['openai', 'gpt-3.5-turbo', 'openai/gpt-3.5-turbo'],
    ['anthropic', 'claude-sonnet-4-5-20250929', 'anthropic/claude-sonnet-4.5'],
    ['anthropic', 'claude-sonnet-4-20250514', 'anthropic/claude-sonnet-4'],
    ['mistral', 'mistral-large-2411', 'mistral/mistral-large-2411'],
    ['x', 'moonshot-v1-8k', 'moonshotai/moonshot-v1-8k'],
    ['gemini', 'models/gemini-2.5-flash-lite', 'google/gemini-2.5-flash-lite'],
    ['openrouter', 'z-ai/glm-4.6', 'zhipuai/glm-4.6'],
  ]
  for (const [provider, id, expected] of pinned) test(`${provider}: ${id} → ${expected}`, () => expect(c(provider, id)).toBe(expected))

  test('a trailing -vN is a version: deepseek-coder and deepseek-coder-v2 are two models', () => {
    expect(c('a', 'deepseek-coder')).not.toBe(c('b', 'deepseek-coder-v2'))
    expect(c('a', 'acme/widget-v3')).not.toBe(c('b', 'acme/widget'))
    expect(c('a', 'acme/widget-v3')).not.toBe(c('b', 'acme/widget-v2'))
  })
})

describe('version guards', () => {
  test('claude-sonnet-4-5-20250929 is Sonnet 4.5, never Sonnet 4; the date is a wrapper', () => {
    expect(c('anthropic', 'claude-sonnet-4-5-20250929')).toBe(c('openrouter', 'anthropic/claude-sonnet-4.5'))
    expect(c('anthropic', 'claude-sonnet-4-5-20250929')).not.toBe(c('anthropic', 'claude-sonnet-4-20250514'))
    expect(c('anthropic', 'claude-sonnet-4-5')).not.toBe(c('anthropic', 'claude-sonnet-4'))
  })

  test('version and size tokens must agree exactly', () => {
    expect(c('a', 'qwen/qwen3.5-72b')).not.toBe(c('b', 'qwen/qwen3.6-72b'))
    expect(c('a', 'qwen/qwen3.5-72b')).not.toBe(c('b', 'qwen/qwen3.5-7b'))
    expect(c('a', 'nvidia/nemotron-3-super-120b')).not.toBe(c('b', 'nvidia/nemotron-3-super-12b'))
    expect(c('a', 'nvidia/nemotron-3-super-120b')).not.toBe(c('b', 'nvidia/nemotron-4-super-120b'))
  })

  test('a distilled model is not its teacher, nor the student base', () => {
    const distill = c('a', 'deepseek-r1-distill-qwen-32b')
    expect(distill).not.toBe(c('b', 'deepseek-r1'))
    expect(distill).not.toBe(c('b', 'qwen/qwen-32b'))
    expect(distill).not.toBe(c('b', 'deepseek-r1-distill-llama-70b'))
    expect(distill).toBe(c('b', 'deepseek-ai/DeepSeek-R1-Distill-Qwen-32B'))
  })
})

describe('cloud spellings are wrappers', () => {
  test('any region prefix before an organisation (jp., au., not only us./eu./apac./global.)', () => {
    const plainId = c('anthropic', 'claude-sonnet-4-5')
    expect(c('bedrock', 'jp.anthropic.claude-sonnet-4-5-20250929-v1:0')).toBe(plainId)
    expect(c('bedrock', 'au.anthropic.claude-sonnet-4-5-20250929-v1:0')).toBe(plainId)
    expect(c('bedrock', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0')).toBe(plainId)
    // near miss: a dotted version is no region
    expect(c('x', 'glm-4.6')).toBe('zhipuai/glm-4.6')
  })

  test('Vertex @date and @default suffixes; -v1; -20250805 vs @20250805', () => {
    expect(c('vertex', 'claude-opus-4-1@20250805')).toBe(c('anthropic', 'claude-opus-4-1-20250805'))
    expect(c('vertex', 'claude-opus-4-1@default')).toBe(c('anthropic', 'claude-opus-4-1'))
    expect(c('bedrock', 'anthropic.claude-opus-4-1-20250805-v1')).toBe(c('anthropic', 'claude-opus-4-1'))
    expect(c('x', 'acme/widget-3-v1')).toBe(c('y', 'acme/widget-3'))
    // near misses: -v2 is a version, and -v1 on an id with no other number is its name
    expect(c('x', 'acme/widget-3-v2')).not.toBe(c('y', 'acme/widget-3'))
    expect(c('x', 'acme/widget-v1')).not.toBe(c('y', 'acme/widget'))
  })

  test('a date is a wrapper unless several dated snapshots of the model are known', () => {
    const know = taught([live('openai', 'gpt-4o-2024-05-13'), live('openai', 'gpt-4o-2024-11-20'), live('openai', 'gpt-4o'), live('openai', 'gpt-4o-mini-2024-07-18')])
    expect(know('a', 'openai/gpt-4o-2024-05-13')).not.toBe(know('b', 'openai/gpt-4o-2024-11-20'))
    expect(know('a', 'openai/gpt-4o-2024-11-20')).not.toBe(know('b', 'gpt-4o'))
    expect(know('a', 'openai/gpt-4o-2024-11-20')).toBe(know('b', 'gpt-4o-20241120'))
    // one snapshot known: the undated alias is that snapshot
    expect(know('a', 'gpt-4o-mini-2024-07-18')).toBe(know('b', 'gpt-4o-mini'))
  })
})

describe('organisation spellings not in the curated data', () => {
  const xiaomi = [
    ref('xiaomi', 'mimo-v2.5-pro'),
    ref('openrouter', 'xiaomi/mimo-v2.5-pro', 'Xiaomi: MiMo-V2.5-Pro'),
    live('openrouter', 'xiaomi/mimo-v2-flash', { name: 'Xiaomi: MiMo V2 Flash', hfId: 'XiaomiMiMo/MiMo-V2-Flash' }),
  ]

  test('a family learned under an organisation names it for ids that name none', () => {
    const know = taught(xiaomi)
    expect(know('some-host', 'mimo-v2.5-pro')).toBe('xiaomi/mimo-v2.5-pro')
    // near miss: untaught, the id stays the provider's own
    expect(c('some-host', 'mimo-v2.5-pro')).toBe('some-host/mimo-v2.5-pro')
  })

  test('xiaomimimo/ (hugging_face_id) is xiaomi/; a glued org (xiaomi-mimo-…) is split off', () => {
    const know = taught(xiaomi)
    expect(know('hf', 'XiaomiMiMo/MiMo-V2.5-Pro')).toBe('xiaomi/mimo-v2.5-pro')
    expect(know('agg', 'xiaomi-mimo-v2.5-pro')).toBe('xiaomi/mimo-v2.5-pro')
    // near miss: another org that merely shares a family word stays apart
    expect(know('x', 'acme/mimo-v2.5-pro')).toBe('acme/mimo-v2.5-pro')
  })

  test('grok/ is xai/: the org segment names the family itself', () => {
    expect(c('x', 'grok/grok-4')).toBe(c('y', 'x-ai/grok-4'))
    expect(c('x', 'grok/grok-4')).not.toBe(c('y', 'x-ai/grok-3'))
  })

  test('two spellings that publish the same families and the same models are one organisation', () => {
    // acmelabs/ is listed by two providers (a, c): the spelling the organisation goes by
    const pair = [live('a', 'acmelabs/widget-2'), live('a', 'acmelabs/widget-3'), live('b', 'acme-research/widget-2'), live('b', 'acme-research/widget-3')]
    const know = taught([...pair, live('c', 'acmelabs/widget-2')])
    expect(know('x', 'acme-research/widget-3')).toBe('acmelabs/widget-3')
    expect(know('y', 'acmelabs/widget-3')).toBe('acmelabs/widget-3')
    // near miss: one provider on each side: neither spelling is renamed for the other's word
    const alone = taught(pair)
    expect(alone('x', 'acme-research/widget-3')).toBe('acme-research/widget-3')
    expect(alone('y', 'acmelabs/widget-3')).toBe('acmelabs/widget-3')
    // near miss: a host that publishes other families too is never folded in
    const host = taught([live('a', 'acmelabs/widget-2'), live('a', 'acmelabs/widget-3'), live('b', 'bighost/widget-2'), live('b', 'bighost/widget-3'), live('b', 'bighost/gizmo-1')])
    expect(host('x', 'bighost/widget-3')).not.toBe(host('y', 'acmelabs/widget-3'))
  })

  test('a plan prefix before a known family (coding-…), even when a product elsewhere is called coding-…', () => {
    expect(c('agg', 'coding-glm-5.1')).toBe('zhipuai/glm-5.1')
    // nanogpt/coding-router teaches "coding" as a word of nanogpt's, but no numbered model family
    const router = taught([live('gw', 'nanogpt/coding-router'), ref('xiaomi', 'mimo-v2.5-pro'), ref('openrouter', 'xiaomi/mimo-v2.5-pro')])
    expect(router('agg', 'coding-mimo-v2.5-pro')).toBe('xiaomi/mimo-v2.5-pro')
    // near miss: a word that is itself a family stays (llava-llama-3 is not Llama 3)
    const know = taught([live('h', 'acme/llava-7b')])
    expect(know('agg', 'llava-llama-3-8b')).not.toBe(know('b', 'meta-llama/llama-3-8b'))
  })
})

describe('serving suffixes vs names', () => {
  test('-fast after a quantization is a deployment; -fast alone names a model', () => {
    expect(c('cloudflare', '@cf/meta/llama-3.3-70b-instruct-fp8-fast')).toBe('meta/llama-3.3-70b-instruct')
    expect(c('a', 'x-ai/grok-4.1-fast')).not.toBe(c('b', 'x-ai/grok-4.1'))
    expect(c('a', 'x-ai/grok-4.1-fast')).toBe('xai/grok-4.1-fast')
  })
})

describe('version spellings and word order', () => {
  // Two spellings of one identity key get one id from the learned spelling of that key (what the store
  // learns from its reference catalogs and live lists at startup and at each reference refresh).
  test('qwen-3.7-max is qwen3.7-max: same identity key, one learned spelling', () => {
    const spellings = [live('a', 'qwen-3.7-max'), live('b', 'qwen/qwen3.7-max'), live('c', 'qwen/qwen3.7-max'), live('d', 'qwen3.7-plus')]
    const know = taught(spellings)
    expect(know('a', 'qwen-3.7-max')).toBe('qwen/qwen3.7-max') // the spelling most sources use
    expect(know('b', 'qwen/qwen3.7-max')).toBe('qwen/qwen3.7-max')
    expect(know('a', 'qwen-3.7-max')).not.toBe(know('d', 'qwen3.7-plus'))
    expect(plain.explain({ provider: 'a', id: 'qwen-3.7-max' }).key).toBe(plain.explain({ provider: 'b', id: 'qwen/qwen3.7-max' }).key)
  })

  test('qwen35-… is qwen3.5-… when the family is known to have 3.5 (and only then)', () => {
    const know = taught([ref('alibaba', 'qwen3.5-plus')])
    expect(know('a', 'qwen35-plus')).toBe(know('b', 'qwen3.5-plus'))
    expect(know('a', 'qwen35-plus')).not.toBe(know('b', 'qwen3.5-max'))
    // near miss: no 3.5 known, 35 stays 35
    expect(c('a', 'qwen35-plus')).not.toBe(c('b', 'qwen3.5-plus'))
  })

  test('family word order is free; an active-parameter suffix (-a12b) on some providers only is no identity', () => {
    expect(c('a', 'nemotron-3-super-120b-a12b')).toBe(c('b', 'nvidia/nemotron-3-super-120b'))
    const key = (id: string) => plain.explain({ provider: 'x', id }).key
    expect(key('nvidia/nemotron-super-3-120b')).toBe(key('nvidia/nemotron-3-super-120b-a12b'))
    const know = taught([live('a', 'nvidia/nemotron-super-3-120b'), live('b', 'nvidia/nemotron-3-super-120b-a12b'), live('c', 'nemotron-3-super-120b')])
    expect(know('a', 'nvidia/nemotron-super-3-120b')).toBe(know('b', 'nvidia/nemotron-3-super-120b-a12b'))
    expect(know('a', 'nvidia/nemotron-super-3-120b')).toBe('nvidia/nemotron-3-super-120b')
    // near miss: another family word is another model
    expect(c('a', 'nvidia/nemotron-3-super-120b')).not.toBe(c('b', 'nvidia/nemotron-3-nano-120b'))
  })
})

describe('canonical_basis: how each decision was reached', () => {
  const explain = (provider: string, id: string) => plain.explain({ provider, id })
  test('override, rule, own; learned:<source>', () => {
    expect(explain('groq', 'llama-3.3-70b-versatile').basis).toBe('override')
    expect(explain('openrouter', 'z-ai/glm-4.6').basis).toBe('rule')
    expect(explain('someone', 'house-model-1').basis).toBe('own')
    const know = createCanonicalizer()
    know.learn([ref('xiaomi', 'mimo-v2.5-pro'), ref('openrouter', 'xiaomi/mimo-v2.5-pro')])
    expect(know.explain({ provider: 'host', id: 'mimo-v2.5-pro' }).basis).toBe('learned:models.dev')
  })

  test('the tokens are shown: organisation, family, version, size, variant, wrappers', () => {
    const d = explain('bedrock', 'jp.anthropic.claude-sonnet-4-5-20250929-v1:0')
    expect(d.tokens).toEqual({ org: 'anthropic', family: ['claude', 'sonnet'], version: ['4.5'], size: [], variant: [], wrappers: ['20250929'] })
    expect(explain('x', 'nvidia/nemotron-3-super-120b-a12b').tokens).toMatchObject({ size: ['120b'], wrappers: ['a12b'] })
  })

  test('config [canonical] data wins over what was learned', () => {
    const withConfig = createCanonicalizer({ orgs: { xiaomimimo: 'mi' } })
    withConfig.learn([ref('openrouter', 'xiaomi/mimo-v2.5-pro'), live('openrouter', 'xiaomi/mimo-v2-flash', { hfId: 'XiaomiMiMo/MiMo-V2-Flash' })])
    expect(withConfig({ provider: 'hf', id: 'XiaomiMiMo/MiMo-V2.5-Pro' })).toBe('mi/mimo-v2.5-pro')
  })
})

describe('learned tables are bounded', () => {
  test('family table stops at its cap; what is known stays known', () => {
    const l = new LearnedIdentity()
    for (let i = 0; i < LEARNED_LIMITS.families + 50; i++) l.voteFamily(`fam${i}`, 'acme', 'models.dev')
    expect(l.families.size).toBe(LEARNED_LIMITS.families)
    expect(l.familyOrg('fam0')?.org).toBe('acme')
    expect(l.familyOrg(`fam${LEARNED_LIMITS.families + 10}`)).toBeUndefined()
  })

  test('an observation counts once, however often it is seen', () => {
    const canonical = createCanonicalizer()
    canonical.learn([live('a', 'acme/widget-2')])
    const generation = canonical.generation
    canonical.learn([live('a', 'acme/widget-2'), live('a', 'acme/widget-2')])
    expect(canonical.generation).toBe(generation)
    expect(canonical.learned.size.observations).toBe(1)
  })

  test('spellings per key and dates per key are capped', () => {
    const l = new LearnedIdentity()
    for (let i = 0; i < 20; i++) l.learnSpelling('k', `s${i}`)
    expect(l.spellings.get('k')!.size).toBe(LEARNED_LIMITS.spellingsPerKey)
    for (let i = 10; i < 30; i++) l.learnDate('k', `202401${i}`)
    expect(l.dates.get('k')!.size).toBe(LEARNED_LIMITS.datesPerKey)
  })
})

describe('deployment words are wrappers, model words are not (issue 16, second pass)', () => {
  // ids of one identity key get one canonical id from the key's learned spelling (as at run time: every list is learned before it is decided)
  const key = (provider: string, id: string) => plain.explain({ provider, id }).key
  test('-turbo after a size or instruct is a quantized deployment; -turbo after a version names a model', () => {
    expect(key('chutes', 'google/gemma-7-12B-turbo-TEE')).toBe(key('b', 'google/gemma-7-12b-it'))
    const know = taught([live('chutes', 'google/gemma-7-12B-turbo-TEE'), live('b', 'google/gemma-7-12b-it'), live('c', 'google/gemma-7-12b-it')])
    expect(know('chutes', 'google/gemma-7-12B-turbo-TEE')).toBe('google/gemma-7-12b-instruct')
    expect(key('a', 'acme/widget-3-70b-turbo')).toBe(key('b', 'acme/widget-3-70b'))
    // near misses: gpt-4-turbo is not gpt-4, gpt-3.5-turbo not gpt-3.5
    expect(c('openai', 'gpt-4-turbo')).not.toBe(c('openai', 'gpt-4'))
    expect(key('openai', 'gpt-4-turbo')).not.toBe(key('openai', 'gpt-4'))
    expect(c('openai', 'gpt-3.5-turbo')).toBe('openai/gpt-3.5-turbo')
  })

  test('-flex is a service tier of the same model; flex elsewhere in a name stays', () => {
    expect(c('a', 'moonshotai/kimi-k9-code-flex')).toBe(c('b', 'moonshotai/kimi-k9-code'))
    expect(c('a', 'acme/flex-2-pro')).not.toBe(c('b', 'acme/2-pro'))
  })

  test('an expert count (-16e) beside a size is architecture, like an active-parameter count', () => {
    expect(c('a', 'meta-llama/llama-9-scout-17b-16e-instruct')).toBe(c('b', 'meta-llama/llama-9-scout-17b-instruct'))
    // near miss: the size itself must still agree
    expect(c('a', 'meta-llama/llama-9-scout-17b-16e-instruct')).not.toBe(c('b', 'meta-llama/llama-9-scout-70b-16e-instruct'))
  })

  test('instruct is the default of a hosted model; a model that says base (or pt) stays apart', () => {
    expect(key('a', 'acme/widget-3-70b')).toBe(key('b', 'acme/widget-3-70b-instruct'))
    const know = taught([live('a', 'acme/widget-3-70b'), live('b', 'acme/widget-3-70b-instruct'), live('c', 'acme/widget-3-70b-instruct')])
    expect(know('a', 'acme/widget-3-70b')).toBe('acme/widget-3-70b-instruct')
    expect(know('b', 'acme/widget-3-70b-instruct')).toBe('acme/widget-3-70b-instruct')
    expect(key('a', 'google/gemma-7-12b')).toBe(key('b', 'google/gemma-7-12b-it'))
    expect(key('a', 'acme/widget-3-70b-base')).not.toBe(key('b', 'acme/widget-3-70b-instruct'))
    expect(key('a', 'google/gemma-7-12b-pt')).not.toBe(key('b', 'google/gemma-7-12b-it'))
    // near miss: another variant word is still identity
    expect(key('a', 'acme/widget-3-70b-chat')).not.toBe(key('b', 'acme/widget-3-70b-instruct'))
  })
})

describe('a display name more specific than the id', () => {
  const canonical = createCanonicalizer()
  canonical.learn([ref('moonshotai', 'kimi-k9-code'), ref('openrouter', 'moonshotai/kimi-k9-code'), ref('moonshotai', 'kimi-k9'), live('plan-ai', 'plan-kimi-k9', { name: 'Kimi K9 Code' })])
  const id = (provider: string, model: string, name?: string) => canonical({ provider, id: model, name })

  test('names the model when it keeps every token of the id and other offerings list that model by id', () => {
    expect(id('plan-ai', 'plan-kimi-k9', 'Kimi K9 Code')).toBe('moonshotai/kimi-k9-code')
    expect(canonical.identify({ provider: 'plan-ai', id: 'plan-kimi-k9', name: 'Kimi K9 Code' }).basis).toBe('learned:names')
    expect(id('x', 'kimi-k9', 'Moonshot: Kimi K9 Code (free)')).toBe('moonshotai/kimi-k9-code') // org prefix and brackets are no identity
  })

  test('near misses: a name that drops a token of the id, names another family, or a model no id lists', () => {
    expect(id('plan-ai', 'plan-kimi-k9', 'Kimi K8 Code')).toBe('moonshotai/kimi-k9') // another version: the id wins
    expect(id('plan-ai', 'kimi-k9-code', 'Kimi K9')).toBe('moonshotai/kimi-k9-code') // fewer tokens: the id wins
    expect(id('plan-ai', 'plan-kimi-k9', 'Kimi K9 Thinking')).toBe('moonshotai/kimi-k9') // no id lists kimi-k9-thinking
    expect(id('plan-ai', 'plan-kimi-k9', 'Acme K9 Code')).toBe('moonshotai/kimi-k9') // another family word
    expect(id('plan-ai', 'plan-kimi-k9', `Kimi K9 Code ${'x'.repeat(200)}`)).toBe('moonshotai/kimi-k9') // over the name cap: not read
  })
})

describe('an organisation glued onto a family it owns under its own name', () => {
  test('google-gemma-… is google/gemma-… once gemma is learned as google’s, with no curated entry', () => {
    const canonical = createCanonicalizer({}, new LearnedIdentity(), { orgs: {}, families: {}, namespaces: [], models: {} })
    canonical.learn([ref('google', 'gemma-7-12b-it'), ref('openrouter', 'google/gemma-7-12b-it'), ref('openrouter', 'google/google-gemma-7-27b-it'), ref('openrouter', 'acme/widget-2')])
    expect(canonical({ provider: 'venice', id: 'google-gemma-7-12b-it' })).toBe(canonical({ provider: 'openrouter', id: 'google/gemma-7-12b-it' }))
    // near miss: an organisation glued onto a family it does not own stays part of the model
    expect(canonical({ provider: 'venice', id: 'acme-gemma-7-12b-it' })).not.toBe(canonical({ provider: 'openrouter', id: 'google/gemma-7-12b-it' }))
  })
})

describe("an organisation's name in place of its family word", () => {
  const none = { orgs: {}, families: {}, namespaces: [], models: {} }
  test('widgetco-3.5-flash is widgetco/wid-3.5-flash when wid is the one widgetco family with 3.5', () => {
    const canonical = createCanonicalizer({}, new LearnedIdentity(), none)
    canonical.learn([ref('openrouter', 'widgetco/wid-3.5-flash'), ref('openrouter', 'widgetco/wid-3.5-pro'), ref('openrouter', 'widgetco/gizmo-2')])
    expect(canonical({ provider: 'router', id: 'widgetco-3.5-flash' })).toBe('widgetco/wid-3.5-flash')
    expect(canonical.identify({ provider: 'router', id: 'widgetco-3.5-flash' }).basis).toBe('learned:families')
    // near misses: a version no family of it has, and an organisation with two families at that version
    expect(canonical({ provider: 'router', id: 'widgetco-9-flash' })).toBe('router/widgetco-9-flash')
    const two = createCanonicalizer({}, new LearnedIdentity(), none)
    two.learn([ref('openrouter', 'widgetco/wid-3.5-flash'), ref('openrouter', 'widgetco/gizmo-3.5-flash')])
    expect(two({ provider: 'router', id: 'widgetco-3.5-flash' })).toBe('router/widgetco-3.5-flash')
  })
})
