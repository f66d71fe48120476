import { afterEach, describe, expect, test } from 'bun:test'
import { FakeUpstream } from '../helpers/fake-upstream'
import { makeHarness, tomlFor, type Harness } from '../helpers/harness'

const GROQ = '/groq/openai/v1'
const TOGETHER = '/together/v1'

let up: FakeUpstream | undefined
let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  up?.stop()
  h = up = undefined
})

const setup = (env: Record<string, string> = {}) => {
  up = new FakeUpstream().replay(`${GROQ}/models`, 'groq/groq_models_2026-01-22.json').replay(`${TOGETHER}/models`, 'together/together_v1_models_2026-01-23.json')
  h = makeHarness({ toml: tomlFor(up.url, { groq: GROQ, together: TOGETHER }), env })
  return h
}

describe('health', () => {
  test('/health answers 200 even before any catalog exists', async () => {
    const h = setup()
    const res = await h.get('/health')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ok' })
  })

  test('/ready is 503 in the error shape before the first commit, 200 after', async () => {
    const h = setup()
    const before = await h.get('/ready')
    expect(before.status).toBe(503)
    expect(((await before.json()) as any).error.code).toBe('catalog_not_loaded')
    await h.worker.refresh()
    const after = await h.get('/ready')
    expect(after.status).toBe(200)
    expect(await after.json()).toEqual({ status: 'ready', catalog_version: 1 })
  })
})

describe('GET /v1/providers', () => {
  test('lists every configured provider with aliases, enabled flag, status and counts', async () => {
    const h = setup()
    const before = (await (await h.get('/v1/providers')).json()) as { data: any[] }
    const ids = before.data.map((p) => p.id)
    for (const id of ['groq', 'together', 'openrouter', 'deepinfra', 'mistral', 'openai', 'cerebras', 'nebius', 'xai', 'deepseek', 'fireworks', 'featherless', 'huggingface']) {
      expect(ids).toContain(id)
    }
    expect(before.data.find((p) => p.id === 'groq')).toMatchObject({ enabled: true, status: 'never_refreshed', model_count: 0, last_success_at: null, last_error: null })
    // refresh.providers = ["groq","together"]: every other provider is disabled
    expect(before.data.find((p) => p.id === 'openrouter')).toMatchObject({ enabled: false, status: 'disabled' })
    expect(before.data.find((p) => p.id === 'huggingface')!.aliases).toEqual(expect.arrayContaining(['hug']))
    expect(before.data.find((p) => p.id === 'together')!.aliases).toContain('togetherai')

    await h.worker.refresh()
    const after = (await (await h.get('/v1/providers')).json()) as { data: any[] }
    const groq = after.data.find((p) => p.id === 'groq')
    expect(groq.status).toBe('ok')
    expect(groq.model_count).toBe(h.store.countOfferings(['groq']))
    expect(groq.model_count).toBeGreaterThan(0)
    expect(Date.parse(groq.last_success_at)).toBeGreaterThan(Date.now() - 60_000)
  })
})

describe('admin', () => {
  test('every admin route is a 404 when no token is configured', async () => {
    const h = setup()
    const res = await h.post('/admin/refresh', { authorization: 'Bearer anything' })
    expect(res.status).toBe(404)
    expect(((await res.json()) as any).error.type).toBe('not_found_error')
  })

  test('401 with WWW-Authenticate without a token or with a wrong one', async () => {
    const h = setup({ MODELCAT_ADMIN_TOKEN: 's3cret' })
    for (const headers of [{} as Record<string, string>, { authorization: 'Bearer wrong' }, { authorization: 'Basic czNjcmV0' }, { authorization: 'Bearer s3cret-and-more' }]) {
      const res = await h.post('/admin/refresh', headers)
      expect(res.status).toBe(401)
      expect(res.headers.get('www-authenticate')).toStartWith('Bearer')
      expect(((await res.json()) as any).error.type).toBe('authentication_error')
    }
    expect(up!.count(`${GROQ}/models`)).toBe(0)
  })

  test('with the token and wait=true it refreshes and answers per-provider results', async () => {
    const h = setup({ MODELCAT_ADMIN_TOKEN: 's3cret' })
    const res = await h.post('/admin/refresh?wait=true', { authorization: 'Bearer s3cret' })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { catalog_version: number; results: any[] }
    expect(body.catalog_version).toBe(1)
    const groq = body.results.find((r) => r.provider === 'groq')
    expect(groq).toMatchObject({ status: 'ok', model_count: h.store.countOfferings(['groq']), error: null })
    expect(typeof groq.duration_ms).toBe('number')
    expect(up!.count(`${GROQ}/models`)).toBe(1)
  })

  test('?provider= limits the refresh (aliases accepted); without wait it answers 202 at once', async () => {
    const h = setup({ MODELCAT_ADMIN_TOKEN: 's3cret' })
    const res = await h.post('/admin/refresh?provider=togetherai', { authorization: 'Bearer s3cret' })
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ status: 'accepted', providers: ['together'] })
    await h.worker.refresh({ providers: ['together'] }) // joins the one just started
    expect(up!.count(`${TOGETHER}/models`)).toBe(1)
    expect(up!.count(`${GROQ}/models`)).toBe(0)
  })

  test('an unknown provider is a 400 naming the parameter', async () => {
    const h = setup({ MODELCAT_ADMIN_TOKEN: 's3cret' })
    const res = await h.post('/admin/refresh?provider=groq,bogus', { authorization: 'Bearer s3cret' })
    expect(res.status).toBe(400)
    expect(((await res.json()) as any).error).toMatchObject({ param: 'provider', code: 'unknown_provider' })
  })
})

describe('swagger', () => {
  test('the UI page and its assets are served by the service itself (no CDN)', async () => {
    const h = setup()
    const page = await (await h.get('/swagger')).text()
    expect(page).toContain('/swagger/assets/swagger-ui-bundle.js')
    expect(page).not.toMatch(/unpkg|jsdelivr|cdnjs/)
    const js = await h.get('/swagger/assets/swagger-ui-bundle.js')
    expect(js.status).toBe(200)
    expect((await js.text()).length).toBeGreaterThan(100_000)
    const css = await h.get('/swagger/assets/swagger-ui.css')
    expect(css.status).toBe(200)
    expect(css.headers.get('content-type')).toContain('text/css')
    // the page names no icon: the browser's /favicon.ico gets an empty answer, not a 404 (an error in its console)
    const icon = await h.get('/favicon.ico')
    expect(icon.status).toBe(204)
    expect(await icon.text()).toBe('')
  })

  test('the OpenAPI document describes every route and every query parameter from the zod schemas', async () => {
    const h = setup({ MODELCAT_ADMIN_TOKEN: 't' })
    const spec = (await (await h.get('/swagger/json')).json()) as any
    expect(Object.keys(spec.paths).sort()).toEqual([
      '/admin/circuit-breakers',
      '/admin/circuit-breakers/reset',
      '/admin/circuit-breakers/{provider}',
      '/admin/circuit-breakers/{provider}/reset',
      '/admin/refresh',
      '/admin/refresh/{provider}',
      '/api/v1/models', // issue 20
      '/health',
      '/health/providers',
      '/metrics',
      '/ready',
      '/v1/changes',
      '/v1/changes.atom',
      '/v1/export/litellm.json', // issue 20
      '/v1/export/models.dev.json', // issue 20
      '/v1/models',
      '/v1/models/{id}',
      '/v1/providers',
      '/v1/quote', // issue 20
    ])
    const params = spec.paths['/v1/models'].get.parameters.map((p: any) => [p.name, p.schema.type, p.required])
    expect(params).toEqual([
      ['gateway', 'string', false],
      ['exclude_gateway', 'string', false],
      ['q', 'string', false],
      ['input_modalities', 'string', false],
      ['output_modalities', 'string', false],
      ['supported_parameters', 'string', false],
      ['min_context', 'number', false],
      ['max_prompt_price', 'number', false],
      ['max_completion_price', 'number', false],
      ['free', 'string', false],
      ['sort', 'string', false],
      ['order', 'string', false],
      ['limit', 'integer', false],
      ['offset', 'integer', false],
      ['cursor', 'string', false],
      ['has_conflicts', 'string', false], // issue 15
      ['lifecycle', 'string', false], // issue 15
      ['unique', 'string', false],
    ])
    for (const p of spec.paths['/v1/models'].get.parameters) expect(p.schema.description.length).toBeGreaterThan(10)
    expect(spec.paths['/admin/refresh'].post.parameters.map((p: any) => p.name)).toEqual(['provider', 'wait', 'force'])
    expect(spec.paths['/v1/models'].get.responses['400']).toBeDefined()
  })
})
