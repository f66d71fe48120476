import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError, loadConfig, type Config, type ResolvedProvider } from '../src/config'
import { BUILTIN_PROVIDERS } from '../src/upstream/registry'
import { spawnGroup } from './helpers/process'

const ROOT = join(import.meta.dir, '..')
const dir = mkdtempSync(join(tmpdir(), 'modelcat-config-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let fileCount = 0
/** Writes a TOML file to the temp dir and returns its path. */
function tomlFile(text: string): string {
  const path = join(dir, `config-${++fileCount}.toml`)
  writeFileSync(path, text)
  return path
}

const provider = (config: Config, id: string): ResolvedProvider => {
  const p = config.providers.find((x) => x.id === id)
  if (!p) throw new Error(`no provider ${id} in config`)
  return p
}
const enabledIds = (config: Config) =>
  config.providers
    .filter((p) => p.enabled)
    .map((p) => p.id)
    .sort()

/** The ConfigError thrown by loadConfig(env); fails the test if it does not throw one. */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env)
  } catch (err) {
    if (err instanceof ConfigError) return err
    throw err
  }
  throw new Error('loadConfig did not throw')
}

const SAMPLE_TOML = `
[refresh]
interval_seconds = 900
provider_timeout_ms = 7000
providers = ["groq", "together"]

[providers.groq]
base_url = "http://127.0.0.1:9000/groq/openai/v1"
api_key = "gsk_from_toml"
enabled = true
timeout_ms = 5000

[providers.my-vllm]
adapter = "openai"
base_url = "http://10.0.0.5:8000/v1"
`

describe('defaults', () => {
  test('an empty env gives port 8080, host 0.0.0.0, db ./data/catalog.db, interval 600, log level info', () => {
    const c = loadConfig({})
    expect(c.port).toBe(8080)
    expect(c.host).toBe('0.0.0.0')
    expect(c.dbPath).toBe('./data/catalog.db')
    expect(c.refresh.intervalSeconds).toBe(600)
    expect(c.logLevel).toBe('info')
    expect(c.configPath).toBeUndefined()
    expect(c.adminToken).toBeUndefined()
  })

  test('without a config file every built-in provider is present, enabled unless its row says otherwise, keyless, with its registry base URL', () => {
    const c = loadConfig({})
    // (then the reference-derived providers: test/config/reference-providers.test.ts)
    expect(c.providers.filter((p) => p.origin !== 'reference').map((p) => p.id)).toEqual(BUILTIN_PROVIDERS.map((p) => p.id))
    for (const spec of BUILTIN_PROVIDERS) {
      const p = provider(c, spec.id)
      expect({ id: p.id, enabled: p.enabled, apiKey: p.apiKey, baseUrl: p.baseUrl, builtin: p.builtin, timeoutMs: p.timeoutMs }).toEqual({
        id: spec.id,
        enabled: spec.defaultEnabled ?? true,
        apiKey: undefined,
        baseUrl: spec.baseUrl,
        builtin: true,
        timeoutMs: c.refresh.providerTimeoutMs,
      })
    }
  })

  test('reads only the env object it is given, never process.env', () => {
    const before = process.env.GROQ_API_KEY
    process.env.GROQ_API_KEY = 'from-process-env'
    try {
      expect(provider(loadConfig({}), 'groq').apiKey).toBeUndefined()
    } finally {
      if (before === undefined) delete process.env.GROQ_API_KEY
      else process.env.GROQ_API_KEY = before
    }
  })
})

describe('environment overrides', () => {
  test('PORT, HOST, MODELCAT_DB, LOG_LEVEL, MODELCAT_ADMIN_TOKEN and MODELCAT_REFRESH_INTERVAL override the defaults', () => {
    const c = loadConfig({
      PORT: '9090',
      HOST: '127.0.0.1',
      MODELCAT_DB: '/var/lib/modelcat/x.db',
      LOG_LEVEL: 'debug',
      MODELCAT_ADMIN_TOKEN: 'admin-secret',
      MODELCAT_REFRESH_INTERVAL: '30',
    })
    expect(c).toMatchObject({ port: 9090, host: '127.0.0.1', dbPath: '/var/lib/modelcat/x.db', logLevel: 'debug', adminToken: 'admin-secret' })
    expect(c.refresh.intervalSeconds).toBe(30)
  })

  test('PORT 0 (any free port) is accepted', () => {
    expect(loadConfig({ PORT: '0' }).port).toBe(0)
  })

  test('blank variables count as unset', () => {
    const c = loadConfig({ PORT: '', HOST: '  ', LOG_LEVEL: '' })
    expect(c).toMatchObject({ port: 8080, host: '0.0.0.0', logLevel: 'info' })
  })

  test('a built-in provider picks up its key env variable (GROQ_API_KEY), trimmed', () => {
    const c = loadConfig({ GROQ_API_KEY: '  gsk_env  ' })
    expect(provider(c, 'groq').apiKey).toBe('gsk_env')
    expect(provider(c, 'together').apiKey).toBeUndefined()
  })

  test('with several key variables the first set one wins (DEEPINFRA_API_KEY before DEEPINFRA_TOKEN)', () => {
    expect(provider(loadConfig({ DEEPINFRA_TOKEN: 'tok' }), 'deepinfra').apiKey).toBe('tok')
    expect(provider(loadConfig({ DEEPINFRA_TOKEN: 'tok', DEEPINFRA_API_KEY: 'key' }), 'deepinfra').apiKey).toBe('key')
  })
})

describe('TOML file (MODELCAT_CONFIG)', () => {
  test('refresh settings and a built-in provider table are applied', () => {
    const path = tomlFile(SAMPLE_TOML)
    const c = loadConfig({ MODELCAT_CONFIG: path })
    expect(c.configPath).toBe(path)
    expect(c.refresh.intervalSeconds).toBe(900)
    expect(c.refresh.providerTimeoutMs).toBe(7000)
    expect(provider(c, 'groq')).toMatchObject({ baseUrl: 'http://127.0.0.1:9000/groq/openai/v1', apiKey: 'gsk_from_toml', enabled: true, timeoutMs: 5000, builtin: true })
    // providers without their own timeout_ms get refresh.provider_timeout_ms
    expect(provider(c, 'together').timeoutMs).toBe(7000)
  })

  test('refresh.providers restricts the enabled providers to the ones listed', () => {
    const c = loadConfig({ MODELCAT_CONFIG: tomlFile(SAMPLE_TOML) })
    expect(enabledIds(c)).toEqual(['groq', 'together'])
    // unlisted ones are still configured, just disabled
    expect(provider(c, 'openrouter').enabled).toBe(false)
    expect(provider(c, 'my-vllm').enabled).toBe(false)
  })

  test('without refresh.providers every provider stays enabled (but those off by default)', () => {
    const c = loadConfig({ MODELCAT_CONFIG: tomlFile('[providers.groq]\napi_key = "k"\n') })
    expect(enabledIds(c)).toEqual(
      BUILTIN_PROVIDERS.filter((p) => p.defaultEnabled !== false)
        .map((p) => p.id)
        .sort(),
    )
    expect(enabledIds(c)).not.toContain('ollama')
  })

  test('a provider off by default (ollama) is turned on by enabled = true', () => {
    const c = loadConfig({ MODELCAT_CONFIG: tomlFile('[providers.ollama]\nenabled = true\n') })
    expect(provider(c, 'ollama').enabled).toBe(true)
  })

  test('enabled = false disables one provider', () => {
    const c = loadConfig({ MODELCAT_CONFIG: tomlFile('[providers.openrouter]\nenabled = false\n') })
    expect(provider(c, 'openrouter').enabled).toBe(false)
    expect(provider(c, 'groq').enabled).toBe(true)
  })

  test('a custom provider is added with its adapter and base URL', () => {
    const c = loadConfig({ MODELCAT_CONFIG: tomlFile(SAMPLE_TOML) })
    expect(provider(c, 'my-vllm')).toMatchObject({
      id: 'my-vllm',
      name: 'my-vllm',
      adapter: 'openai',
      baseUrl: 'http://10.0.0.5:8000/v1',
      builtin: false,
      keyRequired: false,
      timeoutMs: 7000,
    })
    expect(provider(c, 'my-vllm').apiKey).toBeUndefined()
    expect(c.providers.filter((p) => p.origin !== 'reference')).toHaveLength(BUILTIN_PROVIDERS.length + 1)
  })

  test('a custom provider listed in refresh.providers is enabled', () => {
    const c = loadConfig({ MODELCAT_CONFIG: tomlFile(`[refresh]\nproviders = ["my-vllm"]\n[providers.my-vllm]\nadapter = "openai"\nbase_url = "http://10.0.0.5:8000/v1"\n`) })
    expect(enabledIds(c)).toEqual(['my-vllm'])
  })

  test('a table keyed by an alias ([providers.hug]) applies to huggingface, adding no provider', () => {
    const c = loadConfig({ MODELCAT_CONFIG: tomlFile('[providers.hug]\napi_key = "hf_from_alias"\nbase_url = "http://127.0.0.1:9000/hf/v1"\n') })
    expect(provider(c, 'huggingface')).toMatchObject({ apiKey: 'hf_from_alias', baseUrl: 'http://127.0.0.1:9000/hf/v1' })
    expect(c.providers.map((p) => p.id)).not.toContain('hug')
    expect(c.providers.filter((p) => p.origin !== 'reference')).toHaveLength(BUILTIN_PROVIDERS.length)
  })

  test('refresh.providers accepts an alias (hf → huggingface)', () => {
    const c = loadConfig({ MODELCAT_CONFIG: tomlFile('[refresh]\nproviders = ["hf"]\n') })
    expect(enabledIds(c)).toEqual(['huggingface'])
  })

  test('api_key_env reads the key from the named env variable', () => {
    const path = tomlFile('[providers.my-vllm]\nadapter = "openai"\nbase_url = "http://10.0.0.5:8000/v1"\napi_key_env = "VLLM_KEY"\n')
    const c = loadConfig({ MODELCAT_CONFIG: path, VLLM_KEY: 'vllm-secret' })
    expect(provider(c, 'my-vllm')).toMatchObject({ apiKey: 'vllm-secret', apiKeyEnv: ['VLLM_KEY'] })
    expect(provider(loadConfig({ MODELCAT_CONFIG: path }), 'my-vllm').apiKey).toBeUndefined()
  })

  test('api_key_env on a built-in provider replaces its default key variable', () => {
    const path = tomlFile('[providers.groq]\napi_key_env = "MY_GROQ"\n')
    const c = loadConfig({ MODELCAT_CONFIG: path, GROQ_API_KEY: 'default-var', MY_GROQ: 'named-var' })
    expect(provider(c, 'groq')).toMatchObject({ apiKey: 'named-var', apiKeyEnv: ['MY_GROQ'] })
  })

  test('the built-in key env (GROQ_API_KEY) is picked up when the TOML table has no key', () => {
    const c = loadConfig({ MODELCAT_CONFIG: tomlFile('[providers.groq]\ntimeout_ms = 5000\n'), GROQ_API_KEY: 'gsk_env' })
    expect(provider(c, 'groq')).toMatchObject({ apiKey: 'gsk_env', timeoutMs: 5000 })
  })

  test('api_key in the TOML wins over the built-in key env', () => {
    const c = loadConfig({ MODELCAT_CONFIG: tomlFile(SAMPLE_TOML), GROQ_API_KEY: 'gsk_env' })
    expect(provider(c, 'groq').apiKey).toBe('gsk_from_toml')
  })

  test('MODELCAT_REFRESH_INTERVAL overrides refresh.interval_seconds', () => {
    const path = tomlFile(SAMPLE_TOML)
    expect(loadConfig({ MODELCAT_CONFIG: path }).refresh.intervalSeconds).toBe(900)
    expect(loadConfig({ MODELCAT_CONFIG: path, MODELCAT_REFRESH_INTERVAL: '45' }).refresh.intervalSeconds).toBe(45)
  })
})

describe('errors name each bad key', () => {
  test.each([
    ['not a number', 'abc'],
    ['above 65535', '70000'],
    ['negative', '-1'],
    ['fractional', '80.5'],
  ])('PORT %s', (_label, value) => {
    const err = configError({ PORT: value })
    expect(err.problems).toHaveLength(1)
    expect(err.problems[0]).toStartWith('PORT')
    expect(err.message).toContain('PORT')
  })

  test('bad LOG_LEVEL', () => {
    const err = configError({ LOG_LEVEL: 'loud' })
    expect(err.problems).toHaveLength(1)
    expect(err.problems[0]).toStartWith('LOG_LEVEL')
  })

  test('bad MODELCAT_REFRESH_INTERVAL (0 and a word)', () => {
    expect(configError({ MODELCAT_REFRESH_INTERVAL: '0' }).problems[0]).toStartWith('MODELCAT_REFRESH_INTERVAL')
    expect(configError({ MODELCAT_REFRESH_INTERVAL: 'often' }).problems[0]).toStartWith('MODELCAT_REFRESH_INTERVAL')
  })

  test('unknown TOML key ([refresh] intervl = 5) is named with its table and the file', () => {
    const path = tomlFile('[refresh]\nintervl = 5\n')
    const err = configError({ MODELCAT_CONFIG: path })
    expect(err.problems).toHaveLength(1)
    expect(err.problems[0]).toContain(path)
    expect(err.problems[0]).toContain('refresh')
    expect(err.problems[0]).toContain('intervl')
  })

  test('unknown key inside a provider table is named', () => {
    const err = configError({ MODELCAT_CONFIG: tomlFile('[providers.groq]\napikey = "x"\n') })
    expect(err.problems).toHaveLength(1)
    expect(err.problems[0]).toContain('providers.groq')
    expect(err.problems[0]).toContain('apikey')
  })

  test('custom provider without adapter and base_url: both keys named', () => {
    const err = configError({ MODELCAT_CONFIG: tomlFile('[providers.my-vllm]\nname = "My vLLM"\n') })
    expect(err.problems).toHaveLength(2)
    expect(err.problems.some((p) => p.includes('providers.my-vllm.adapter'))).toBe(true)
    expect(err.problems.some((p) => p.includes('providers.my-vllm.base_url'))).toBe(true)
  })

  test('custom provider without base_url only: base_url named', () => {
    const err = configError({ MODELCAT_CONFIG: tomlFile('[providers.my-vllm]\nadapter = "openai"\n') })
    expect(err.problems).toHaveLength(1)
    expect(err.problems[0]).toContain('providers.my-vllm.base_url')
  })

  test('unknown adapter is named', () => {
    const err = configError({ MODELCAT_CONFIG: tomlFile('[providers.my-vllm]\nadapter = "grpc"\nbase_url = "http://10.0.0.5:8000/v1"\n') })
    expect(err.problems).toHaveLength(1)
    expect(err.problems[0]).toContain('providers.my-vllm.adapter')
  })

  test('base_url that is not an http(s) URL is named', () => {
    const err = configError({ MODELCAT_CONFIG: tomlFile('[providers.groq]\nbase_url = "ftp://example.com/v1"\n') })
    expect(err.problems).toHaveLength(1)
    expect(err.problems[0]).toContain('providers.groq.base_url')
  })

  test('refresh.providers naming an unknown provider is named, with the unknown name', () => {
    const err = configError({ MODELCAT_CONFIG: tomlFile('[refresh]\nproviders = ["groq", "grok-typo"]\n') })
    expect(err.problems).toHaveLength(1)
    expect(err.problems[0]).toContain('refresh.providers')
    expect(err.problems[0]).toContain('grok-typo')
  })

  test('an alias already owned by another provider is named', () => {
    const err = configError({ MODELCAT_CONFIG: tomlFile('[providers.groq]\naliases = ["hf"]\n') })
    expect(err.problems).toHaveLength(1)
    expect(err.problems[0]).toContain('providers.groq.aliases')
    expect(err.problems[0]).toContain('huggingface')
  })

  test('unreadable MODELCAT_CONFIG path is named', () => {
    const missing = join(dir, 'does-not-exist.toml')
    const err = configError({ MODELCAT_CONFIG: missing })
    expect(err.problems).toHaveLength(1)
    expect(err.problems[0]).toStartWith('MODELCAT_CONFIG')
    expect(err.problems[0]).toContain(missing)
  })

  test('a file that is not valid TOML is reported under MODELCAT_CONFIG', () => {
    const err = configError({ MODELCAT_CONFIG: tomlFile('[refresh\ninterval_seconds = = 5\n') })
    expect(err.problems).toHaveLength(1)
    expect(err.problems[0]).toStartWith('MODELCAT_CONFIG')
  })

  test('several bad env variables at once: all named', () => {
    const err = configError({ PORT: 'abc', LOG_LEVEL: 'loud', MODELCAT_REFRESH_INTERVAL: '0', HOST: '127.0.0.1' })
    expect(err.problems).toHaveLength(3)
    for (const key of ['PORT', 'LOG_LEVEL', 'MODELCAT_REFRESH_INTERVAL']) expect(err.problems.some((p) => p.startsWith(key))).toBe(true)
    expect(err.problems.some((p) => p.startsWith('HOST'))).toBe(false)
  })

  test('several bad TOML keys at once: all named', () => {
    const err = configError({
      MODELCAT_CONFIG: tomlFile('[refresh]\nintervl = 5\n[providers.x]\nadapter = "grpc"\nbase_url = "http://a.test/v1"\nbogus = 1\n'),
    })
    expect(err.problems).toHaveLength(3)
    expect(err.problems.some((p) => p.includes('refresh') && p.includes('intervl'))).toBe(true)
    expect(err.problems.some((p) => p.includes('providers.x.adapter'))).toBe(true)
    expect(err.problems.some((p) => p.includes('providers.x') && p.includes('bogus'))).toBe(true)
  })

  test('several provider problems at once (custom provider without adapter, unknown refresh provider): all named', () => {
    const err = configError({ MODELCAT_CONFIG: tomlFile('[refresh]\nproviders = ["nope"]\n[providers.my-vllm]\nbase_url = "http://10.0.0.5:8000/v1"\n') })
    expect(err.problems).toHaveLength(2)
    expect(err.problems.some((p) => p.includes('providers.my-vllm.adapter'))).toBe(true)
    expect(err.problems.some((p) => p.includes('refresh.providers') && p.includes('"nope"'))).toBe(true)
  })

  test('a bad env variable does not hide the problems of the TOML file', () => {
    const err = configError({ PORT: 'abc', MODELCAT_CONFIG: tomlFile('[refresh]\nintervl = 5\n') })
    expect(err.problems).toHaveLength(2)
    expect(err.problems.some((p) => p.startsWith('PORT'))).toBe(true)
    expect(err.problems.some((p) => p.includes('intervl'))).toBe(true)
  })

  test('a TOML schema problem does not hide provider problems of the same file', () => {
    const err = configError({
      MODELCAT_CONFIG: tomlFile('[refresh]\nintervl = 5\nproviders = ["nope"]\n[providers.my-vllm]\nbase_url = "http://10.0.0.5:8000/v1"\n'),
    })
    expect(err.problems.some((p) => p.includes('intervl'))).toBe(true)
    expect(err.problems.some((p) => p.includes('providers.my-vllm.adapter'))).toBe(true)
    expect(err.problems.some((p) => p.includes('"nope"'))).toBe(true)
  })
})

describe('command line (bun src/index.ts)', () => {
  const spawn = (args: string[], env: Record<string, string | undefined>) =>
    spawnGroup([process.execPath, join(ROOT, 'src', 'index.ts'), ...args], {
      cwd: ROOT,
      env,
      stdout: 'pipe',
      stderr: 'pipe',
      timeout: 20_000, // safety net: a process that unexpectedly starts serving is killed
    })

  test('bad PORT: exits with code 2 and stderr names PORT', async () => {
    const proc = spawn([], { ...process.env, PORT: 'abc', MODELCAT_DB: join(dir, 'never-opened.db') })
    const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()])
    expect(code).toBe(2)
    expect(stderr).toContain('PORT')
    expect(stderr).toContain('invalid configuration')
  }, 30_000)

  test('--help exits 0 and lists the environment variables', async () => {
    const proc = spawn(['--help'], { ...process.env })
    const [code, stdout] = await Promise.all([proc.exited, new Response(proc.stdout).text()])
    expect(code).toBe(0)
    for (const name of ['PORT', 'HOST', 'MODELCAT_DB', 'MODELCAT_CONFIG', 'MODELCAT_ADMIN_TOKEN', 'MODELCAT_REFRESH_INTERVAL', 'LOG_LEVEL', 'GROQ_API_KEY']) {
      expect(stdout).toContain(name)
    }
  }, 30_000)
})
