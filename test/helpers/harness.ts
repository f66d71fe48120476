import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino, { type Logger } from 'pino'
import { loadConfig, type LoadOptions } from '../../src/config'
import type { BreakerRegistryOptions } from '../../src/refresh/breakers'
import { openInProcess } from '../../src/runtime'
import { checkContract, type RouteLike } from './contracts'

export const tempDir = (prefix = 'modelcat-test-') => mkdtempSync(join(tmpdir(), prefix))

/**
 * What the composition root builds for one thread (the build budget off unless a test sets MODELCAT_BUILD_BUDGET_MS:
 * tests build hundreds of distinct answers in a row) (src/runtime openInProcess), minus the port: a real SQLite
 * file in a temp dir, a config read from a real TOML file, the refresher and the app (driven through the front door).
 */
export function makeHarness(opts: {
  toml: string
  env?: Record<string, string>
  dir?: string
  log?: Logger
  breakers?: BreakerRegistryOptions
  webhookRetryDelaysMs?: number[]
  configOptions?: LoadOptions
  clock?: () => number
}) {
  const dir = opts.dir ?? tempDir()
  const configPath = join(dir, 'modelcat.toml')
  writeFileSync(configPath, opts.toml)
  const config = loadConfig({ MODELCAT_CONFIG: configPath, MODELCAT_DB: join(dir, 'catalog.db'), MODELCAT_BUILD_BUDGET_MS: '0', ...opts.env }, opts.configOptions)
  const runtime = openInProcess(config, { log: opts.log ?? pino({ level: 'silent' }), breakers: opts.breakers, webhookRetryDelaysMs: opts.webhookRetryDelaysMs ?? [50, 100, 200], clock: opts.clock })
  const { db, store, refresher: worker, references, metrics, webhooks } = runtime
  const { app, handler, models } = runtime.http
  /** `<METHOD> <route path> <status>` of every answer checked against its declared schema. */
  const contracts = new Set<string>()
  const checked = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
    // a JSON body is sent as a client sends it: serialized, with its Content-Length
    const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
    const withBody = text === undefined ? headers : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers }
    const response = await handler(new Request(`http://localhost${path}`, { method, headers: withBody, body: text }))
    const key = await checkContract(app, method, path, response)
    if (key) contracts.add(key)
    return response
  }
  return {
    dir,
    config,
    db,
    store,
    worker,
    /** The reference catalogs' refresher (not started: tests call loadSnapshots() / refresh()). */
    references,
    app,
    metrics,
    /** The models service (its cache and hot path) the app and the front door share. */
    models,
    handler,
    webhooks,
    contracts,
    // every answer is checked against the schema its route declares (the hot path's bytes too): see contracts.ts
    get: (path: string, headers: Record<string, string> = {}) => checked('GET', path, headers),
    /** A POST; `body` (an object: JSON; a string: as it is) is sent with Content-Type JSON and its Content-Length. */
    post: (path: string, headers: Record<string, string> = {}, body?: unknown) => checked('POST', path, headers, body),
    async close(removeDir = !opts.dir) {
      await runtime.stop()
      if (removeDir) rmSync(dir, { recursive: true, force: true })
    },
  }
}
export type Harness = ReturnType<typeof makeHarness>

/** TOML that turns both reference catalogs off (models.dev, LiteLLM): a service started with it fetches neither. */
export const NO_REFERENCES = '[references.models-dev]\nenabled = false\n[references.litellm]\nenabled = false\n'

/** A TOML config that refreshes exactly `providers`, each pointed at the fake upstream under /<id>. */
export function tomlFor(upstreamUrl: string, providers: Record<string, string>, extra = '') {
  const lines = [
    `[refresh]`,
    `providers = [${Object.keys(providers)
      .map((p) => `"${p}"`)
      .join(', ')}]`,
    extra,
    '',
  ]
  for (const [id, path] of Object.entries(providers)) {
    lines.push(`[providers.${id}]`, `base_url = "${upstreamUrl}${path}"`, `api_key = "test-key-${id}"`, '')
  }
  return lines.join('\n')
}

/**
 * The route table of a full app (admin routes included), for checking the answers of a service started
 * as a process (same source: same routes, same schemas).
 */
export async function routeTable(): Promise<{ routes: readonly RouteLike[] }> {
  const h = makeHarness({ toml: '', env: { MODELCAT_ADMIN_TOKEN: 'route-table' } })
  const routes = h.app.routes
  await h.close()
  return { routes }
}

/** fetch(), each answer checked against the schema its route in `table` declares (see contracts.ts). */
export const checkedFetch =
  (table: { routes: readonly RouteLike[] }) =>
  async (url: string, init?: RequestInit): Promise<Response> => {
    const res = await fetch(url, init)
    const { pathname, search } = new URL(url)
    await checkContract(table, init?.method ?? 'GET', pathname + search, res)
    return res
  }
