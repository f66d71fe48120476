import { afterEach, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { FakeUpstream, FIXTURES } from '../helpers/fake-upstream'
import { makeHarness, tomlFor, type Harness } from '../helpers/harness'
import { modelsDev } from '../../src/reference/models-dev'
import { litellm } from '../../src/reference/litellm'
import { toDecimal } from '../../src/lib/decimal'

/**
 * Issue 15, "prices you can bill on", through the whole service: fake upstreams on 127.0.0.1 replaying
 * real captures (and, where no capture exists, bodies built from a documented schema), a real SQLite
 * file, the embedded reference snapshots, answers checked against their route's schema by the harness.
 */

setDefaultTimeout(60_000) // each test loads both reference snapshots (seconds on a shared 2-core machine)

let up: FakeUpstream | undefined
let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  up?.stop()
  h = up = undefined
})

const json = async (path: string) => (await (await h!.get(path)).json()) as any
const body = (v: unknown) => ({ kind: 'body' as const, body: JSON.stringify(v), contentType: 'application/json' })
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10)

/**
 * An OpenRouter list in the 2026 schema. No capture we hold shows it, so these items are BUILT from
 * OpenRouter's documented model schema as shipped in `@openrouter/sdk` 1.3.19 (esm/models/model.js,
 * publicpricing.js, pricingoverride.js): `pricing.input_cache_write_1h`, `audio`, `input_audio_cache`,
 * `image_output`, `audio_output`, `discount`, `overrides[]` ({min_prompt_tokens | utc_start/utc_end/utc_days,
 * prices}) and `expiration_date` are fields of those schemas; the values are made up. `quantum_token` is a
 * price key invented for this test (no schema has it): it must be carried exactly.
 */
function openrouter2026(opts: { scale?: (price: string) => string; expires?: string | null } = {}) {
  const s = opts.scale ?? ((p: string) => p)
  const plain = (id: string, prompt: string, completion: string) => ({
    id,
    name: id,
    created: 1750000000,
    context_length: 128000,
    architecture: { input_modalities: ['text'], output_modalities: ['text'] },
    pricing: { prompt: s(prompt), completion: s(completion) },
    top_provider: { context_length: 128000, max_completion_tokens: 16384, is_moderated: false },
  })
  return {
    data: [
      {
        ...plain('acme/long-context', '0.0000005', '0.000003'),
        expiration_date: opts.expires ?? null,
        pricing: {
          prompt: s('0.0000005'),
          completion: s('0.000003'),
          request: '0',
          web_search: '0.01',
          input_cache_read: '0.00000005',
          input_cache_write: '0.000000625',
          input_cache_write_1h: '0.000001',
          audio: '0.000001',
          input_audio_cache: '0.0000001',
          image_output: '0.00004',
          audio_output: '0.000008',
          quantum_token: '0.000000123456789012345678',
          discount: 0,
          overrides: [
            { min_prompt_tokens: 128000, prompt: '0.000001', completion: '0.000006' },
            { utc_start: 100, utc_end: 400, utc_days: ['saturday', 'sunday'], prompt: '0.00000025' },
          ],
        },
      },
      { ...plain('openrouter/auto', '-1', '-1'), pricing: { prompt: '-1', completion: '-1' } },
      { ...plain('openrouter/bodybuilder', '-1', '-1'), pricing: { prompt: '-1', completion: '-1' } },
      // real ids the reference snapshots know (models.dev: 3 / 15 per 1M; LiteLLM the same)
      plain('anthropic/claude-sonnet-4', '0.000003', '0.000015'),
      // gpt-4o-mini: models.dev says 0.15 / 0.6 per 1M; this list says 0.2 (a 33 % difference: a conflict)
      plain('openai/gpt-4o-mini', '0.0000002', '0.0000006'),
      ...Array.from({ length: 17 }, (_, i) => plain(`acme/filler-${i}`, '0.000001', '0.000002')),
    ],
  }
}

async function openrouterService(list: unknown) {
  up = new FakeUpstream().set('/or/models', body(list))
  h = makeHarness({ toml: tomlFor(up.url, { openrouter: '/or' }) })
  await h.references.loadSnapshots()
  await h.worker.refresh()
}

describe('the full pricing model (OpenRouter 2026 schema, built from @openrouter/sdk)', () => {
  test('every price key is carried exactly, in OpenRouter names; an invented key too; tiers served as data', async () => {
    await openrouterService(openrouter2026())
    const m = await json('/v1/models/openrouter/acme/long-context')
    expect(m.pricing).toEqual({
      prompt: '0.0000005',
      completion: '0.000003',
      request: '0',
      web_search: '0.01',
      input_cache_read: '0.00000005',
      input_cache_write: '0.000000625',
      input_cache_write_1h: '0.000001',
      audio: '0.000001',
      input_audio_cache: '0.0000001',
      image_output: '0.00004',
      audio_output: '0.000008',
      quantum_token: '0.000000123456789012345678', // 24 significant digits: never a float
    })
    expect(m.pricing_variable).toBe(false)
    expect(m.pricing_discount).toBe(0) // a fraction, not a price: passed through beside pricing
    expect(m.pricing_tiers).toEqual([
      { conditions: { min_prompt_tokens: 128000 }, pricing: { prompt: '0.000001', completion: '0.000006' } },
      { conditions: { utc_start: 100, utc_end: 400, utc_days: ['saturday', 'sunday'] }, pricing: { prompt: '0.00000025' } },
    ])
    expect(m.sources.pricing).toBe('upstream')
  })

  test('max_prompt_price and sort=prompt_price use the base price, not a tier', async () => {
    await openrouterService(openrouter2026())
    // base 0.0000005 ≤ 0.0000006 < tier 0.000001
    const cheap = (await json('/v1/models?max_prompt_price=0.0000006')).data.map((m: any) => m.id)
    expect(cheap).toContain('openrouter/acme/long-context')
    const tooCheap = (await json('/v1/models?max_prompt_price=0.0000004')).data.map((m: any) => m.id)
    expect(tooCheap).not.toContain('openrouter/acme/long-context')
    const sorted = (await json('/v1/models?sort=prompt_price')).data.map((m: any) => m.id)
    expect(sorted.indexOf('openrouter/openai/gpt-4o-mini')).toBeLessThan(sorted.indexOf('openrouter/acme/long-context'))
    expect(sorted.indexOf('openrouter/acme/long-context')).toBeLessThan(sorted.indexOf('openrouter/acme/filler-0'))
  })
})

describe('variable is not zero', () => {
  test('a router\'s "-1" is served as null with pricing_variable, although LiteLLM lists it at 0 and a reference offers an explicit 0', async () => {
    await openrouterService(openrouter2026())
    // the embedded LiteLLM snapshot lists openrouter/openrouter/auto at 0 / 0
    const raw = (await Bun.file(`${FIXTURES}/litellm/model_prices_and_context_window_2026-03-14.json`).json()) as any
    expect([raw['openrouter/openrouter/auto'].input_cost_per_token, raw['openrouter/openrouter/auto'].output_cost_per_token]).toEqual([0, 0])
    // and a reference that says 0 explicitly, for both routers
    h!.store.replaceReference(
      'litellm',
      ['openrouter/auto', 'openrouter/bodybuilder'].map((modelId) => ({ provider: 'openrouter', modelId, pricing: { prompt: '0', completion: '0', request: '0' } })),
      { durationMs: 0 },
    )
    for (const id of ['openrouter/openrouter/auto', 'openrouter/openrouter/bodybuilder']) {
      const m = await json(`/v1/models/${id}`)
      // no reference fills a price (not even one the upstream did not name: `request`) beside the upstream's
      expect(m.pricing).toEqual({ prompt: null, completion: null })
      expect(m.pricing_variable).toBe(true)
      expect(m.sources.pricing).toBe('upstream')
    }
    // not free, and no price to filter or sort by
    const free = (await json('/v1/models?free=true')).data.map((m: any) => m.id)
    expect(free).not.toContain('openrouter/openrouter/auto')
    const capped = (await json('/v1/models?max_prompt_price=1')).data.map((m: any) => m.id)
    expect(capped).not.toContain('openrouter/openrouter/auto')
    // near miss: an upstream that states no price at all is filled from the reference's explicit 0
    h!.store.replaceReference('litellm', [{ provider: 'openrouter', modelId: 'acme/filler-0', pricing: { prompt: '0' } }], { durationMs: 0 })
    expect((await json('/v1/models/openrouter/acme/filler-0')).pricing.prompt).toBe('0.000001') // stated upstream: kept
  })

  test('a LiteLLM entry whose every price is 0 states nothing; a 0 beside real prices is kept', () => {
    const { entries } = litellm.parse({
      'openrouter/openrouter/auto': { litellm_provider: 'openrouter', input_cost_per_token: 0, output_cost_per_token: 0 },
      'openrouter/some/model:free': { litellm_provider: 'openrouter', input_cost_per_token: 0, output_cost_per_token: 0 },
      'deepseek/deepseek-chat': { litellm_provider: 'deepseek', input_cost_per_token: 2.8e-7, cache_creation_input_token_cost: 0 },
    })
    expect(entries.map((e) => e.pricing)).toEqual([{}, { prompt: '0', completion: '0' }, { prompt: '0.00000028', input_cache_write: '0' }])
  })
})

describe('conflicts', () => {
  test('a reference that disagrees by more than 1 % is a conflict (upstream served); within 1 % is none; filter and metric', async () => {
    await openrouterService(openrouter2026())
    const mini = await json('/v1/models/openrouter/openai/gpt-4o-mini')
    expect(mini.pricing.prompt).toBe('0.0000002') // the upstream wins
    expect(mini.conflicts).toContainEqual({ field: 'pricing.prompt', upstream: '0.0000002', reference: '0.00000015', source: 'models.dev' })
    // completion 0.6 per 1M on both sides: no conflict on it
    expect(mini.conflicts.some((c: any) => c.field === 'pricing.completion')).toBe(false)
    const sonnet = await json('/v1/models/openrouter/anthropic/claude-sonnet-4')
    expect(sonnet.conflicts.filter((c: any) => c.field.startsWith('pricing.'))).toEqual([])
    // context: the list says 128000, models.dev 1000000 → a conflict of any size
    expect(sonnet.conflicts).toContainEqual({ field: 'context_length', upstream: 128000, reference: 1000000, source: 'models.dev' })

    const withConflicts = (await json('/v1/models?has_conflicts=true')).data.map((m: any) => m.id)
    expect(withConflicts).toContain('openrouter/openai/gpt-4o-mini')
    expect(withConflicts).not.toContain('openrouter/acme/filler-0')
    const without = (await json('/v1/models?has_conflicts=false')).data.map((m: any) => m.id)
    expect(without).toContain('openrouter/acme/filler-0')
    expect(without).not.toContain('openrouter/openai/gpt-4o-mini')
    const all = (await json('/v1/models')).data
    expect(withConflicts.length + without.length).toBe(all.length)
    expect(withConflicts.length).toBe(all.filter((m: any) => m.conflicts.length > 0).length)

    const metrics = await (await h!.get('/metrics')).text()
    expect(metrics).toContain(`modelcat_conflicts{provider="openrouter"} ${withConflicts.length}`)
    expect((await h!.get('/v1/models?has_conflicts=maybe')).status).toBe(400)
  })

  test('within 1 % is no conflict (0.99 % off), just over is one (1.01 % off)', async () => {
    await openrouterService(openrouter2026())
    const ref = (prompt: string) => h!.store.replaceReference('litellm', [{ provider: 'openrouter', modelId: 'acme/filler-1', pricing: { prompt } }], { durationMs: 0 })
    ref('0.0000010099') // 0.99 % above the upstream's 0.000001
    expect((await json('/v1/models/openrouter/acme/filler-1')).conflicts).toEqual([])
    ref('0.0000010102') // 1.01 % above
    expect((await json('/v1/models/openrouter/acme/filler-1')).conflicts).toEqual([{ field: 'pricing.prompt', upstream: '0.000001', reference: '0.0000010102', source: 'litellm' }])
  })
})

describe('the price-sanity guard', () => {
  test('a refresh that multiplies the prices by 10⁶ is held; force accepts it, shown in /v1/providers and the change feed', async () => {
    up = new FakeUpstream().set('/or/models', body(openrouter2026()))
    h = makeHarness({ toml: tomlFor(up.url, { openrouter: '/or' }) })
    await h.worker.refresh()
    const before = await json('/v1/models/openrouter/acme/filler-3')
    expect(before.pricing.prompt).toBe('0.000001')

    // the per-1M vs per-token mixup: every price 10⁶× too high
    up.set('/or/models', body(openrouter2026({ scale: (p) => (p.startsWith('-') ? p : toDecimal(Number(p) * 1e6)!) })))
    const held = await h.worker.refresh()
    expect(held.results[0]).toMatchObject({ status: 'failed' })
    expect(held.results[0]!.error).toMatch(/priced offerings changed price by 100× or more/)
    expect((await json('/v1/models/openrouter/acme/filler-3')).pricing.prompt).toBe('0.000001') // old rows kept
    const provider = (await json('/v1/providers')).data.find((p: any) => p.id === 'openrouter')
    expect(provider.status).toBe('stale')
    expect(provider.last_error).toMatch(/price-sanity|changed price by 100×/)

    const forced = await h.worker.refresh({ force: true })
    expect(forced.results[0]).toMatchObject({ status: 'ok' })
    expect((await json('/v1/models/openrouter/acme/filler-3')).pricing.prompt).toBe('1')
    const after = (await json('/v1/providers')).data.find((p: any) => p.id === 'openrouter')
    expect(after.last_warning).toMatch(/forced past the price-sanity guard/)
    const changes = (await json('/v1/changes?type=changed&limit=1000')).data
    const filler = changes.find((c: any) => c.model === 'openrouter/acme/filler-3')
    expect(filler.detail.pricing).toEqual({ from: { prompt: '0.000001', completion: '0.000002' }, to: { prompt: '1', completion: '2' } })
    expect(filler.detail.guard).toMatch(/forced past the price-sanity guard/)
  })

  test('near misses: 1 of 20 priced offerings (5 %) jumping passes, 2 (10 %) are held; 99× is no jump, 1/100× is one', async () => {
    up = new FakeUpstream().set('/or/models', body(openrouter2026()))
    h = makeHarness({ toml: tomlFor(up.url, { openrouter: '/or' }) })
    await h.worker.refresh()
    expect((await json('/v1/models')).data.filter((m: any) => typeof m.pricing.prompt === 'string').length).toBe(20) // 22 listed, 2 routers
    const repriced = (factor: number, ids: string[]) => {
      const list = openrouter2026()
      for (const m of list.data) {
        if (!ids.includes(m.id)) continue
        m.pricing = { ...m.pricing, prompt: toDecimal(Number(m.pricing.prompt) * factor)!, completion: toDecimal(Number(m.pricing.completion) * factor)! }
      }
      return list
    }
    const status = async (list: unknown) => {
      up!.set('/or/models', body(list))
      return (await h!.worker.refresh()).results[0]!.status
    }
    expect(await status(repriced(1e6, ['acme/filler-1']))).toBe('ok') // 1 of 20 = 5 %: not more than 5 %
    expect(await status(openrouter2026())).toBe('ok') // back (1 of 20 again)
    expect(await status(repriced(1e6, ['acme/filler-1', 'acme/filler-2']))).toBe('failed') // 2 of 20 = 10 %
    const all = openrouter2026()
      .data.filter((m) => !m.pricing.prompt.startsWith('-'))
      .map((m) => m.id)
    expect(await status(repriced(99, all))).toBe('ok') // every price 99× higher: no jump
    expect(await status(openrouter2026())).toBe('ok')
    expect(await status(repriced(0.01, all))).toBe('failed') // 100× lower is a jump too
  })
})

describe('lifecycle', () => {
  test('expiration_date → deprecation; ?lifecycle filters; the change feed records a moved date', async () => {
    await openrouterService(openrouter2026({ expires: inDays(10) }))
    const m = await json('/v1/models/openrouter/acme/long-context')
    expect(m.deprecation).toEqual({ date: inDays(10), end_of_life: inDays(10), replacement: null, source: 'upstream' })
    const ids = async (q: string) => (await json(`/v1/models?${q}`)).data.map((x: any) => x.id)
    expect(await ids('lifecycle=expiring')).toEqual(['openrouter/acme/long-context'])
    expect(await ids('lifecycle=deprecated')).toEqual(['openrouter/acme/long-context'])
    expect(await ids('lifecycle=active')).not.toContain('openrouter/acme/long-context')
    expect((await h!.get('/v1/models?lifecycle=gone')).status).toBe(400)

    // moved 60 days out: still deprecated, no longer expiring; the feed records the move
    up!.set('/or/models', body(openrouter2026({ expires: inDays(60) })))
    await h!.worker.refresh()
    expect(await ids('lifecycle=expiring')).toEqual([])
    expect(await ids('lifecycle=deprecated')).toEqual(['openrouter/acme/long-context'])
    const change = (await json('/v1/changes?type=changed')).data.find((c: any) => c.model === 'openrouter/acme/long-context')
    expect(change.detail.deprecation.from.date).toBe(inDays(10))
    expect(change.detail.deprecation.to.date).toBe(inDays(60))
  })

  test('references fill a deprecation the provider does not state: LiteLLM deprecation_date, models.dev status', () => {
    const ll = litellm.parse({ 'openai/old-model': { litellm_provider: 'openai', input_cost_per_token: 1e-6, deprecation_date: '2026-02-27' } })
    expect(ll.entries[0]!.deprecation).toEqual({ date: '2026-02-27', end_of_life: null, replacement: null, source: 'litellm' })
    const md = modelsDev.parse({ anthropic: { models: { old: { id: 'old', status: 'deprecated' }, current: { id: 'current' } } } })
    expect(md.entries.map((e) => e.deprecation)).toEqual([{ date: null, end_of_life: null, replacement: null, source: 'models.dev' }, null])
  })
})

describe('fields providers added', () => {
  test('Anthropic 2026 list: max_input_tokens → context_length, max_tokens → max_output_tokens, capabilities; the upstream beats models.dev, disagreements are conflicts', async () => {
    const rel = 'anthropic/anthropic_models_data-array_2026-06-20.json'
    const raw = (await Bun.file(`${FIXTURES}/${rel}`).json()) as any[]
    up = new FakeUpstream().replay('/anthropic/models', rel)
    h = makeHarness({ toml: tomlFor(up.url, { anthropic: '/anthropic' }) })
    await h.references.loadSnapshots()
    await h.worker.refresh()
    const md = modelsDev.parse(await Bun.file(`${FIXTURES}/models.dev/models-dev_api_2026-06-13.json`).json())
    const refContext = new Map(md.entries.filter((e) => e.provider === 'anthropic').map((e) => [e.modelId.toLowerCase(), e.contextLength]))
    let conflicts = 0
    for (const item of raw) {
      const m = await json(`/v1/models/anthropic/${item.id}`)
      expect([m.context_length, m.max_output_tokens]).toEqual([item.max_input_tokens, item.max_tokens])
      expect(m.sources.context_length).toBe('upstream')
      expect(m.capabilities.vision).toBe(item.capabilities.image_input.supported)
      expect(m.capabilities.structured_output).toBe(item.capabilities.structured_outputs.supported)
      expect(m.capabilities.reasoning).toBe(item.capabilities.thinking.supported)
      expect(m.provider_capabilities).toEqual(item.capabilities)
      const ref = refContext.get(item.id.toLowerCase())
      const conflict = m.conflicts.find((c: any) => c.field === 'context_length' && c.source === 'models.dev')
      if (ref && ref !== item.max_input_tokens) {
        expect(conflict).toEqual({ field: 'context_length', upstream: item.max_input_tokens, reference: ref, source: 'models.dev' })
        conflicts++
      } else expect(conflict).toBeUndefined()
    }
    expect(conflicts).toBeGreaterThan(0) // the capture does disagree with models.dev somewhere
  })

  test('near miss: the 2025 Anthropic list states no limits, so models.dev fills them (no conflict to report)', async () => {
    up = new FakeUpstream().replay('/anthropic/models', 'anthropic/anthropic_models_2025-05-23.json')
    h = makeHarness({ toml: tomlFor(up.url, { anthropic: '/anthropic' }) })
    await h.references.loadSnapshots()
    await h.worker.refresh()
    const m = await json('/v1/models/anthropic/claude-3-5-haiku-20241022')
    expect(m.sources.context_length).toBe('models.dev')
    expect(m.conflicts).toEqual([])
    // models.dev marks it deprecated: the provider says nothing, so the reference's word is served
    expect(m.deprecation).toMatchObject({ source: 'models.dev' })
    // base prices from models.dev, which states no tiers for it; LiteLLM agrees on the base prices and
    // states the long-context tier (`*_above_200k_tokens`): its tiers are served, and sources say so
    const sonnet = await json('/v1/models/anthropic/claude-sonnet-4-20250514')
    expect(sonnet.sources.pricing).toBe('models.dev')
    expect(sonnet.sources.pricing_tiers).toBe('litellm')
    expect(sonnet.pricing_tiers).toEqual([
      { conditions: { min_prompt_tokens: 200000 }, pricing: { prompt: '0.000006', completion: '0.0000225', input_cache_read: '0.0000006', input_cache_write: '0.0000075' } },
    ])
  })

  test('the generic OpenAI-compatible adapter reads the common spellings of limits and prices', async () => {
    const items = [
      { id: 'a', max_input_tokens: 1000, max_output_tokens: 100 },
      { id: 'b', input_token_limit: 2000, output_token_limit: 200 },
      { id: 'c', limits: { context: 3000, output: 300 } },
      { id: 'd', top_provider: { context_length: 4000, max_completion_tokens: 400 } },
      { id: 'e', max_model_len: 5000, max_completion_tokens: 500, pricing: { prompt: '0.000001', completion: '0.000002', input_cache_write_1h: '0.000003' } },
      { id: 'f', pricing: { input: '0.0000003', output: '0.0000025', input_cache_read: '0.00000003' } },
      { id: 'g', pricing: { input_per_million: 0.15, output_per_million: 0.6 } },
      { id: 'h', pricing: { prompt: '-1', completion: '-1' } },
    ]
    up = new FakeUpstream().set('/x/models', body({ object: 'list', data: items }))
    h = makeHarness({ toml: `${tomlFor(up.url, { acme: '/x' })}adapter = "openai"\n` })
    await h.worker.refresh()
    const got = new Map(((await json('/v1/models')).data as any[]).map((m) => [m.provider_model_id, m]))
    expect(['a', 'b', 'c', 'd', 'e'].map((id) => [got.get(id).context_length, got.get(id).max_output_tokens])).toEqual([
      [1000, 100],
      [2000, 200],
      [3000, 300],
      [4000, 400],
      [5000, 500],
    ])
    expect(got.get('e').pricing).toEqual({ prompt: '0.000001', completion: '0.000002', input_cache_write_1h: '0.000003' })
    expect(got.get('f').pricing).toEqual({ prompt: '0.0000003', completion: '0.0000025', input_cache_read: '0.00000003' })
    expect(got.get('g').pricing).toEqual({ prompt: '0.00000015', completion: '0.0000006' })
    expect(got.get('h')).toMatchObject({ pricing: { prompt: null, completion: null }, pricing_variable: true })
  })
})

describe('created', () => {
  test('from the upstream, else the models.dev release date, else first seen; sources.created says which', async () => {
    // DeepSeek's list has no `created`; models.dev knows deepseek-chat's release date
    up = new FakeUpstream().replay('/ds/models', 'deepseek/deepseek_models_2025-11-06.json').replay('/anthropic/models', 'anthropic/anthropic_models_2025-05-23.json')
    h = makeHarness({ toml: tomlFor(up.url, { deepseek: '/ds', anthropic: '/anthropic' }) })
    await h.references.loadSnapshots()
    await h.worker.refresh()
    const md = modelsDev.parse(await Bun.file(`${FIXTURES}/models.dev/models-dev_api_2026-06-13.json`).json())
    const chat = await json('/v1/models/deepseek/deepseek-chat')
    const ref = md.entries.find((e) => e.provider === 'deepseek' && e.modelId === 'deepseek-chat')!
    expect(ref.releasedAt).toBeGreaterThan(0)
    expect(chat.created).toBe(ref.releasedAt)
    expect(chat.sources.created).toBe('models.dev')
    const opus = await json('/v1/models/anthropic/claude-opus-4-20250514')
    expect([opus.created, opus.sources.created]).toEqual([Date.UTC(2025, 4, 22) / 1000, 'upstream'])
    // no source at all: first seen
    up.set('/ds/models', body({ object: 'list', data: [{ id: 'never-heard-of-it', object: 'model', owned_by: 'deepseek' }] }))
    await h.worker.refresh()
    const unknown = await json('/v1/models/deepseek/never-heard-of-it')
    expect(unknown.sources.created).toBe('first_seen')
    expect(unknown.created).toBe(Date.parse(unknown.first_seen_at) / 1000)
  })
})
