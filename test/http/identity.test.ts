import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { capturedToml, getOk, openCapturedCatalog } from '../helpers/captured-catalog'
import type { FakeUpstream } from '../helpers/fake-upstream'
import { makeHarness, type Harness } from '../helpers/harness'

/**
 * Issue 16 over HTTP: the unique view, provider_count, cheapest and /v1/models/{canonical} follow the
 * identity decisions, pinned here by hand (not taken from the service), with canonical_basis on each.
 */
let up: FakeUpstream
let h: Harness
beforeAll(async () => {
  ;({ up, h } = await openCapturedCatalog())
})
afterAll(async () => {
  await h.close()
  up.stop()
})

const get = (path: string) => getOk(h, path)

describe('identity over HTTP', () => {
  test('Llama 3.3 70B Instruct: the three providers under one canonical id, with their basis', async () => {
    const m = await get('/v1/models/meta/llama-3.3-70b-instruct')
    const ids = m.providers.map((p: any) => p.id)
    expect(ids).toEqual(
      expect.arrayContaining([
        'groq/llama-3.3-70b-versatile',
        'together/meta-llama/Llama-3.3-70B-Instruct-Turbo',
        'openrouter/meta-llama/llama-3.3-70b-instruct',
        'openrouter/meta-llama/llama-3.3-70b-instruct:free',
      ]),
    )
    expect(m.provider_count).toBe(m.providers.length)
    const basis = Object.fromEntries(m.providers.map((p: any) => [p.id, p.canonical_basis]))
    expect(basis['groq/llama-3.3-70b-versatile']).toBe('override') // aliases.json
    expect(basis['openrouter/meta-llama/llama-3.3-70b-instruct']).toBe('rule')
    // the cheapest is among them: the free OpenRouter twin
    expect(m.cheapest.id).toBe('openrouter/meta-llama/llama-3.3-70b-instruct:free')
  })

  test('every offering carries canonical_basis, one of override | rule | learned:<source> | own', async () => {
    const list = (await get('/v1/models')).data as any[]
    expect(list.length).toBeGreaterThan(100)
    for (const o of list) expect(o.canonical_basis).toMatch(/^(override|rule|own|learned:[a-z.]+)$/)
    // an id with no organisation and no known family (owned_by SDAIA is none modelcat knows): the provider's own
    expect(list.find((o) => o.id === 'groq/allam-2-7b')).toMatchObject({ canonical_id: 'groq/allam-2-7b', canonical_basis: 'own' })
  })

  test('kept apart: deepseek-coder is not DeepSeek-V3; a distill is not its teacher; dated gpt-4o snapshots are not gpt-4o', async () => {
    const byId = new Map(((await get('/v1/models')).data as any[]).map((o) => [o.id, o.canonical_id]))
    expect(byId.get('openrouter/deepseek/deepseek-coder')).toBe('deepseek/deepseek-coder')
    expect(byId.get('openrouter/deepseek/deepseek-r1-distill-qwen-32b')).toBe('deepseek/deepseek-r1-distill-qwen-32b')
    expect(byId.get('openrouter/deepseek/deepseek-r1-distill-qwen-32b:free')).toBe('deepseek/deepseek-r1-distill-qwen-32b')
    expect(byId.get('openrouter/deepseek/deepseek-r1')).toBe('deepseek/deepseek-r1')
    // several dated gpt-4o snapshots in the lists: each date names its own model
    expect(byId.get('openrouter/openai/gpt-4o')).toBe('openai/gpt-4o')
    expect(byId.get('openrouter/openai/gpt-4o-2024-11-20')).toBe('openai/gpt-4o-2024-11-20')
    expect(byId.get('openrouter/openai/gpt-4o-2024-05-13')).toBe('openai/gpt-4o-2024-05-13')
    // one dated gpt-4o-mini snapshot: the undated alias is it
    expect(byId.get('openrouter/openai/gpt-4o-mini-2024-07-18')).toBe('openai/gpt-4o-mini')
  })

  test('the unique view groups by the same ids: provider_count and providers agree with the offerings', async () => {
    const unique = (await get('/v1/models?unique=true')).data as any[]
    const gpt4oMini = unique.find((m) => m.id === 'openai/gpt-4o-mini')
    expect(gpt4oMini.providers.map((p: any) => p.id).sort()).toEqual(['openrouter/openai/gpt-4o-mini', 'openrouter/openai/gpt-4o-mini-2024-07-18'])
    expect(gpt4oMini.provider_count).toBe(2)
    for (const p of gpt4oMini.providers) expect(p.canonical_basis).toMatch(/^(rule|learned:[a-z.]+)$/)
  })

  test('startup maintenance re-derives stored canonical ids (and fills a missing basis)', async () => {
    h.store.db.$client.run(`update offerings set canonical_id = 'stale/x', canonical_basis = null where id = 'groq/llama-3.3-70b-versatile'`)
    const dir = h.dir
    await h.close(false)
    h = makeHarness({ toml: capturedToml(up.url), dir })
    const m = await get('/v1/models/groq/llama-3.3-70b-versatile')
    expect(m.canonical_id).toBe('meta/llama-3.3-70b-instruct')
    expect(m.canonical_basis).toBe('override')
  })
})
