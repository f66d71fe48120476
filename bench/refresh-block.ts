/**
 * How long a refresh blocks the HTTP thread's event loop. A synthetic catalog of N offerings
 * (default 50,000, 40 providers, OpenRouter-shaped lists) is served on loopback; the same refresh
 * runs (A) in-process, as the tests drive it, and (B) on the refresh thread, as `modelcat serve` does.
 * A 1 ms timer on the main thread records the longest stall; the full-list and unique-view bodies of
 * the new version are then built on the main thread (once per version: the request path's cost).
 *
 *   bun bench/refresh-block.ts [offerings]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { loadConfig } from '../src/config'
import { openCatalog, openInProcess, openModels } from '../src/runtime'
import { RefreshThread } from '../src/runtime/refresh-thread'
import { syntheticOutcomes, syntheticUpstream } from './synthetic'

const total = Number(process.argv[2] ?? 50_000)
const outcomes = syntheticOutcomes(total)
const upstream = syntheticUpstream(outcomes) // each provider's list as OpenRouter sends it

let worst = 0
let last = performance.now()
const timer = setInterval(() => {
  const now = performance.now()
  worst = Math.max(worst, now - last - 1)
  last = now
}, 1)
const measure = async (label: string, fn: () => unknown) => {
  await Bun.sleep(50)
  worst = 0
  const t = performance.now()
  await fn()
  const ms = performance.now() - t
  await Bun.sleep(50)
  console.log(`${label.padEnd(52)} ${ms.toFixed(0).padStart(6)} ms   longest main-thread stall ${worst.toFixed(0).padStart(5)} ms`)
}

function setup(mode: string) {
  const dir = mkdtempSync(join(tmpdir(), `modelcat-bench-${mode}-`))
  const toml = `[refresh]\nproviders = [${outcomes.map((o) => `"${o.provider}"`).join(', ')}]\nmax_response_bytes = 268435456\n${outcomes
    .map((o) => `[providers.${o.provider}]\nadapter = "openrouter"\nbase_url = "${upstream.url.href}${o.provider}"\ntimeout_ms = 60000\n`)
    .join('\n')}\n[references.models-dev]\nenabled = false\n[references.litellm]\nenabled = false\n`
  writeFileSync(join(dir, 'modelcat.toml'), toml)
  const env = { MODELCAT_CONFIG: join(dir, 'modelcat.toml'), MODELCAT_DB: join(dir, 'catalog.db'), LOG_LEVEL: 'silent' }
  const config = loadConfig(env)
  return { dir, env, config }
}

console.log(`${total} offerings, ${outcomes.length} providers (JSON lists: ${upstream.megabytes.toFixed(0)} MB)`)
{
  const s = setup('inproc')
  const { refresher: worker, stop } = openInProcess(s.config)
  await measure('A in-process: first refresh (all new)', () => worker.refresh())
  await measure('A in-process: second refresh (nothing changed)', () => worker.refresh())
  await stop()
  rmSync(s.dir, { recursive: true, force: true })
}
{
  const s = setup('thread')
  const catalog = openCatalog(s.config, { maintain: false })
  const service = openModels(s.config, catalog.store)
  const thread = new RefreshThread({ env: s.env, store: catalog.store, providers: s.config.providers, log: pino({ level: 'silent' }), onVersion: (v, b, index) => service.adopt(v, b, index) })
  await measure('B refresh thread: first refresh (all new)', () => thread.refresh())
  await measure('B refresh thread: second refresh (nothing changed)', () => thread.refresh())
  await measure('full list body of the new version (prebuilt by the thread)', () => service.list({ free: false, unique: false }).warm())
  await measure('unique view body (prebuilt by the thread)', () => service.list({ free: false, unique: true }).warm())
  await measure('a filtered page of 100 (main thread, cache miss)', () => service.list({ free: false, unique: false, min_context: 32768, input_modalities: 'image', limit: 100 }))
  const body = service.list({ free: false, unique: false })
  console.log(`full list: ${(body.bytes.byteLength / 1e6).toFixed(1)} MB, gzip ${((await body.gzip()).byteLength / 1e6).toFixed(1)} MB, br ${((await body.br()).byteLength / 1e6).toFixed(1)} MB`)
  await thread.stop()
  catalog.close()
  rmSync(s.dir, { recursive: true, force: true })
}
clearInterval(timer)
upstream.stop()
