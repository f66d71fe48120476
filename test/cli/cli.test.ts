import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { FakeUpstream } from '../helpers/fake-upstream'
import { makeHarness, tempDir, tomlFor } from '../helpers/harness'
import { spawnGroup } from '../helpers/process'

/** The CLI as a user runs it: `bun src/index.ts <command>`, real DB files, a fake upstream. */
setDefaultTimeout(30_000)
const ENTRY = join(import.meta.dir, '..', '..', 'src', 'index.ts')
const GROQ = '/groq/openai/v1'
const TOGETHER = '/together/v1'
let up: FakeUpstream
let dir: string
let env: Record<string, string>

const run = async (args: string[], extraEnv: Record<string, string> = {}) => {
  const p = spawnGroup(['bun', ENTRY, ...args], { env: { PATH: process.env.PATH ?? '', ...env, ...extraEnv }, stdout: 'pipe', stderr: 'pipe' })
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited])
  return { stdout, stderr, code }
}

beforeAll(() => {
  up = new FakeUpstream()
    .replay(`${GROQ}/models`, 'groq/groq_models_2026-01-22.json')
    .replay(`${TOGETHER}/models`, 'together/together_v1_models_2026-01-23.json')
    .set('/broken/models', { kind: 'body', body: 'nope', status: 500, contentType: 'text/plain' })
  dir = tempDir('modelcat-cli-')
  writeFileSync(join(dir, 'modelcat.toml'), toml())
  env = { MODELCAT_DB: join(dir, 'catalog.db'), MODELCAT_CONFIG: join(dir, 'modelcat.toml') }
})
afterAll(() => up.stop())

/** groq and together replaying real captures, and `broken`, a custom provider that answers 500. */
const toml = () =>
  `${tomlFor(up.url, { groq: GROQ, together: TOGETHER }).replace('providers = ["groq", "together"]', 'providers = ["groq", "together", "broken"]')}\n` +
  `[providers.broken]\nadapter = "openai"\nbase_url = "${up.url}/broken"\n[references.models-dev]\nenabled = false\n[references.litellm]\nenabled = false\n`

describe('modelcat refresh', () => {
  test('prints a plain line per provider as it lands (not a TTY), then a summary table; exit 0', async () => {
    const { stdout, code } = await run(['refresh'])
    expect(code).toBe(0)
    expect(stdout).toMatch(/^✓ groq: 16 models in \d+ ms$/m)
    expect(stdout).toMatch(/^✓ together: 131 models in \d+ ms$/m)
    expect(stdout).not.toContain('\x1b[') // no terminal control codes in a pipe
    expect(stdout).toMatch(/^PROVIDER\s+STATUS\s+MODELS\s+SKIPPED\s+MS\s+ERROR$/m)
    expect(stdout).toMatch(/^groq\s+ok\s+16\s+0\s+\d+\s+-$/m)
  })

  test('--provider limits it; non-zero exit when every provider failed', async () => {
    const bad = await run(['refresh', '--provider', 'broken'])
    expect(bad.code).toBe(1)
    expect(bad.stdout).toMatch(/^✗ broken: HTTP 500: nope/m)
    expect(bad.stderr).toContain('every provider failed')
    const unknown = await run(['refresh', '--provider', 'nope'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain("unknown provider 'nope'")
  })
})

describe('modelcat providers / export / config check', () => {
  test('providers prints the gateway counts of the DB the refresh wrote', async () => {
    const { stdout, code } = await run(['providers'])
    expect(code).toBe(0)
    expect(stdout).toMatch(/^groq\s+ok\s+16\s+16\s+0\s+\d+\s+\d+s ago\s+-\s+builtin\s+-$/m)
  })

  test('export --format json is exactly the /v1/models body; csv has a header and one row per model', async () => {
    const json = await run(['export'])
    expect(json.code).toBe(0)
    const h = makeHarness({ toml: toml(), dir, env: {} })
    try {
      expect(json.stdout.trim()).toBe((await (await h.get('/v1/models')).text()).trim())
    } finally {
      await h.close(false)
    }
    const csv = await run(['export', '--format', 'csv'])
    const lines = csv.stdout.trim().split('\n')
    expect(lines[0]).toBe('id,provider,provider_model_id,canonical_id,name,context_length,max_output_tokens,prompt,completion,source')
    expect(lines.length - 1).toBe(JSON.parse(json.stdout).data.length)
    expect(lines).toContain(
      'together/meta-llama/Llama-3.3-70B-Instruct-Turbo,together,meta-llama/Llama-3.3-70B-Instruct-Turbo,meta/llama-3.3-70b-instruct,Meta Llama 3.3 70B Instruct Turbo,131072,,0.00000088,0.00000088,live',
    )
    const unique = await run(['export', '--format', 'csv', '--unique'])
    expect(unique.stdout.split('\n')[0]).toBe('id,name,provider_count,context_length,cheapest_provider,prompt,completion')
    expect((await run(['export', '--format', 'xml'])).code).toBe(2)
  })

  test('export --format litellm / models.dev is exactly the /v1/export body (with --unique: ?unique=true)', async () => {
    const h = makeHarness({ toml: toml(), dir, env: {} })
    try {
      for (const [format, path] of [
        ['litellm', '/v1/export/litellm.json'],
        ['models.dev', '/v1/export/models.dev.json'],
        ['litellm --unique', '/v1/export/litellm.json?unique=true'],
      ] as const) {
        const out = await run(['export', '--format', ...format.split(' ')])
        expect(out.code).toBe(0)
        expect(out.stdout.trim()).toBe((await (await h.get(path)).text()).trim())
      }
    } finally {
      await h.close(false)
    }
  })

  test('config check: ok with a summary; bad config names the key and exits 2', async () => {
    const ok = await run(['config', 'check'])
    expect(ok.code).toBe(0)
    expect(ok.stdout).toContain('config ok')
    expect(ok.stdout).toMatch(/^groq\s+openai\s+http:\/\/127\.0\.0\.1:\d+\/groq\/openai\/v1\s+set$/m)
    const bad = await run(['config', 'check'], { PORT: 'x' })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('PORT')
  })

  test('--help on every command: its own usage, the environment written once (in modelcat --help)', async () => {
    const main = await run(['--help'])
    expect(main.code).toBe(0)
    expect(main.stdout).toContain('Environment:')
    expect(main.stdout.match(/MODELCAT_DB /g)).toHaveLength(1)
    expect(main.stdout).toContain('HF_TOKEN') // the real key variables, not a <PROVIDER>_API_KEY pattern
    expect(main.stdout).not.toContain('<PROVIDER>_API_KEY')
    for (const cmd of ['serve', 'refresh', 'providers', 'export', 'config', 'healthcheck', 'identity']) {
      const { stdout, code } = await run([cmd, '--help'])
      expect(code).toBe(0)
      expect(stdout).toContain(`Usage: modelcat ${cmd}`)
      expect(stdout).not.toContain('Environment:') // not repeated per command: a pointer instead
      expect(stdout).toContain('modelcat --help')
      expect(main.stdout).toContain(`  ${cmd}`)
    }
  }, 90_000)
})

describe('a command line that is wrong is a usage error (exit 2), never ignored and never a server start', () => {
  test('--version and -v print the version and start nothing', async () => {
    const fresh = join(tempDir('modelcat-cli-v-'), 'catalog.db')
    for (const args of [['--version'], ['-v'], ['serve', '--version']]) {
      const { stdout, code } = await run(args, { MODELCAT_DB: fresh })
      expect(code).toBe(0)
      expect(stdout.trim()).toMatch(/^modelcat \d+\.\d+\.\d+$/)
    }
    expect(existsSync(fresh)).toBe(false)
  })

  test('unknown flags, extra arguments and missing values: exit 2 naming them, with the usage; no DB is created', async () => {
    const fresh = join(tempDir('modelcat-cli-bad-'), 'catalog.db')
    const cases: [string[], string][] = [
      [['--bogus'], "unknown option '--bogus'"],
      [['serve', '9999'], "unexpected argument '9999'"],
      [['serve', '--prot', '9999'], "unknown option '--prot'"],
      [['serve', '--port'], '--port'],
      [['serve', '--port', 'x'], "--port: expected 0–65535, got 'x'"],
      [['serve', '--port', '70000'], '--port'],
      [['providers', '--jsno'], "unknown option '--jsno'"],
      [['providers', 'extra'], "unexpected argument 'extra'"],
      [['export', '--format', 'xml'], "--format: expected json, csv, litellm or models.dev, got 'xml'"],
      [['export', 'xml'], "format: expected json, csv, litellm or models.dev, got 'xml'"],
      [['export', '--format', 'json', 'csv'], 'two formats'],
      [['export', 'csv', 'more'], "unexpected argument 'more'"],
      [['config'], 'modelcat config check'],
      [['config', 'chek'], "unknown config subcommand 'chek'"],
      [['refresh', '--provider'], '--provider'],
      [['healthcheck', 'now'], "unexpected argument 'now'"],
      [['nope'], "unknown command 'nope'"],
    ]
    for (let i = 0; i < cases.length; i += 4) {
      const batch = cases.slice(i, i + 4)
      const results = await Promise.all(batch.map(([args]) => run(args, { MODELCAT_DB: fresh })))
      for (const [j, { stderr, code }] of results.entries()) {
        const [args, message] = batch[j]!
        expect({ args, code }).toEqual({ args, code: 2 })
        expect(stderr).toContain(message)
        expect(stderr).toContain('Usage: modelcat')
      }
    }
    expect(existsSync(fresh)).toBe(false)
  }, 120_000)

  test('export: the format as a flag or as the one positional argument, the same output', async () => {
    const flag = await run(['export', '--format', 'csv'])
    const positional = await run(['export', 'csv'])
    expect(positional.code).toBe(0)
    expect(positional.stdout).toBe(flag.stdout)
    expect((await run(['export', '--format', 'csv', 'csv'])).stdout).toBe(flag.stdout) // the same format twice is no conflict
  })

  test('a closed pipe (export | head) ends quietly: no EPIPE stack trace', async () => {
    const p = spawnGroup(['bash', '-c', `bun ${ENTRY} export | head -c 100 >/dev/null; echo "status=\${PIPESTATUS[0]}" >&2`], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdout: 'pipe',
      stderr: 'pipe',
    })
    const [stderr] = await Promise.all([new Response(p.stderr).text(), p.exited])
    expect(stderr).not.toContain('EPIPE')
    expect(stderr).not.toMatch(/\bat \S+ \(/) // no stack frame
    expect(stderr).toContain('status=0')
  })
})

describe('modelcat serve: --port/--host, and a busy port is one line', () => {
  test('serve --port/--host win over PORT/HOST; a busy port: exit 1 with one line naming it and the way out', async () => {
    const busy = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response('taken') })
    try {
      const { stderr, code } = await run(['serve', '--port', String(busy.port), '--host', '127.0.0.1'], { PORT: '1', HOST: '0.0.0.0', LOG_LEVEL: 'silent' })
      expect(code).toBe(1)
      expect(stderr.trim().split('\n')).toEqual([`modelcat: cannot listen on 127.0.0.1:${busy.port}: the port is in use; choose another with PORT=<port> or --port <port> (0: any free port)`])
      // the same through PORT
      const viaEnv = await run(['serve'], { PORT: String(busy.port), HOST: '127.0.0.1', LOG_LEVEL: 'silent' })
      expect(viaEnv.code).toBe(1)
      expect(viaEnv.stderr).toContain(`cannot listen on 127.0.0.1:${busy.port}: the port is in use`)
      expect(viaEnv.stderr).not.toContain('EADDRINUSE')
    } finally {
      busy.stop(true)
    }
  })

  test('serve --port 0 listens on a free port (the flag, not PORT, decides)', async () => {
    const p = spawnGroup(['bun', ENTRY, 'serve', '--port', '0', '--host', '127.0.0.1'], { env: { PATH: process.env.PATH ?? '', ...env, PORT: '1', LOG_LEVEL: 'info' }, stdout: 'pipe', stderr: 'pipe' })
    try {
      const reader = (p.stdout as ReadableStream<Uint8Array>).getReader()
      let text = ''
      while (!text.includes('modelcat listening')) {
        const { value, done } = await reader.read()
        if (done) break
        text += new TextDecoder().decode(value)
      }
      const url = String(JSON.parse(text.split('\n').find((l) => l.includes('modelcat listening'))!).url)
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
      expect(url).not.toContain(':1/')
      expect((await fetch(`${url}health`)).status).toBe(200)
    } finally {
      p.kill('SIGKILL')
    }
  })
})

describe("the CLI's read commands use the service's config", () => {
  test('providers and export in a shell without MODELCAT_CONFIG or keys report what the service serves, and say which config', async () => {
    // the service: the test's config (groq with a key from the environment, together with one in the file)
    const sdir = tempDir('modelcat-cli-svc-')
    writeFileSync(join(sdir, 'modelcat.toml'), toml().replace('api_key = "test-key-groq"', 'api_key_env = "GROQ_API_KEY"'))
    const senv = { MODELCAT_DB: join(sdir, 'catalog.db'), MODELCAT_CONFIG: join(sdir, 'modelcat.toml'), GROQ_API_KEY: 'gsk-service-only' }
    const refreshed = await run(['refresh'], senv)
    expect(refreshed.code).toBe(1 - 1)
    const p = spawnGroup(['bun', ENTRY, 'serve', '--port', '0', '--host', '127.0.0.1'], { env: { PATH: process.env.PATH ?? '', ...senv, LOG_LEVEL: 'info' }, stdout: 'pipe', stderr: 'pipe' })
    try {
      const reader = (p.stdout as ReadableStream<Uint8Array>).getReader()
      let text = ''
      while (!text.includes('modelcat listening')) text += new TextDecoder().decode((await reader.read()).value)
      void (async () => {
        while (!(await reader.read()).done);
      })()
      const url = String(JSON.parse(text.split('\n').find((l) => l.includes('modelcat listening'))!).url)
      // another shell: only the DB
      const shell = { MODELCAT_DB: senv.MODELCAT_DB, MODELCAT_CONFIG: '', GROQ_API_KEY: '' }
      const providers = await run(['providers'], shell)
      expect(providers.code).toBe(0)
      expect(providers.stdout).toMatch(/^groq\s+ok\s+16\s/m) // not needs_key: the service has the key
      expect(providers.stdout).not.toMatch(/^openrouter/m) // disabled by the service's config
      expect(providers.stderr).toContain("config: the service's")
      expect(providers.stderr).toContain(senv.MODELCAT_CONFIG)
      const recorded = await Bun.file(`${senv.MODELCAT_DB}.service.json`).text()
      expect(recorded).not.toContain('gsk-service-only') // whether a key is set, never the key
      const exported = await run(['export'], shell)
      expect(exported.code).toBe(0)
      expect(exported.stdout.trim()).toBe((await (await fetch(`${url}v1/models`)).text()).trim()) // the very bytes the service serves
      // near miss: this shell's own MODELCAT_CONFIG wins, and says so
      const own = await run(['providers'], { ...shell, MODELCAT_CONFIG: senv.MODELCAT_CONFIG })
      expect(own.stderr).toContain('MODELCAT_CONFIG of this shell')
      expect(own.stdout).toMatch(/^groq\s+needs_key\s/m)
    } finally {
      p.kill('SIGKILL')
    }
  }, 120_000)

  test('the error column is cut at a word, never mid-word', async () => {
    const { clip } = await import('../../src/cli/common')
    const text = 'HTTP 400: Incorrect API key provided: xa***YF. You can obtain an API key from https://console.x.ai.'
    const cut = clip(text, 60)
    expect(cut.length).toBeLessThanOrEqual(60)
    expect(cut.endsWith('…')).toBe(true)
    expect(text.startsWith(cut.slice(0, -1))).toBe(true)
    expect(text[cut.length - 1]).toBe(' ') // the word before the cut is whole
    expect(clip('short', 60)).toBe('short')
  })
})

describe('modelcat identity', () => {
  test('prints the tokens, the canonical id and the basis; --json has the same decision', async () => {
    const { stdout, code } = await run(['identity', 'jp.anthropic.claude-sonnet-4-5-20250929-v1:0', '--provider', 'amazon-bedrock'])
    expect(code).toBe(0)
    expect(stdout).toMatch(/organisation\s+anthropic/)
    expect(stdout).toMatch(/version\s+4\.5/)
    expect(stdout).toMatch(/wrappers\s+20250929/)
    expect(stdout).toMatch(/canonical_id\s+anthropic\/claude-sonnet-4\.5\n/)
    expect(stdout).toMatch(/basis\s+rule/)
    const json = JSON.parse((await run(['identity', 'groq/llama-3.3-70b-versatile', '--json'])).stdout)
    expect(json).toMatchObject({ provider: 'groq', model_id: 'llama-3.3-70b-versatile', id: 'meta/llama-3.3-70b-instruct', basis: 'override' })
  })

  test('a missing id or --provider value, or an id over the cap, is exit 2 with a message', async () => {
    expect((await run(['identity'])).code).toBe(2)
    expect((await run(['identity', 'x', '--provider'])).code).toBe(2)
    const long = await run(['identity', 'a'.repeat(257)])
    expect(long.code).toBe(2)
    expect(long.stderr).toContain('longer than 256')
    expect((await run(['identity', 'a'.repeat(256)])).code).toBe(0) // at the cap: read
  })
})
