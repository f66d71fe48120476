import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
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
    expect(stdout).toMatch(/^groq\s+ok\s+16\s+16\s+0\s+\d+\s+\d+s ago\s+-$/m)
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

  test('config check: ok with a summary; bad config names the key and exits 2', async () => {
    const ok = await run(['config', 'check'])
    expect(ok.code).toBe(0)
    expect(ok.stdout).toContain('config ok')
    expect(ok.stdout).toMatch(/^groq\s+openai\s+http:\/\/127\.0\.0\.1:\d+\/groq\/openai\/v1\s+set$/m)
    const bad = await run(['config', 'check'], { PORT: 'x' })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('PORT')
  })

  test('--help on every command', async () => {
    for (const cmd of ['serve', 'refresh', 'providers', 'export', 'config', 'healthcheck', 'identity']) {
      const { stdout, code } = await run([cmd, '--help'])
      expect(code).toBe(0)
      expect(stdout).toContain(`Usage: modelcat ${cmd}`)
      expect(stdout).toContain('MODELCAT_DB')
    }
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
