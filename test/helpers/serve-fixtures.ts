/**
 * A fake internet for trying modelcat by hand (no network needed): serves the real captures in
 * test/fixtures/upstream under the paths the demo config (test/helpers/demo.toml) points at, in two
 * generations (the second: later captures of Groq and OpenRouter), so that a refresh after switching
 * produces real change-feed entries.
 *
 *   bun test/helpers/serve-fixtures.ts [--port <port>] [--config-out <file>]
 *
 * --port (or FAKE_UPSTREAM_PORT): 0, the default, is any free port. Writes the demo config for its
 * address (default ./data/demo/demo.toml) and prints the command that starts modelcat on it.
 * POST /_demo/generation?to=2 switches generations (what `bun run demo:change` calls).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { FakeUpstream } from './fake-upstream'

/** Route → fixture per generation (generation 2 only lists what changes). */
export const GENERATIONS: Record<string, string>[] = [
  {
    '/groq/openai/v1/models': 'groq/groq_models_2025-10-05.json',
    '/together/v1/models': 'together/together_v1_models_2026-01-23.json',
    '/openrouter/api/v1/models': 'openrouter/roo-code_openrouter-models_2025-04-24.DECODED_BODY.json',
    '/deepinfra/v1/openai/models': 'deepinfra/deepinfra_models_2026-03-01.json',
    '/huggingface/v1/models': 'huggingface/hf_router_v1_models_2025-12-31.UTF8.DERIVED.json',
    '/mistral/v1/models': 'mistral/mistral_models_2025-05-23.json',
    '/xai/v1/models': 'errors/xai_models_error_invalid-api-key_2026-02-27.json',
  },
  {
    '/groq/openai/v1/models': 'groq/groq_models_2026-01-22.json',
    '/openrouter/api/v1/models': 'openrouter/roo-code_openrouter-models_2025-05-12.DECODED_BODY.json',
  },
]

/** The fake upstream of the demo, on `port` (0: any free one); throws a one-line error when the port is taken. */
export function startFixtures(port: number) {
  let up: FakeUpstream
  try {
    up = new FakeUpstream(port)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new Error(`port ${port} is in use: pass --port <port> (or FAKE_UPSTREAM_PORT), 0 for any free port`)
    throw err
  }
  let generation = 1
  const serve = (to: number) => {
    for (const g of GENERATIONS.slice(0, to)) for (const [path, fixture] of Object.entries(g)) up.replay(path, fixture, path.startsWith('/xai') ? { status: 400 } : {})
    generation = to
  }
  serve(1)
  up.set('/_demo/generation', {
    kind: 'handler',
    handle(req) {
      const to = Number(new URL(req.url).searchParams.get('to') ?? generation)
      if (req.method === 'POST') {
        if (!Number.isInteger(to) || to < 1 || to > GENERATIONS.length) return Response.json({ error: `to: 1 to ${GENERATIONS.length}` }, { status: 400 })
        serve(to)
      }
      return Response.json({ generation, of: GENERATIONS.length })
    },
  })
  return { up, url: up.url, stop: () => up.stop(), generation: () => generation }
}

/** The demo config (test/helpers/demo.toml) for a fake upstream at `url`. */
export const demoConfig = (url: string) => readFileSync(join(import.meta.dir, 'demo.toml'), 'utf8').replaceAll('{{UPSTREAM}}', url)

/** `--port <n>` or `env` → a port number, or a one-line error. */
export function portArg(value: string | undefined, name: string): number {
  if (value === undefined || value === '') return 0
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) throw new Error(`${name}: expected a port 0–65535, got '${value}'`)
  return Number(value)
}

if (import.meta.main) {
  try {
    const { values } = parseArgs({ options: { port: { type: 'string' }, 'config-out': { type: 'string' } }, strict: true })
    const port = portArg(values.port ?? process.env.FAKE_UPSTREAM_PORT, values.port !== undefined ? '--port' : 'FAKE_UPSTREAM_PORT')
    const fixtures = startFixtures(port)
    const out = values['config-out'] ?? './data/demo/demo.toml'
    mkdirSync(dirname(out), { recursive: true })
    writeFileSync(out, demoConfig(fixtures.url))
    console.log(
      `fake upstream on ${fixtures.url} (generation 1 of ${GENERATIONS.length}; POST ${fixtures.url}/_demo/generation?to=2 for the next)\n` +
        `${Object.keys(GENERATIONS[0]!)
          .map((p) => `  ${fixtures.url}${p}`)
          .join('\n')}\n\n` +
        `config for it: ${out}\n  MODELCAT_CONFIG=${out} MODELCAT_ADMIN_TOKEN=dev bun run start`,
    )
  } catch (err) {
    process.stderr.write(`serve-fixtures: ${(err as Error).message}\n`)
    process.exit(2)
  }
}
