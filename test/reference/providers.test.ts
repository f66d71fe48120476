import { afterEach, describe, expect, test, setDefaultTimeout } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import pino from 'pino'
import { bootstrapCatalog } from '../../src/catalog/bootstrap'
import { ConfigError, loadConfig, resolveProviderNames, type LoadOptions } from '../../src/config'
import { REFERENCES } from '../../src/reference'
import { MODELS_DEV_PROVIDER_MAP } from '../../src/reference/models-dev'
import { embeddedReferenceProviders, parseReferenceProviders, type ReferenceProvider } from '../../src/reference/providers'
import { BUILTIN_PROVIDERS } from '../../src/upstream/registry'
import { FakeUpstream } from '../helpers/fake-upstream'
import { makeHarness, tempDir, type Harness } from '../helpers/harness'

// several catalogs opened, refreshed and reopened per test: headroom for a loaded 2-core machine
setDefaultTimeout(30_000)

const FIX = `${import.meta.dir}/../fixtures/upstream`
const GROQ_LIST = 'groq/groq_models_2026-01-22.json'

let up: FakeUpstream | undefined
let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  up?.stop()
  h = undefined
  up = undefined
})

/** A config from `toml` and `env` only (never process.env). */
function config(toml: string, env: Record<string, string> = {}, opts: LoadOptions = {}) {
  const dir = tempDir()
  const path = join(dir, 'modelcat.toml')
  writeFileSync(path, toml)
  return loadConfig({ MODELCAT_CONFIG: path, ...env }, opts)
}
const find = (c: ReturnType<typeof config>, id: string) => c.providers.find((p) => p.id === id)
/** The embedded snapshot's providers with one of them changed. */
const withRef = (id: string, change: Partial<ReferenceProvider>) => embeddedReferenceProviders().map((p) => (p.id === id ? { ...p, ...change } : p))
const problemsOf = (f: () => unknown) => {
  try {
    f()
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.join('\n')
    throw err
  }
  return ''
}

describe('providers from the models.dev reference data', () => {
  test('every models.dev provider is known: built-ins under their own id, the others under their models.dev id (≥ 140 in all)', () => {
    const c = config('')
    const ids = new Set(c.providers.map((p) => p.id))
    expect(c.providers.length).toBeGreaterThanOrEqual(140)
    expect(ids.size).toBe(c.providers.length) // no id twice
    for (const r of embeddedReferenceProviders()) expect(resolveProviderNames(c.providers, r.id).unknown).toEqual([])
  })

  test('a reference-derived provider takes base URL, key variables, name and docs from the reference, the adapter from npm', () => {
    const wandb = find(config(''), 'wandb')!
    expect(wandb).toMatchObject({
      origin: 'reference',
      name: 'Weights & Biases',
      baseUrl: 'https://api.inference.wandb.ai/v1',
      apiKeyEnv: ['WANDB_API_KEY'],
      docsUrl: 'https://docs.wandb.ai/guides/integrations/inference/',
      adapter: 'openai',
      keyRequired: true,
      unusable: null,
    })
    // a package that maps to a built-in adapter: that adapter (minimax speaks Anthropic's API)
    expect(find(config(''), 'minimax')!.adapter).toBe('anthropic')
    // an unknown package: known, not usable, with why; a config adapter makes it usable
    const odd = withRef('wandb', { npm: 'some-unknown-sdk' })
    expect(find(config('', { WANDB_API_KEY: 'k' }, { referenceProviders: odd }), 'wandb')).toMatchObject({ enabled: false, unusable: expect.stringContaining('some-unknown-sdk') })
    expect(find(config('[providers.wandb]\nadapter = "openai"\n', { WANDB_API_KEY: 'k' }, { referenceProviders: odd }), 'wandb')).toMatchObject({ enabled: true, unusable: null })
  })

  test('on by default only when its key variable is set (blank counts as unset); a [providers.x] key or refresh.providers naming it turns it on', () => {
    expect(find(config(''), 'wandb')!.enabled).toBe(false)
    expect(find(config('', { WANDB_API_KEY: '  ' }), 'wandb')!.enabled).toBe(false)
    expect(find(config('', { WANDB_API_KEY: 'wk' }), 'wandb')).toMatchObject({ enabled: true, apiKey: 'wk' })
    expect(find(config('[providers.wandb]\napi_key = "from-toml"\n'), 'wandb')).toMatchObject({ enabled: true, apiKey: 'from-toml' })
    const only = config('[refresh]\nproviders = ["wandb"]\n')
    expect(find(only, 'wandb')!.enabled).toBe(true) // needs_key until WANDB_API_KEY is set
    expect(only.providers.filter((p) => p.enabled).map((p) => p.id)).toEqual(['wandb'])
    expect(find(config('[providers.wandb]\nenabled = false\n', { WANDB_API_KEY: 'wk' }), 'wandb')!.enabled).toBe(false)
  })

  test('a reference base URL is used only with https: (http, a template, none: refused with why; a config base_url pins one)', () => {
    const c = config('')
    expect(find(c, 'lmstudio')).toMatchObject({ enabled: false, unusable: expect.stringContaining('not https:'), baseUrl: '' }) // http://127.0.0.1:1234/v1
    expect(find(c, 'neon')!.unusable).toContain('not a URL') // ${NEON_AI_GATEWAY_BASE_URL}/…
    expect(find(c, 'aihubmix')!.unusable).toContain('no API base URL')
    expect(problemsOf(() => config('[refresh]\nproviders = ["lmstudio"]\n'))).toContain('refresh.providers: "lmstudio" is not usable')
    expect(problemsOf(() => config('[providers.lmstudio]\napi_key = "k"\n'))).toContain('providers.lmstudio: not usable')
    expect(problemsOf(() => config('[providers.lmstudio]\nenabled = false\n'))).toBe('')
    expect(find(config('[providers.lmstudio]\nbase_url = "http://127.0.0.1:1234/v1"\napi_key = "k"\n'), 'lmstudio')).toMatchObject({ enabled: true, unusable: null, baseUrlPinned: true })
    // the tests' loopback override takes 127.0.0.1 over http, nothing else
    const http = (url: string, allow: boolean) => find(config('', { WANDB_API_KEY: 'k' }, { referenceProviders: withRef('wandb', { baseUrl: url }), allowLoopbackHttpReference: allow }), 'wandb')!
    expect(http('http://127.0.0.1:9/v1', false).enabled).toBe(false)
    expect(http('http://127.0.0.1:9/v1', true).enabled).toBe(true)
    expect(http('http://localhost:9/v1', true).enabled).toBe(false)
    expect(http('http://api.inference.wandb.ai/v1', true).unusable).toContain('not https:')
    expect(http('https://user:pw@api.inference.wandb.ai/v1', false).unusable).toContain('credentials')
  })

  test('key variable names must match ^[A-Z][A-Z0-9_]*$: others are never read', () => {
    // models.dev's 302ai states 302AI_API_KEY: refused, so it can only be set up by config
    const c = config('', { '302AI_API_KEY': 'k' })
    expect(find(c, '302ai')).toMatchObject({ enabled: false, apiKeyEnv: [], unusable: expect.stringContaining('302AI_API_KEY') })
    expect(find(config('[providers.302ai]\napi_key = "k"\n'), '302ai')).toMatchObject({ enabled: true, unusable: null })
    const mixed = withRef('wandb', { env: ['GOOD_KEY'], badEnv: ['lower_key'] })
    expect(find(config('', { GOOD_KEY: 'g', lower_key: 'l' }, { referenceProviders: mixed }), 'wandb')).toMatchObject({ apiKeyEnv: ['GOOD_KEY'], apiKey: 'g' })
    // the parser sorts the names
    expect(parseReferenceProviders({ x: { api: 'https://x.example/v1', env: ['A_KEY', 'b_key', '9KEY', 'KEY-2', 7], npm: '@ai-sdk/openai-compatible' } })[0]).toMatchObject({
      env: ['A_KEY'],
      badEnv: ['b_key', '9KEY', 'KEY-2'],
    })
  })

  test("a built-in provider's own definition wins over the reference; config wins over both", () => {
    // models.dev's openrouter states its api too: the built-in row stays
    const evil = withRef('openrouter', { baseUrl: 'https://evil.example/v1', name: 'Evil', env: ['EVIL_KEY'] })
    const c = config('', {}, { referenceProviders: evil })
    const spec = BUILTIN_PROVIDERS.find((p) => p.id === 'openrouter')!
    expect(find(c, 'openrouter')).toMatchObject({ origin: 'builtin', baseUrl: spec.baseUrl, name: spec.name, apiKeyEnv: spec.apiKeyEnv })
    expect(c.providers.filter((p) => p.id === 'openrouter')).toHaveLength(1)
    expect(find(config('[providers.wandb]\nbase_url = "https://pinned.example/v1"\nname = "Mine"\n'), 'wandb')).toMatchObject({
      baseUrl: 'https://pinned.example/v1',
      name: 'Mine',
      baseUrlPinned: true,
    })
  })

  test('models.dev ids that differ from built-in ids resolve to the built-in, never to a second copy', () => {
    const c = config('')
    for (const [mdId, builtin] of Object.entries(MODELS_DEV_PROVIDER_MAP)) {
      expect(c.providers.some((p) => p.id === mdId)).toBe(false)
      expect(resolveProviderNames(c.providers, mdId).ids).toEqual([builtin])
    }
    // a [providers.togetherai] table applies to together; refresh.providers = ["fireworks-ai"] picks fireworks
    expect(find(config('[providers.togetherai]\napi_key = "t"\n'), 'together')!.apiKey).toBe('t')
    expect(
      config('[refresh]\nproviders = ["fireworks-ai"]\n')
        .providers.filter((p) => p.enabled)
        .map((p) => p.id),
    ).toEqual(['fireworks'])
  })
})

describe('a reference-only provider end to end (fake upstream at its reference api)', () => {
  const playWandb = () => {
    up = new FakeUpstream().replay('/wandb/v1/models', GROQ_LIST)
    return { referenceProviders: withRef('wandb', { baseUrl: `${up.url}/wandb/v1` }), allowLoopbackHttpReference: true }
  }

  test('its key variable alone makes it refresh and serve; the bootstrap catalog covers it', async () => {
    const opts = playWandb()
    h = makeHarness({ toml: '', env: { WANDB_API_KEY: 'wk-secret' }, configOptions: opts })
    // first start with no network: the embedded snapshot's W&B models
    const raw = (await Bun.file(`${FIX}/models.dev/models-dev_api_2026-06-13.json`).json()) as any
    bootstrapCatalog(h.store, h.config.providers, await REFERENCES[0]!.snapshot())
    expect(h.store.countOfferings(['wandb'])).toBe(Object.keys(raw.wandb.models).length)
    expect(h.worker.enabledProviders.map((p) => p.id)).toContain('wandb')
    const report = await h.worker.refresh({ providers: ['wandb'] })
    const capture = (await Bun.file(`${FIX}/${GROQ_LIST}`).json()) as any
    expect(report.results[0]).toMatchObject({ provider: 'wandb', status: 'ok', model_count: capture.data.length })
    expect(up!.lastHeaders.get('/wandb/v1/models')?.get('authorization')).toBe('Bearer wk-secret')
    const models = (await (await h.get('/v1/models?gateway=wandb')).json()) as any
    expect(models.data.length).toBe(capture.data.length)
    const p = ((await (await h.get('/v1/providers')).json()) as any).data.find((x: any) => x.id === 'wandb')
    expect(p).toMatchObject({ origin: 'reference', enabled: true, status: 'ok', enable_with: [], base_url: `${up!.url}/wandb/v1`, base_url_changed_at: null })
  })

  test('without its key variable it is known, off, and names the variable that would enable it', async () => {
    const opts = playWandb()
    h = makeHarness({ toml: '', env: {}, configOptions: opts })
    expect(h.worker.enabledProviders.map((p) => p.id)).not.toContain('wandb')
    bootstrapCatalog(h.store, h.config.providers, await REFERENCES[0]!.snapshot())
    expect(h.store.countOfferings(['wandb'])).toBe(0)
    const list = ((await (await h.get('/v1/providers')).json()) as any).data
    expect(list.length).toBeGreaterThanOrEqual(140)
    expect(list.find((x: any) => x.id === 'wandb')).toMatchObject({ origin: 'reference', enabled: false, status: 'disabled', enable_with: ['WANDB_API_KEY'] })
    expect(list.find((x: any) => x.id === 'groq')).toMatchObject({ origin: 'builtin', enable_with: ['GROQ_API_KEY'] })
    expect(up!.hits.size).toBe(0)
  })
})

describe('live models.dev refreshes', () => {
  test('a provider a live refresh adds is usable from the next start; a changed base URL is logged and shown in /v1/providers; a config base_url pins it', async () => {
    const body = (await Bun.file(`${FIX}/models.dev/models-dev_api_2026-06-13.json`).json()) as any
    body.wandb.api = 'https://moved.example/v1'
    body.newco = {
      id: 'newco',
      name: 'NewCo',
      api: 'https://api.newco.example/v1',
      env: ['NEWCO_API_KEY'],
      npm: '@ai-sdk/openai-compatible',
      doc: 'https://newco.example/docs',
      models: { 'newco-1': { id: 'newco-1', name: 'NewCo 1' } },
    }
    up = new FakeUpstream().set('/api.json', { kind: 'body', body: JSON.stringify(body), contentType: 'application/json' })
    const dir = tempDir()
    const toml = `[references.models-dev]\nurl = "${up.url}/api.json"\n`
    const lines: string[] = []
    const log = pino({ level: 'warn' }, { write: (s: string) => void lines.push(s) })
    h = makeHarness({ toml, env: {}, dir, log })
    expect(h.config.providers.some((p) => p.id === 'newco')).toBe(false)
    const [result] = await h.references.refresh()
    expect(result!.status).toBe('ok')
    const logged = lines.map((l) => JSON.parse(l)).filter((l) => l.provider === 'wandb')
    expect(logged).toHaveLength(1)
    expect(logged[0]).toMatchObject({ from: 'https://api.inference.wandb.ai/v1', to: 'https://moved.example/v1' })
    await h.close(false)

    // next start: the newest data the catalog holds
    h = makeHarness({ toml, env: { NEWCO_API_KEY: 'n' }, dir })
    expect(h.config.providers.find((p) => p.id === 'newco')).toMatchObject({ origin: 'reference', enabled: true, baseUrl: 'https://api.newco.example/v1' })
    const list = ((await (await h.get('/v1/providers')).json()) as any).data
    const wandb = list.find((x: any) => x.id === 'wandb')
    expect(wandb).toMatchObject({ base_url: 'https://moved.example/v1', previous_base_url_host: 'api.inference.wandb.ai', base_url_pinned: false })
    expect(Date.parse(wandb.base_url_changed_at)).toBeGreaterThan(0)
    expect(list.find((x: any) => x.id === 'vultr')).toMatchObject({ base_url_changed_at: null, previous_base_url_host: null }) // unchanged
    // a second fetch with the same data keeps the change on record, logs nothing new
    await h.references.refresh()
    expect(h.store.referenceProviders('models.dev')!.find((p) => p.id === 'wandb')!.previousHost).toBe('api.inference.wandb.ai')
    await h.close(false)

    // a config base_url pins it: the reference does not move it (the change is still shown)
    h = makeHarness({ toml: `${toml}[providers.wandb]\nbase_url = "https://api.inference.wandb.ai/v1"\n`, env: {}, dir })
    const pinned = ((await (await h.get('/v1/providers')).json()) as any).data.find((x: any) => x.id === 'wandb')
    expect(pinned).toMatchObject({ base_url: 'https://api.inference.wandb.ai/v1', base_url_pinned: true, previous_base_url_host: 'api.inference.wandb.ai' })
  })
})
