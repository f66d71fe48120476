import { describe, expect, test } from 'bun:test'
import { createCanonicalizer } from '../../src/catalog/canonical'

const canonicalId = createCanonicalizer()
const c = (provider: string, id: string, ownedBy?: string) => canonicalId({ provider, id, ownedBy })

describe('canonical ids: one rule per test', () => {
  test('org/Model-Name and lowercase spellings agree', () => {
    expect(c('together', 'Qwen/Qwen3-235B-A22B-Instruct-2507')).toBe(c('openrouter', 'qwen/qwen3-235b-a22b-instruct-2507'))
    // the active-parameter count (-a22b) is on some providers' ids only: not identity when the size is there
    expect(c('openrouter', 'qwen/qwen3-235b-a22b-instruct-2507')).toBe('qwen/qwen3-235b-instruct-2507')
  })

  test('Fireworks accounts/<x>/models/ prefix is stripped', () => {
    expect(c('fireworks', 'accounts/fireworks/models/kimi-k2-instruct')).toBe('moonshotai/kimi-k2-instruct')
  })

  test('Cloudflare @cf/ prefix is stripped, the org after it kept', () => {
    expect(c('cloudflare', '@cf/meta/llama-3.3-70b-instruct-fp8-fast')).toBe('meta/llama-3.3-70b-instruct')
  })

  test('hf: prefix and gateway @provider/ prefixes are stripped', () => {
    expect(c('synthetic', 'hf:zai-org/GLM-4.6')).toBe('zhipuai/glm-4.6')
    expect(c('portkey', '@deepinfra/zai-org/GLM-4.5-Air')).toBe('zhipuai/glm-4.5-air')
  })

  test('Gemini models/ prefix is stripped and the family names the org', () => {
    expect(c('google', 'models/gemini-2.5-flash')).toBe('google/gemini-2.5-flash')
  })

  test(':free and other OpenRouter variants are the same model', () => {
    expect(c('openrouter', 'meta-llama/llama-3.3-70b-instruct:free')).toBe('meta/llama-3.3-70b-instruct')
    expect(c('openrouter', 'deepseek/deepseek-chat-v3-0324:free')).toBe(c('openrouter', 'deepseek/deepseek-chat-v3-0324'))
  })

  test('-Instruct-Turbo (Together) is the instruct model, but -turbo alone is part of a name', () => {
    expect(c('together', 'meta-llama/Llama-3.3-70B-Instruct-Turbo')).toBe('meta/llama-3.3-70b-instruct')
    expect(c('openai', 'gpt-3.5-turbo')).toBe('openai/gpt-3.5-turbo')
    expect(c('openrouter', 'z-ai/glm-5v-turbo')).toBe('zhipuai/glm-5v-turbo')
  })

  test('-TEE, -FP8 and other serving suffixes are the same model', () => {
    expect(c('chutes', 'zai-org/GLM-5.1-TEE')).toBe('zhipuai/glm-5.1')
    expect(c('deepinfra', 'zai-org/GLM-5.1-FP8')).toBe('zhipuai/glm-5.1')
    expect(c('x', 'moonshotai/Kimi-K2.6-6bit')).toBe('moonshotai/kimi-k2.6')
  })

  test('org aliases: meta-llama / meta, zai-org / z-ai / zai / zhipuai / thudm', () => {
    expect(c('a', 'meta-llama/Llama-3.1-8B-Instruct')).toBe(c('b', 'meta/llama-3.1-8b-instruct'))
    const glm = ['zai-org/GLM-4.6', 'z-ai/glm-4.6', 'zai/glm-4.6', 'zhipuai/glm-4.6', 'THUDM/GLM-4.6'].map((id) => c('p', id))
    expect(new Set(glm)).toEqual(new Set(['zhipuai/glm-4.6']))
  })

  test('ids without an org get it from the model family', () => {
    expect(c('groq', 'llama-3.1-8b-instant')).toBe('meta/llama-3.1-8b-instruct') // + alias data
    expect(c('zai', 'glm-5.2')).toBe('zhipuai/glm-5.2')
    expect(c('cerebras', 'qwen-3-235b-a22b-instruct-2507')).toBe('qwen/qwen-3-235b-instruct-2507')
    expect(c('anthropic', 'claude-opus-4-20250514')).toBe('anthropic/claude-opus-4') // a date is a wrapper (issue 16)
  })

  test('alias data: names rules cannot tell apart (Groq versatile = Llama 3.3 70B Instruct)', () => {
    expect(c('groq', 'llama-3.3-70b-versatile')).toBe(c('together', 'meta-llama/Llama-3.3-70B-Instruct-Turbo'))
  })

  test('ids with no org and no known family stay with their provider: never merged across providers', () => {
    expect(c('perplexity-like', 'my-secret-model')).toBe('perplexity-like/my-secret-model')
    expect(c('a', 'my-secret-model')).not.toBe(c('b', 'my-secret-model'))
  })

  test('owned_by names the org when the id has none and no family matches', () => {
    expect(c('groq', 'allam-2-7b', 'SDAIA')).toBe('groq/allam-2-7b') // SDAIA is not a known organisation
    expect(c('groq', 'compound-beta', 'Meta')).toBe('meta/compound-beta')
  })

  test('different organisations never merge without alias data', () => {
    expect(c('together', 'nousresearch/Hermes-3-Llama-3.1-70B')).not.toBe(c('together', 'meta-llama/Llama-3.1-70B'))
    expect(c('x', 'someorg/gpt-4o')).not.toBe(c('openai', 'gpt-4o')) // an explicit unknown org is kept
    expect(c('x', 'someorg/gpt-4o')).toBe('someorg/gpt-4o')
  })

  test('a routing namespace (alias data) is no organisation: the model family names it', () => {
    expect(c('routing-run', 'route/kimi-k2.6')).toBe('moonshotai/kimi-k2.6')
  })

  // changed with issue 16: a date is a wrapper unless the model is known in several dated snapshots
  // (test/catalog/identity.test.ts proves both sides)
  test('a dated snapshot is its model when no other snapshot of it is known', () => {
    expect(c('openai', 'gpt-4o-2024-11-20')).toBe(c('openai', 'gpt-4o'))
    expect(c('openai', 'gpt-4o-2024-11-20')).toBe('openai/gpt-4o')
  })

  test('a version written with dashes equals the dotted one; dates and sizes are untouched', () => {
    expect(c('databricks', 'databricks-gpt-5-5')).toBe('openai/gpt-5.5')
    expect(c('x', 'moonshotai/kimi-k2-6')).toBe('moonshotai/kimi-k2.6')
    expect(c('anthropic', 'claude-3-5-sonnet-20241022')).toBe('anthropic/claude-3.5-sonnet')
    expect(c('x', 'meta-llama/Llama-3-8B-Instruct')).toBe('meta/llama-3-8b-instruct')
  })

  test('Bedrock ids: region prefix, org glued with a dot, -v1:0 suffix', () => {
    expect(c('amazon-bedrock', 'us.meta.llama4-maverick-17b-instruct-v1:0')).toBe('meta/llama-4-maverick-17b-instruct')
    expect(c('amazon-bedrock', 'openai.gpt-5.5')).toBe('openai/gpt-5.5')
  })

  test('a provider brand in front of a known model is stripped (umans-glm-5.2 on umans-ai)', () => {
    expect(c('umans-ai', 'umans-glm-5.2')).toBe('zhipuai/glm-5.2')
    // changed with issue 16: a word that is no organisation and no family in front of a known family with a
    // version is a plan or brand prefix wherever it is (coding-glm-5); a known family in front is not (llava below)
    expect(c('other', 'umans-glm-5.2')).toBe('zhipuai/glm-5.2')
    expect(c('other', 'umans-coder')).toBe('other/umans-coder') // no known family after it: kept
  })

  test('config data extends the shipped aliases', () => {
    const custom = createCanonicalizer({ orgs: { acme: 'meta' }, models: { 'meta/llama-3.3-70b-instruct': 'meta/llama-3.3-70b' } })
    expect(custom({ provider: 'p', id: 'acme/Llama-3.3-70B-Instruct' })).toBe('meta/llama-3.3-70b')
  })
})
