import { afterEach, describe, expect, test } from 'bun:test'
import { bootstrapCatalog } from '../../src/catalog/bootstrap'
import { REFERENCES } from '../../src/reference'
import { FakeUpstream } from '../helpers/fake-upstream'
import { makeHarness, tomlFor, type Harness } from '../helpers/harness'

const GROQ = '/groq/openai/v1'
const FIX = `${import.meta.dir}/../fixtures/upstream`
let up: FakeUpstream
let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  up?.stop()
  h = undefined
})
const snapshot = () => REFERENCES[0]!.snapshot()

describe('the bootstrap catalog of a first start', () => {
  test('an empty catalog is filled from the embedded models.dev snapshot for the providers that will be refreshed, marked bootstrap; /ready is 200', async () => {
    up = new FakeUpstream()
    h = makeHarness({ toml: `[refresh]\nproviders = ["groq", "together", "mistral"]\n[providers.groq]\nbase_url = "${up.url}${GROQ}"\napi_key = "k"\n[providers.together]\napi_key = "k"\n`, env: {} })
    expect((await h.get('/ready')).status).toBe(503)
    const n = bootstrapCatalog(h.store, h.config.providers, await snapshot())
    const raw = (await Bun.file(`${FIX}/models.dev/models-dev_api_2026-06-13.json`).json()) as any
    // groq and together (togetherai in models.dev) have keys; mistral needs one and has none: not bootstrapped
    const expected = Object.keys(raw.groq.models).length + Object.keys(raw.togetherai.models).length
    expect(n).toBe(expected)
    expect(h.store.countOfferings(['mistral'])).toBe(0)
    expect((await h.get('/ready')).status).toBe(200)
    const m = (await (await h.get('/v1/models/groq/llama-3.3-70b-versatile')).json()) as any
    expect(m.source).toBe('bootstrap')
    expect(m.sources.pricing).toBe('bootstrap')
    expect(m.pricing).toEqual({ prompt: '0.00000059', completion: '0.00000079' })
    const p = ((await (await h.get('/v1/providers')).json()) as any).data.find((x: any) => x.id === 'groq')
    expect(p.status).toBe('bootstrap')
    // never over an existing catalog
    expect(bootstrapCatalog(h.store, h.config.providers, await snapshot())).toBe(0)
  })

  test("a provider's first live list replaces its bootstrap rows, even a much shorter one (no anomaly guard)", async () => {
    // the live list: two models of the real capture, far fewer than the snapshot holds for groq
    const capture = (await Bun.file(`${FIX}/groq/groq_models_2026-01-22.json`).json()) as any
    up = new FakeUpstream().set(`${GROQ}/models`, { kind: 'body', body: JSON.stringify({ object: 'list', data: capture.data.slice(0, 2) }) })
    h = makeHarness({ toml: tomlFor(up.url, { groq: GROQ }) })
    bootstrapCatalog(h.store, h.config.providers, await snapshot())
    const before = h.store.countOfferings(['groq'])
    const live = 2
    expect(before).toBeGreaterThan(live / 0.5) // the guard would refuse such a drop from this many live rows
    const report = await h.worker.refresh()
    expect(report.results[0]).toMatchObject({ provider: 'groq', status: 'ok', model_count: live })
    expect(h.store.countOfferings(['groq'])).toBe(live)
    const all = (await (await h.get('/v1/models?gateway=groq')).json()) as any
    expect(all.data.every((m: any) => m.source === 'live')).toBe(true)
    expect(((await (await h.get('/v1/providers')).json()) as any).data.find((x: any) => x.id === 'groq').status).toBe('ok')
  })
})
