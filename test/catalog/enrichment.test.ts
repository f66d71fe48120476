import { afterEach, beforeEach, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { FakeUpstream } from '../helpers/fake-upstream'
import { makeHarness, tomlFor, type Harness } from '../helpers/harness'

const GROQ = '/groq/openai/v1'
const TOGETHER = '/together/v1'
const FIX = `${import.meta.dir}/../fixtures/upstream`
const MODELS_DEV = 'models.dev/models-dev_api_2026-06-13.json'
const LITELLM = 'litellm/model_prices_and_context_window_2026-03-14.json'

// each reference ingestion also teaches identity (issue 16: about 1 s more CPU for both snapshots): room on a shared machine
setDefaultTimeout(20_000)

let up: FakeUpstream
let h: Harness
beforeEach(() => {
  up = new FakeUpstream()
    .replay(`${GROQ}/models`, 'groq/groq_models_2026-01-22.json')
    .replay(`${TOGETHER}/models`, 'together/together_v1_models_2026-01-23.json')
    .replay('/models.dev/api.json', MODELS_DEV)
    .replay('/litellm/prices.json', LITELLM)
})
afterEach(async () => {
  await h?.close()
  up.stop()
})

const references = (extra = '') => `[references.models-dev]\nurl = "${up.url}/models.dev/api.json"\n[references.litellm]\nurl = "${up.url}/litellm/prices.json"\n${extra}`
const model = async (id: string) => {
  const res = await h.get(`/v1/models/${id}`)
  expect(res.status).toBe(200)
  return (await res.json()) as any
}

describe('reference catalogs fill what a provider list lacks, and say so', () => {
  test('Groq lists no prices: they come from models.dev for the same provider and model, exactly, marked models.dev', async () => {
    h = makeHarness({ toml: `${tomlFor(up.url, { groq: GROQ })}\n${references()}` })
    await h.worker.refresh()
    expect((await model('groq/llama-3.3-70b-versatile')).pricing).toEqual({})
    const results = await h.references.refresh()
    expect(results.map((r) => [r.source, r.status])).toEqual([
      ['models.dev', 'ok'],
      ['litellm', 'ok'],
    ])
    const raw = (await Bun.file(`${FIX}/${MODELS_DEV}`).json()) as any
    const cost = raw.groq.models['llama-3.3-70b-versatile'].cost
    expect(cost).toEqual({ input: 0.59, output: 0.79 })
    const m = await model('groq/llama-3.3-70b-versatile')
    expect(m.pricing).toEqual({ prompt: '0.00000059', completion: '0.00000079' })
    expect(m.sources.pricing).toBe('models.dev')
    expect(m.sources.context_length).toBe('upstream') // Groq states it: the provider wins
    expect(m.context_length).toBe(131072)
  })

  test("the provider's own prices win over every reference", async () => {
    h = makeHarness({ toml: `${tomlFor(up.url, { together: TOGETHER })}\n${references()}` })
    await h.worker.refresh()
    await h.references.refresh()
    const m = await model('together/meta-llama/Llama-3.3-70B-Instruct-Turbo')
    expect(m.sources.pricing).toBe('upstream')
    expect(m.pricing).toEqual({ prompt: '0.00000088', completion: '0.00000088' })
  })

  test('a config override wins over the provider and the references, and is marked override', async () => {
    const overrides = `[providers.groq.overrides."llama-3.3-70b-versatile"]\ncontext_length = 99999\npricing = { prompt = "0.000001", completion = 0.000002 }\n`
    h = makeHarness({ toml: `${tomlFor(up.url, { groq: GROQ })}\n${overrides}\n${references()}` })
    await h.worker.refresh()
    await h.references.refresh()
    const m = await model('groq/llama-3.3-70b-versatile')
    expect(m.context_length).toBe(99999)
    expect(m.pricing).toEqual({ prompt: '0.000001', completion: '0.000002' })
    expect(m.sources).toMatchObject({ context_length: 'override', pricing: 'override' })
    // the other Groq models are untouched by it
    expect((await model('groq/llama-3.1-8b-instant')).sources.pricing).toBe('models.dev')
  })

  test('a reference entry of the same canonical model fills metadata but never prices', async () => {
    const toml = `[refresh]\nproviders = ["my-vllm"]\n[providers.my-vllm]\nadapter = "static"\nmodels = [{ id = "meta-llama/Llama-3.3-70B-Instruct" }]\n${references()}`
    h = makeHarness({ toml })
    await h.worker.refresh()
    await h.references.refresh()
    const m = await model('my-vllm/meta-llama/Llama-3.3-70B-Instruct')
    expect(m.canonical_id).toBe('meta/llama-3.3-70b-instruct')
    expect(m.context_length).toBeGreaterThan(0)
    expect(m.sources.context_length).toMatch(/^(models\.dev|litellm):canonical$/)
    expect(m.pricing).toEqual({})
    expect(m.sources.pricing).toBeUndefined()
  })

  test('filling bumps the catalog version, so cached answers are not stale', async () => {
    h = makeHarness({ toml: `${tomlFor(up.url, { groq: GROQ })}\n${references()}` })
    await h.worker.refresh()
    const before = h.store.version
    await h.references.refresh()
    expect(h.store.version).toBeGreaterThan(before)
    expect((await h.get('/v1/models?gateway=groq')).headers.get('x-catalog-version')).toBe(String(h.store.version))
  })

  test('a failed reference fetch keeps its entries and says why; the embedded snapshot stands in until a first fetch', async () => {
    up.set('/models.dev/api.json', { kind: 'body', body: '<html>oops</html>', contentType: 'text/html' })
    up.set('/litellm/prices.json', { kind: 'body', body: 'nope', status: 503, contentType: 'text/plain' })
    h = makeHarness({ toml: `${tomlFor(up.url, { groq: GROQ })}\n${references()}` })
    await h.worker.refresh()
    const loaded = await h.references.loadSnapshots()
    expect(loaded.map((r) => r.status)).toEqual(['snapshot', 'snapshot'])
    const results = await h.references.refresh()
    expect(results.map((r) => r.status)).toEqual(['failed', 'failed'])
    const body = (await (await h.get('/v1/providers')).json()) as { references: any[] }
    const md = body.references.find((r) => r.id === 'models.dev')
    expect(md.entries).toBeGreaterThan(5000)
    expect(md.last_error).toContain('expected JSON')
    expect(md.last_warning).toContain('embedded snapshot')
    expect(body.references.find((r) => r.id === 'litellm').last_error).toContain('HTTP 503')
    // prices still filled from the snapshot
    expect((await model('groq/llama-3.3-70b-versatile')).pricing.prompt).toBe('0.00000059')
  })

  test('no price anywhere carries a float artifact', async () => {
    h = makeHarness({ toml: `${tomlFor(up.url, { groq: GROQ, together: TOGETHER })}\n${references()}` })
    await h.worker.refresh()
    await h.references.refresh()
    const all = (await (await h.get('/v1/models')).json()) as { data: any[] }
    for (const m of all.data) for (const v of Object.values(m.pricing) as string[]) expect(v).toMatch(/^\d+(\.\d{1,15})?$/)
  })
})

describe('reference catalogs have breakers too', () => {
  test('three failed fetches open the breaker: the next refresh does not fetch, the entries stay', async () => {
    up.set('/models.dev/api.json', { kind: 'body', body: 'down', status: 503, contentType: 'text/plain' })
    h = makeHarness({ toml: `${tomlFor(up.url, { groq: GROQ })}\n[references.models-dev]\nurl = "${up.url}/models.dev/api.json"\n[references.litellm]\nenabled = false\n` })
    await h.references.loadSnapshots()
    for (let i = 0; i < 3; i++) expect((await h.references.refresh()).map((r) => r.status)).toEqual(['failed'])
    const calls = up.count('/models.dev/api.json')
    expect((await h.references.refresh()).map((r) => r.status)).toEqual(['skipped_breaker'])
    expect(up.count('/models.dev/api.json')).toBe(calls)
    expect(h.store.referenceCount('models.dev')).toBeGreaterThan(5000)
  })
})

describe('reference schedules', () => {
  test('loading the embedded snapshot does not postpone the first live fetch; after it, a catalog waits for its own interval', async () => {
    h = makeHarness({ toml: `${tomlFor(up.url, { groq: GROQ })}\n${references()}` })
    await h.references.refreshIfDue() // snapshots, then the live fetches (due: never fetched)
    expect(up.count('/models.dev/api.json')).toBe(1)
    expect(up.count('/litellm/prices.json')).toBe(1)
    await h.references.refreshIfDue() // nothing due until each interval (default one day) has passed
    expect(up.count('/models.dev/api.json')).toBe(1)
    expect(up.count('/litellm/prices.json')).toBe(1)
  })
})
