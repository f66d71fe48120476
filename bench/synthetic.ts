import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../src/config'
import { openCatalog } from '../src/runtime'
import type { ProviderOutcome } from '../src/catalog/store'
import type { OfferingInput } from '../src/domain/types'

/**
 * A synthetic catalog shaped like the real captures: `providers` providers × `perProvider` offerings,
 * OpenRouter-like fields (description, modalities, supported parameters, per-token prices), ids drawn
 * from a shared pool of underlying models so that the same model appears at several providers.
 */
export function syntheticOutcomes(total = 50_000, providers = 40): ProviderOutcome[] {
  const perProvider = Math.ceil(total / providers)
  const orgs = ['meta-llama', 'qwen', 'mistralai', 'deepseek-ai', 'google', 'zai-org', 'moonshotai', 'nousresearch', 'microsoft', 'nvidia']
  const params = ['max_tokens', 'temperature', 'top_p', 'tools', 'tool_choice', 'response_format', 'reasoning', 'seed', 'stop']
  let seed = 42
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
  const out: ProviderOutcome[] = []
  for (let p = 0; p < providers; p++) {
    const offerings: OfferingInput[] = []
    for (let i = 0; i < perProvider && p * perProvider + i < total; i++) {
      // a pool of 20k underlying models, each provider offering a different slice: ~2.5 providers per model
      const model = (i * 7919 + p * 104_729) % 20_000
      const org = orgs[model % orgs.length]!
      const price = Math.floor(rand() * 3000) / 1e9
      offerings.push({
        providerModelId: `${org}/Model-${model}-${['Instruct', 'Chat', 'Base'][model % 3]}${i % 7 === 0 ? ':free' : ''}`,
        name: `${org}: Model ${model} ${['Instruct', 'Chat', 'Base'][model % 3]}`,
        description: `Synthetic model ${model} of ${org}, a ${8 + (model % 400)}B parameter model served by provider ${p}. `.repeat(3),
        created: 1_700_000_000 + model * 1000,
        ownedBy: org,
        contextLength: [4096, 8192, 32768, 131072, 1048576][model % 5]!,
        maxOutputTokens: [4096, 8192, 16384][model % 3]!,
        inputModalities: model % 4 === 0 ? ['text', 'image'] : ['text'],
        outputModalities: ['text'],
        supportedParameters: params.filter((_, k) => (model >> k) & 1),
        pricing:
          i % 7 === 0 ? { prompt: '0', completion: '0' } : { prompt: price.toFixed(9).replace(/0+$/, '').replace(/\.$/, ''), completion: (price * 3).toFixed(9).replace(/0+$/, '').replace(/\.$/, '') },
      })
    }
    out.push({ provider: `synth-${p}`, ok: true, offerings, skipped: 0, durationMs: 0, warning: null })
  }
  return out
}

/** TOML declaring the synthetic providers (static adapter with no models: the bench writes rows itself). */
export function syntheticToml(providers = 40): string {
  return Array.from({ length: providers }, (_, p) => `[providers.synth-${p}]\nadapter = "static"\nmodels = [{ id = "placeholder" }]\n`).join('\n')
}

/**
 * A served catalog in `dir` without any upstream: `outcomes` committed into `dir/catalog.db` (through the
 * composition root's store) and `dir/modelcat.toml` naming their providers (pointed at a closed port, so the
 * service's own refreshes fail and keep the rows). What the HTTP, flood, page and quote benches start from.
 */
export function writeSyntheticCatalog(dir: string, outcomes: ProviderOutcome[]) {
  const catalog = openCatalog(loadConfig({ MODELCAT_DB: join(dir, 'catalog.db') }))
  catalog.store.commitRefresh('bench', Date.now(), outcomes)
  catalog.close()
  writeFileSync(
    join(dir, 'modelcat.toml'),
    `[refresh]\ninterval_seconds = 86400\nproviders = [${outcomes.map((o) => `"${o.provider}"`).join(', ')}]\n` +
      outcomes.map((o) => `[providers.${o.provider}]\nadapter = "openrouter"\nbase_url = "http://127.0.0.1:9/${o.provider}"\n`).join('') +
      `[references.models-dev]\nenabled = false\n[references.litellm]\nenabled = false\n`,
  )
}

/**
 * `modelcat serve` as its own process on a synthetic catalog of `total` offerings, committed into a fresh DB in a
 * temp dir (named from `prefix`); its providers point at a closed port, so every refresh fails and the catalog stays
 * as prepared. Listens on `portBase` + a random 0–999; resolves once GET /ready answers 200 (after `readyTries`
 * tries 100 ms apart: the service is killed and this throws). What the HTTP, flood and page benches measure.
 */
export async function startSyntheticService(opts: { total: number; prefix: string; portBase: number; readyTries: number; env?: Record<string, string> }) {
  const dir = mkdtempSync(join(tmpdir(), opts.prefix))
  const outcomes = syntheticOutcomes(opts.total)
  writeSyntheticCatalog(dir, outcomes) // the catalog committed into the DB, and a config naming its providers
  const port = opts.portBase + Math.floor(Math.random() * 1000)
  const service = Bun.spawn(['bun', join(import.meta.dir, '..', 'src', 'index.ts'), 'serve'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', MODELCAT_DB: join(dir, 'catalog.db'), MODELCAT_CONFIG: join(dir, 'modelcat.toml'), LOG_LEVEL: 'warn', ...opts.env },
    stdout: opts.env?.LOG_LEVEL === 'debug' ? 'inherit' : 'ignore',
    stderr: 'inherit',
  })
  const base = `http://127.0.0.1:${port}`
  for (let i = 0; ; i++) {
    if ((await fetch(`${base}/ready`).catch(() => null))?.status === 200) break
    if (i > opts.readyTries) {
      service.kill('SIGKILL')
      throw new Error('service not ready')
    }
    await Bun.sleep(100)
  }
  // and once the refresh thread has handed its index and hot views over (a pinned answer: start-up maintenance
  // runs first) for the version in the DB: before that, answers come from SQLite
  for (let i = 0; ; i++) {
    const metrics = await (await fetch(`${base}/metrics`)).text()
    const served = /^modelcat_catalog_version (\d+)/m.exec(metrics)?.[1]
    const pinned = Number(/^modelcat_answer_cache_bytes\{kind="pinned"\} (\d+)/m.exec(metrics)?.[1] ?? 0)
    const db = (await fetch(`${base}/v1/models?limit=1&q=${Math.random()}`)).headers.get('x-catalog-version')
    if (served !== undefined && served === db && pinned > 0) break
    if (i > Math.max(opts.readyTries, 600)) throw new Error(`the hot views never arrived (served version ${served}, DB ${db}, pinned ${pinned} bytes)`)
    await Bun.sleep(100)
  }
  return { dir, outcomes, service, base }
}

/**
 * The synthetic providers' lists as OpenRouter sends them, served on loopback (`/<provider>/models`): what the
 * benches that go through the real refresh path fetch. `megabytes` is the JSON served in all.
 */
export function syntheticUpstream(outcomes: ProviderOutcome[]) {
  // revision 0: the lists as the outcomes say; `revise()` changes every model's description (every row rewritten)
  const render = (revision: number) =>
    new Map(
      outcomes.map((o) => [
        `/${o.provider}/models`,
        JSON.stringify({
          data: (o.ok ? o.offerings : []).map((m) => ({
            id: m.providerModelId,
            name: m.name,
            description: revision ? `${m.description} (revision ${revision})` : m.description,
            created: m.created,
            context_length: m.contextLength,
            architecture: { input_modalities: m.inputModalities, output_modalities: m.outputModalities },
            pricing: m.pricing,
            top_provider: { context_length: m.contextLength, max_completion_tokens: m.maxOutputTokens },
            supported_parameters: m.supportedParameters,
          })),
        }),
      ]),
    )
  let revision = 0
  let bodies = render(revision)
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: (req) => new Response(bodies.get(new URL(req.url).pathname) ?? '{"data":[]}', { headers: { 'content-type': 'application/json' } }),
  })
  return {
    server,
    url: server.url,
    megabytes: [...bodies.values()].reduce((n, b) => n + b.length, 0) / 1e6,
    /** Every list changes (each description gets a revision mark): the next refresh parses and rewrites everything. */
    revise: () => void (bodies = render(++revision)),
    stop: () => server.stop(true),
  }
}
