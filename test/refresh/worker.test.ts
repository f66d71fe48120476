import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { FakeUpstream } from '../helpers/fake-upstream'
import { makeHarness, tomlFor, type Harness } from '../helpers/harness'
import { spawnGroup } from '../helpers/process'

const GROQ = '/groq/openai/v1'
const TOGETHER = '/together/v1'
const OPENROUTER = '/openrouter/api/v1'

let up: FakeUpstream
let h: Harness

beforeEach(() => {
  up = new FakeUpstream()
    .replay(`${GROQ}/models`, 'groq/groq_models_2026-01-22.json')
    .replay(`${TOGETHER}/models`, 'together/together_v1_models_2026-01-23.json')
    .replay(`${OPENROUTER}/models`, 'openrouter/roo-code_openrouter-models_2025-05-12.DECODED_BODY.json')
})
afterEach(async () => {
  await h?.close()
  up.stop()
})

const fixtureCount = async (f: string) => {
  const body = await Bun.file(`${import.meta.dir}/../fixtures/upstream/${f}`).json()
  return (Array.isArray(body) ? body : body.data).length as number
}

describe('refresh', () => {
  test('fetches every enabled provider over HTTP and stores one row per provider model', async () => {
    h = makeHarness({ toml: tomlFor(up.url, { groq: GROQ, together: TOGETHER, openrouter: OPENROUTER }) })
    const report = await h.worker.refresh()
    expect(report.results.map((r) => [r.provider, r.status]).sort()).toEqual([
      ['groq', 'ok'],
      ['openrouter', 'ok'],
      ['together', 'ok'],
    ])
    expect(h.store.countOfferings(['groq'])).toBe(await fixtureCount('groq/groq_models_2026-01-22.json'))
    expect(h.store.countOfferings(['together'])).toBe(await fixtureCount('together/together_v1_models_2026-01-23.json'))
    expect(h.store.countOfferings(['openrouter'])).toBe(await fixtureCount('openrouter/roo-code_openrouter-models_2025-05-12.DECODED_BODY.json'))
    expect(report.catalog_version).toBe(1)
    expect(h.store.version).toBe(1)
    // the key is sent as a Bearer token
    expect(up.lastHeaders.get(`${GROQ}/models`)?.get('authorization')).toBe('Bearer test-key-groq')
  })

  test('a failing provider keeps its last good rows, is marked stale with its error, and the others go on', async () => {
    h = makeHarness({ toml: tomlFor(up.url, { groq: GROQ, together: TOGETHER }) })
    await h.worker.refresh()
    const groqBefore = h.store.listOfferings({ providers: ['groq'] })
    expect(groqBefore.length).toBeGreaterThan(0)

    up.replay(`${GROQ}/models`, 'errors/xai_models_error_invalid-api-key_2026-02-27.json', { status: 400 })
    up.replay(`${TOGETHER}/models`, 'together/together_v1_models_2026-01-23.json')
    const report = await h.worker.refresh()
    const groq = report.results.find((r) => r.provider === 'groq')!
    expect(groq.status).toBe('failed')
    expect(groq.error).toContain('HTTP 400')
    expect(groq.error).toContain('Incorrect API key provided')
    expect(report.results.find((r) => r.provider === 'together')!.status).toBe('ok')
    expect(h.store.listOfferings({ providers: ['groq'] })).toEqual(groqBefore)

    const providers = (await (await h.get('/v1/providers')).json()) as { data: { id: string; status: string; last_error: string | null; model_count: number }[] }
    const g = providers.data.find((p) => p.id === 'groq')!
    expect(g.status).toBe('stale')
    expect(g.model_count).toBe(groqBefore.length)
    expect(g.last_error).toContain('Incorrect API key provided')
    expect(providers.data.find((p) => p.id === 'together')!.status).toBe('ok')
  })

  test('a provider that never succeeded and fails is "failing"', async () => {
    up.set(`${GROQ}/models`, { kind: 'body', body: 'upstream exploded', status: 502, contentType: 'text/plain' })
    h = makeHarness({ toml: tomlFor(up.url, { groq: GROQ, together: TOGETHER }) })
    await h.worker.refresh()
    const providers = (await (await h.get('/v1/providers')).json()) as { data: { id: string; status: string; last_error: string }[] }
    const g = providers.data.find((p) => p.id === 'groq')!
    expect(g.status).toBe('failing')
    expect(g.last_error).toBe('HTTP 502: upstream exploded')
  })

  test('hostile answers fail only their provider, each with a message saying why', async () => {
    up.set('/html/models', { kind: 'body', body: '<!doctype html><html><body>Just a moment...</body></html>', contentType: 'text/html' })
      .set('/garbage/models', { kind: 'body', body: '{"data": [1, 2,' })
      .set('/redirect/models', { kind: 'body', body: '', status: 302, headers: { location: 'http://example.invalid/models' } })
      .set('/shape/models', { kind: 'body', body: '{"models": []}' })
      .set('/huge/models', { kind: 'body', body: JSON.stringify({ data: Array.from({ length: 5000 }, (_, i) => ({ id: `m-${i}`, pad: 'x'.repeat(100) })) }) })
      .set('/invalid/models', { kind: 'body', body: JSON.stringify({ data: [{ name: 'no id' }, { id: 42 }] }) })
    const custom = ['html', 'garbage', 'redirect', 'shape', 'huge', 'invalid'].map((id) => `[providers.${id}]\nadapter = "openai"\nbase_url = "${up.url}/${id}"\n`).join('\n')
    h = makeHarness({
      toml: `${tomlFor(up.url, { groq: GROQ }).replace('providers = ["groq"]', 'providers = ["groq", "html", "garbage", "redirect", "shape", "huge", "invalid"]\nmax_response_bytes = 100000')}\n${custom}`,
    })
    const report = await h.worker.refresh()
    const error = (id: string) => report.results.find((r) => r.provider === id)!.error
    expect(report.results.find((r) => r.provider === 'groq')!.status).toBe('ok')
    expect(error('html')).toMatch(/expected JSON, got text\/html/)
    expect(error('garbage')).toMatch(/invalid JSON body/)
    expect(error('redirect')).toMatch(/refused redirect \(HTTP 302 to http:\/\/example.invalid\/models\)/)
    expect(error('shape')).toMatch(/unexpected response shape/)
    expect(error('huge')).toMatch(/response too large/)
    expect(error('invalid')).toBe('all 2 items failed validation')
    expect(h.store.countOfferings(['html', 'garbage', 'redirect', 'shape', 'huge', 'invalid'])).toBe(0)
  })

  test('invalid items are skipped and counted, valid ones kept; control characters are stripped', async () => {
    up.set('/mixed/models', {
      kind: 'body',
      body: JSON.stringify({ data: [{ id: 'good-1', name: 'Good\u0007 One\u0000' }, { id: '' }, { nope: true }, { id: 'good-2', created: 'yesterday' }] }),
    })
    h = makeHarness({ toml: `[refresh]\nproviders = ["mixed"]\n[providers.mixed]\nadapter = "openai"\nbase_url = "${up.url}/mixed"\n` })
    const report = await h.worker.refresh()
    expect(report.results[0]).toMatchObject({ provider: 'mixed', status: 'ok', model_count: 2, skipped: 2 })
    const rows = h.store.listOfferings({ providers: ['mixed'] })
    expect(rows.map((r) => r.id)).toEqual(['mixed/good-1', 'mixed/good-2'])
    expect(rows[0]!.name).toBe('Good One')
    expect(rows[1]!.created).toBeNull() // a wrong-typed optional field is dropped, not fatal
  })

  test('the per-provider timeout covers a body that drips forever', async () => {
    up.set('/slow/models', { kind: 'drip', chunk: '{"id":"x"},', everyMs: 20 })
    h = makeHarness({
      toml: `${tomlFor(up.url, { groq: GROQ }).replace('providers = ["groq"]', 'providers = ["groq", "slow"]')}\n[providers.slow]\nadapter = "openai"\nbase_url = "${up.url}/slow"\ntimeout_ms = 300\n`,
    })
    const started = performance.now()
    const report = await h.worker.refresh()
    expect(report.results.find((r) => r.provider === 'slow')!.error).toBe('timed out after 300 ms')
    expect(report.results.find((r) => r.provider === 'groq')!.status).toBe('ok')
    expect(performance.now() - started).toBeLessThan(5000)
  })

  test('an empty list from a provider that had models is refused and the old rows kept', async () => {
    h = makeHarness({ toml: tomlFor(up.url, { groq: GROQ }) })
    await h.worker.refresh()
    const before = h.store.countOfferings(['groq'])
    up.set(`${GROQ}/models`, { kind: 'body', body: '{"object":"list","data":[]}' })
    const report = await h.worker.refresh()
    expect(report.results[0]!.status).toBe('failed')
    expect(report.results[0]!.error).toContain(`returned no models (had ${before})`)
    expect(h.store.countOfferings(['groq'])).toBe(before)
  })

  test('a successful refresh replaces the provider rows: vanished models go, first_seen_at survives', async () => {
    h = makeHarness({ toml: tomlFor(up.url, { openrouter: OPENROUTER }) })
    up.replay(`${OPENROUTER}/models`, 'openrouter/roo-code_openrouter-models_2025-04-24.DECODED_BODY.json')
    await h.worker.refresh()
    const older = new Map(h.store.listOfferings().map((r) => [r.id, r]))
    up.replay(`${OPENROUTER}/models`, 'openrouter/roo-code_openrouter-models_2025-05-12.DECODED_BODY.json')
    await h.worker.refresh()
    const newer = new Map(h.store.listOfferings().map((r) => [r.id, r]))

    const newIds = new Set(
      ((await Bun.file(`${import.meta.dir}/../fixtures/upstream/openrouter/roo-code_openrouter-models_2025-05-12.DECODED_BODY.json`).json()) as { data: { id: string }[] }).data.map(
        (m) => `openrouter/${m.id}`,
      ),
    )
    expect(new Set(newer.keys())).toEqual(newIds)
    const vanished = [...older.keys()].filter((id) => !newIds.has(id))
    expect(vanished.length).toBeGreaterThan(0)
    const kept = [...older.keys()].find((id) => newIds.has(id))!
    expect(newer.get(kept)!.firstSeenAt).toBe(older.get(kept)!.firstSeenAt)
    expect(h.store.version).toBe(2)
  })

  test('concurrent refresh requests join the one in flight (one upstream fetch)', async () => {
    up.replay(`${GROQ}/models`, 'groq/groq_models_2026-01-22.json', { delayMs: 150 })
    h = makeHarness({ toml: tomlFor(up.url, { groq: GROQ }) })
    const [a, b, c] = await Promise.all([h.worker.refresh(), h.worker.refresh(), h.worker.refresh({ providers: ['groq'] })])
    expect(up.count(`${GROQ}/models`)).toBe(1)
    expect(a).toBe(b)
    expect(b).toBe(c)
  })

  test('a refresh for providers the running one does not cover runs once after it', async () => {
    up.replay(`${GROQ}/models`, 'groq/groq_models_2026-01-22.json', { delayMs: 100 })
    h = makeHarness({ toml: tomlFor(up.url, { groq: GROQ, together: TOGETHER }) })
    const first = h.worker.refresh({ providers: ['groq'] })
    const second = h.worker.refresh({ providers: ['together'] })
    const third = h.worker.refresh({ providers: ['groq', 'together'] })
    const [r1, r2, r3] = await Promise.all([first, second, third])
    expect(r1.results.map((r) => r.provider)).toEqual(['groq'])
    expect(r2).toBe(r3)
    expect(r2.results.map((r) => r.provider).sort()).toEqual(['groq', 'together'])
    expect(up.count(`${GROQ}/models`)).toBe(2)
    expect(up.count(`${TOGETHER}/models`)).toBe(1)
  })

  test('stop() aborts hanging fetches, commits nothing and returns promptly', async () => {
    up.set(`${GROQ}/models`, { kind: 'hang' })
    h = makeHarness({ toml: tomlFor(up.url, { groq: GROQ, together: TOGETHER }) })
    const run = h.worker.refresh()
    await Bun.sleep(50)
    const started = performance.now()
    await h.worker.stop()
    expect(performance.now() - started).toBeLessThan(2000)
    await expect(run).rejects.toThrow(/nothing committed/)
    expect(h.store.version).toBe(0)
    expect(h.store.countOfferings()).toBe(0) // together succeeded, but the aborted refresh wrote nothing
  })

  test('providers that need a key and have none are reported needs_key and never fetched', async () => {
    h = makeHarness({ toml: `[refresh]\nproviders = ["groq"]\n[providers.groq]\nbase_url = "${up.url}${GROQ}"\n`, env: {} })
    const report = await h.worker.refresh()
    expect(report.results).toEqual([{ provider: 'groq', status: 'needs_key', model_count: 0, skipped: 0, duration_ms: 0, error: 'no API key: set GROQ_API_KEY', warning: null }])
    expect(up.count(`${GROQ}/models`)).toBe(0)
    const providers = (await (await h.get('/v1/providers')).json()) as { data: { id: string; status: string }[] }
    expect(providers.data.find((p) => p.id === 'groq')!.status).toBe('needs_key')
  })

  test('the catalog and provider state survive a restart on the same DB file', async () => {
    h = makeHarness({ toml: tomlFor(up.url, { groq: GROQ }) })
    await h.worker.refresh()
    const dir = h.dir
    const count = h.store.countOfferings()
    await h.close(false)
    h = makeHarness({ toml: tomlFor(up.url, { groq: GROQ }), dir })
    expect(h.store.version).toBe(1)
    expect(h.store.countOfferings()).toBe(count)
    const ready = await h.get('/ready')
    expect(ready.status).toBe(200)
  })
})

describe('anomaly guard', () => {
  const groqIds = async () => ((await Bun.file(`${import.meta.dir}/../fixtures/upstream/groq/groq_models_2026-01-22.json`).json()) as { data: { id: string }[] }).data
  const shrunk = async (keep: number) => JSON.stringify({ object: 'list', data: (await groqIds()).slice(0, keep) })

  test('a list that shrinks by more than the configured fraction is refused, the old rows kept, the error says why', async () => {
    h = makeHarness({ toml: tomlFor(up.url, { groq: GROQ }, 'max_drop_fraction = 0.5') })
    await h.worker.refresh()
    const before = h.store.countOfferings(['groq'])
    up.set(`${GROQ}/models`, { kind: 'body', body: await shrunk(Math.floor(before / 2) - 1) })
    const report = await h.worker.refresh()
    expect(report.results[0]!.status).toBe('failed')
    expect(report.results[0]!.error).toContain(`model count fell from ${before} to ${Math.floor(before / 2) - 1}, more than 50%`)
    expect(h.store.countOfferings(['groq'])).toBe(before)
  })

  test('a drop within the fraction is accepted', async () => {
    h = makeHarness({ toml: tomlFor(up.url, { groq: GROQ }, 'max_drop_fraction = 0.5') })
    await h.worker.refresh()
    const before = h.store.countOfferings(['groq'])
    up.set(`${GROQ}/models`, { kind: 'body', body: await shrunk(Math.ceil(before / 2)) })
    const report = await h.worker.refresh()
    expect(report.results[0]).toMatchObject({ status: 'ok', warning: null })
    expect(h.store.countOfferings(['groq'])).toBe(Math.ceil(before / 2))
  })

  test('the fraction is configurable', async () => {
    h = makeHarness({ toml: tomlFor(up.url, { groq: GROQ }, 'max_drop_fraction = 0.1') })
    await h.worker.refresh()
    const before = h.store.countOfferings(['groq'])
    up.set(`${GROQ}/models`, { kind: 'body', body: await shrunk(before - 3) })
    expect((await h.worker.refresh()).results[0]!.status).toBe('failed')
  })

  test('an admin can force a refused list through; it is then a warning on the provider', async () => {
    h = makeHarness({ toml: tomlFor(up.url, { groq: GROQ }), env: { MODELCAT_ADMIN_TOKEN: 't' } })
    await h.worker.refresh()
    up.set(`${GROQ}/models`, { kind: 'body', body: await shrunk(2) })
    const res = await h.post('/admin/refresh?provider=groq&force=true&wait=true', { authorization: 'Bearer t' })
    const body = (await res.json()) as { results: { status: string; warning: string }[] }
    expect(body.results[0]!.status).toBe('ok')
    expect(body.results[0]!.warning).toContain('forced past the anomaly guard')
    expect(h.store.countOfferings(['groq'])).toBe(2)
    const providers = (await (await h.get('/v1/providers')).json()) as { data: { id: string; status: string; last_warning: string }[] }
    expect(providers.data.find((p) => p.id === 'groq')!.last_warning).toContain('forced past the anomaly guard')
  })
})

describe('static provider and derived metadata', () => {
  test('models declared in the TOML are served like listed ones, prices exact', async () => {
    h = makeHarness({
      toml: `[refresh]\nproviders = ["my-vllm"]\n[providers.my-vllm]\nadapter = "static"\nmodels = [\n  { id = "llama-3.3-70b", name = "Llama 3.3 70B", context_length = 131072, pricing = { prompt = "0.0000006", completion = 0.0000012 } },\n  { id = "qwen3-8b" },\n]\n`,
    })
    const report = await h.worker.refresh()
    expect(report.results[0]).toMatchObject({ provider: 'my-vllm', status: 'ok', model_count: 2 })
    const m = (await (await h.get('/v1/models/my-vllm/llama-3.3-70b')).json()) as any
    expect(m).toMatchObject({ name: 'Llama 3.3 70B', context_length: 131072, pricing: { prompt: '0.0000006', completion: '0.0000012' } })
  })

  test('capabilities come from supported_parameters and modalities (OpenRouter), unknown ones stay absent', async () => {
    h = makeHarness({ toml: tomlFor(up.url, { openrouter: OPENROUTER }) })
    await h.worker.refresh()
    const raw = ((await Bun.file(`${import.meta.dir}/../fixtures/upstream/openrouter/roo-code_openrouter-models_2025-05-12.DECODED_BODY.json`).json()) as { data: any[] }).data
    const withTools = raw.find((m) => m.supported_parameters.includes('tools') && m.architecture.input_modalities.includes('image'))
    const plain = raw.find(
      (m) =>
        !m.supported_parameters.includes('tools') &&
        !m.supported_parameters.includes('reasoning') &&
        !m.supported_parameters.includes('response_format') &&
        !m.supported_parameters.includes('structured_outputs') &&
        !m.architecture.input_modalities.includes('image'),
    )
    const a = (await (await h.get(`/v1/models/openrouter/${withTools.id}`)).json()) as any
    expect(a.capabilities.tools).toBe(true)
    expect(a.capabilities.vision).toBe(true)
    const b = (await (await h.get(`/v1/models/openrouter/${plain.id}`)).json()) as any
    expect(b.capabilities).toEqual({})
  })
})

describe('paging, truncation and error bodies through a refresh', () => {
  test('a paged list cut at the page cap is kept, and the truncation is reported, not hidden', async () => {
    const page = (n: number) => JSON.stringify({ models: [{ name: `models/gemini-test-${n}`, displayName: `Test ${n}` }], nextPageToken: `tok${n + 1}` })
    // FakeUpstream routes by path only: every page answers with a next token, as a long list would.
    up.set('/gemini/v1beta/models', { kind: 'body', body: page(1) })
    h = makeHarness({ toml: `[refresh]\nproviders = ["gemini"]\nmax_pages = 1\n[providers.gemini]\nbase_url = "${up.url}/gemini/v1beta"\napi_key = "k"\n` })
    const report = await h.worker.refresh()
    expect(report.results[0]).toMatchObject({ provider: 'gemini', status: 'ok', model_count: 1 })
    expect(report.results[0]!.warning).toContain('page cap (1 pages)')
    const providers = (await (await h.get('/v1/providers')).json()) as { data: { id: string; last_warning: string }[] }
    expect(providers.data.find((p) => p.id === 'gemini')!.last_warning).toContain('page cap')
  })

  test('xAI permission-denied (403) capture: the provider fails with the upstream message', async () => {
    up.replay('/xai/v1/models', 'errors/xai_models_error_permission-denied_2026-06-24.json', { status: 403 })
    h = makeHarness({ toml: tomlFor(up.url, { xai: '/xai/v1' }) })
    const report = await h.worker.refresh()
    expect(report.results[0]!.status).toBe('failed')
    expect(report.results[0]!.error).toStartWith('HTTP 403: ')
    expect(report.results[0]!.error).toContain("doesn't have any credits or licenses")
  })
})

describe('gateway counts', () => {
  test('/v1/providers counts offerings, distinct canonical models, duplicates and models no one else offers', async () => {
    h = makeHarness({ toml: tomlFor(up.url, { groq: GROQ, together: TOGETHER, openrouter: OPENROUTER }) })
    await h.worker.refresh()
    const rows = h.store.listOfferings()
    const providers = (await (await h.get('/v1/providers')).json()) as { data: any[] }
    for (const id of ['groq', 'together', 'openrouter']) {
      const mine = rows.filter((r) => r.providerId === id)
      const canon = new Set(mine.map((r) => r.canonicalId))
      const elsewhere = new Set(rows.filter((r) => r.providerId !== id).map((r) => r.canonicalId))
      const p = providers.data.find((x) => x.id === id)
      expect(p.total).toBe(mine.length)
      expect(p.unique).toBe(canon.size)
      expect(p.duplicates).toBe(mine.length - canon.size)
      expect(p.exclusive).toBe([...canon].filter((c) => !elsewhere.has(c)).length)
    }
    // OpenRouter lists :free twins of paid models: duplicates exist there
    expect(providers.data.find((x) => x.id === 'openrouter').duplicates).toBeGreaterThan(0)
    // Llama 3.3 70B is offered by all three: it is nobody's exclusive
    const llama = rows.filter((r) => r.canonicalId === 'meta/llama-3.3-70b-instruct').map((r) => r.providerId)
    expect(new Set(llama)).toEqual(new Set(['groq', 'together', 'openrouter']))
  })

  test('modelcat providers prints the same counts as a table', async () => {
    h = makeHarness({ toml: tomlFor(up.url, { groq: GROQ, together: TOGETHER }) })
    await h.worker.refresh()
    const p = spawnGroup(['bun', `${import.meta.dir}/../../src/index.ts`, 'providers'], {
      env: { PATH: process.env.PATH ?? '', MODELCAT_DB: `${h.dir}/catalog.db`, MODELCAT_CONFIG: `${h.dir}/modelcat.toml` },
      stdout: 'pipe',
      stderr: 'pipe',
    })
    const out = await new Response(p.stdout).text()
    expect(await p.exited).toBe(0)
    const lines = out.trim().split('\n')
    expect(lines[0]).toMatch(/^PROVIDER\s+STATUS\s+TOTAL\s+UNIQUE\s+DUPLICATES\s+EXCLUSIVE\s+REFRESHED\s+ERROR\s+ORIGIN\s+ENABLE WITH$/)
    const groq = lines.find((l) => l.startsWith('groq '))!.split(/\s+/)
    expect(groq.slice(0, 3)).toEqual(['groq', 'ok', String(h.store.countOfferings(['groq']))])
    expect(lines.some((l) => l.startsWith('openrouter '))).toBe(false) // disabled: left out without --all
  })
})
