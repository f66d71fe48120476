/**
 * The scale benchmark (issue 14): N offerings (default 50,000 from 121 providers, OpenRouter-shaped lists from
 * bench/synthetic.ts) served by fake upstreams on loopback and loaded through the REAL refresh path of a real
 * `modelcat serve` process (bun src/index.ts serve: its refresh thread fetches, writes and builds the query
 * index). Measured over HTTP: uncached-answer latency of first-seen queries, the longest stall a client sees
 * while a new version lands, RSS peak (VmHWM) and settled, refresh durations. Each figure next to its target.
 *
 *   bun bench/scale.ts [offerings] [providers] [--source]
 *
 * The service runs as the Docker image runs it: the compiled binary (`bun run build`'s command, built into a
 * temp dir first), with BUN_JSC_forceRAMSize as the image sets it. `--source` runs `bun src/index.ts serve`
 * instead (what `bun run start` runs): the same code, ~30 MB more resident (the transpiler and the sources).
 *
 * Other benches reuse the setup: `const s = await startScale(); … await s.stop()`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { syntheticOutcomes, syntheticUpstream } from './synthetic'

const ADMIN_TOKEN = 'scale-bench-token'

/** Fake upstreams, a config and a running `modelcat serve` holding `total` offerings (loaded by its refresh thread). */
export async function startScale(opts: { total?: number; providers?: number; env?: Record<string, string>; source?: boolean } = {}) {
  const total = opts.total ?? 50_000
  const outcomes = syntheticOutcomes(total, opts.providers ?? 121)
  const upstream = syntheticUpstream(outcomes) // each provider's list as OpenRouter sends it
  const dir = mkdtempSync(join(tmpdir(), 'modelcat-scale-'))
  const toml = `[refresh]\nproviders = [${outcomes.map((o) => `"${o.provider}"`).join(', ')}]\nmax_response_bytes = 268435456\n${outcomes
    .map((o) => `[providers.${o.provider}]\nadapter = "openrouter"\nbase_url = "${upstream.url.href}${o.provider}"\ntimeout_ms = 120000\n`)
    .join('\n')}\n[references.models-dev]\nenabled = false\n[references.litellm]\nenabled = false\n[http]\nadmin_refresh_cooldown_seconds = 0\n`
  writeFileSync(join(dir, 'modelcat.toml'), toml)
  const port = 20_000 + Math.floor(Math.random() * 20_000)
  const started = performance.now()
  const root = join(import.meta.dir, '..')
  const binary = join(dir, 'modelcat')
  if (!opts.source) {
    // package.json's `build` (what the Dockerfile runs), into the temp dir
    const built = Bun.spawnSync(['bun', 'build', '--compile', '--minify', '--sourcemap', 'src/index.ts', 'src/runtime/thread-entry.ts', '--outfile', binary], {
      cwd: root,
      stdout: 'ignore',
      stderr: 'inherit',
    })
    if (!built.success) throw new Error('bun build --compile failed')
  }
  const proc = Bun.spawn(opts.source ? ['bun', join(root, 'src/index.ts'), 'serve'] : [binary, 'serve'], {
    env: {
      ...process.env,
      MODELCAT_CONFIG: join(dir, 'modelcat.toml'),
      MODELCAT_DB: join(dir, 'catalog.db'),
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      MODELCAT_ADMIN_TOKEN: ADMIN_TOKEN,
      MODELCAT_REFRESH_INTERVAL: '86400',
      // the cost of an uncached answer is what this measures: admission control (bench/flood.ts) stays out of it
      MODELCAT_BUILD_BUDGET_MS: '0',
      // as `bun run start` and the Docker image run it (README "Memory"); a value in the environment wins
      BUN_JSC_forceRAMSize: process.env.BUN_JSC_forceRAMSize ?? '268435456',
      ...opts.env,
    },
    stdout: 'inherit',
    stderr: 'inherit',
  })
  const url = `http://127.0.0.1:${port}`
  const status = (key: 'VmRSS' | 'VmHWM') => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024
  const count = async () => ((await (await fetch(`${url}/v1/models?limit=1&_=${Math.random()}`)).json()) as { total: number }).total
  for (;;) {
    try {
      if ((await fetch(`${url}/health`)).ok) break
    } catch {}
    await Bun.sleep(50)
  }
  return {
    url,
    pid: proc.pid,
    /** What runs: the compiled binary or the sources. */
    form: opts.source ? 'from source (bun src/index.ts serve)' : 'compiled binary (bun build --compile, as the Docker image)',
    total,
    providers: outcomes.length,
    upstreamMB: upstream.megabytes,
    started,
    count,
    /** MB: the process's resident set now / its high-water mark. */
    rss: () => status('VmRSS'),
    peakRss: () => status('VmHWM'),
    /** Starts a new high-water mark (Linux: clear_refs 5), so that peakRss() measures from now on. */
    resetPeak: () => writeFileSync(`/proc/${proc.pid}/clear_refs`, '5'),
    /** Every upstream list changes (see syntheticUpstream). */
    reviseUpstream: () => upstream.revise(),
    admin: (path: string, init: RequestInit = {}) => fetch(`${url}${path}`, { ...init, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }),
    async stop() {
      proc.kill('SIGTERM')
      await proc.exited
      upstream.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
export type Scale = Awaited<ReturnType<typeof startScale>>

/** ≥ 200 first-seen queries: search, context, modality, parameters, price caps, free, gateway lists, every sort, unique view with filters. */
export function scaleQueries(providers: number): string[] {
  const sorts = ['id', 'name', 'created', 'context_length', 'prompt_price', 'completion_price', 'provider_count', 'newest']
  const words = ['llama', 'qwen', 'model-1', 'instruct', 'a', 'ab', 'deepseek', 'chat', 'Model 42', 'base', 'B parameter', 'provider 7', 'zzz', 'mistral', 'nvidia']
  const gw = (k: number) => Array.from({ length: k }, (_, i) => `synth-${(i * 13 + k) % providers}`).join(',')
  const out: string[] = []
  let i = 0
  for (const unique of [false, true])
    for (const sort of sorts)
      for (const order of ['asc', 'desc']) {
        const u = unique ? '&unique=true' : ''
        const w = words[i++ % words.length]!
        out.push(`sort=${sort}&order=${order}&limit=100${u}`)
        out.push(`q=${encodeURIComponent(w)}&sort=${sort}&order=${order}&limit=50${u}`)
        out.push(`min_context=${[8192, 32768, 131072][i % 3]}&input_modalities=image&sort=${sort}&order=${order}&limit=100${u}`)
        out.push(`supported_parameters=tools,${['reasoning', 'seed', 'response_format'][i % 3]}&max_prompt_price=0.000001&sort=${sort}&order=${order}&limit=100${u}`)
        out.push(`free=true&gateway=${gw(5 + (i % 20))}&sort=${sort}&order=${order}&limit=100${u}`)
        out.push(`exclude_gateway=${gw(3)}&max_completion_price=0.000003&output_modalities=text&sort=${sort}&order=${order}&limit=20&offset=${i * 7}${u}`)
        out.push(`q=${encodeURIComponent(w.slice(0, 2))}&min_context=4096&sort=${sort}&order=${order}&limit=1000${u}`)
      }
  return out
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!
const line = (label: string, value: string, target: string, ok?: boolean) =>
  console.log(`${label.padEnd(58)} ${value.padStart(12)}   target ${target}${ok === undefined ? '' : ok ? '  ok' : '  MISSED'}`)

/** Polls a cheap cached answer every few ms until `done`: the longest wait a client saw (the HTTP thread's stall). */
async function longestWait(s: Scale, done: () => boolean): Promise<number> {
  let worst = 0
  while (!done()) {
    const t = performance.now()
    await fetch(`${s.url}/health`)
    worst = Math.max(worst, performance.now() - t)
    await Bun.sleep(5)
  }
  return worst
}

if (import.meta.main) {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('--'))
  const total = Number(args[0] ?? 50_000)
  const providers = Number(args[1] ?? 121)
  const s = await startScale({ total, providers, source: process.argv.includes('--source') })
  try {
    console.log(
      `${s.total} offerings from ${s.providers} providers (upstream JSON ${s.upstreamMB.toFixed(0)} MB), modelcat serve pid ${s.pid}, ${s.form}, BUN_JSC_forceRAMSize=${process.env.BUN_JSC_forceRAMSize ?? '268435456'}`,
    )
    // the first refresh starts with the server; it is done when the catalog holds every offering
    let loaded = false
    const stall = longestWait(s, () => loaded)
    while ((await s.count().catch(() => 0)) < s.total) await Bun.sleep(100)
    loaded = true
    const firstMs = performance.now() - s.started
    const stallFirst = await stall
    // the HTTP thread's version (metrics) catching up with the DB's (an uncached answer's header): the index was handed over
    for (;;) {
      const metrics = await (await fetch(`${s.url}/metrics`)).text()
      const served = Number(/^modelcat_catalog_version (\d+)/m.exec(metrics)?.[1])
      const db = Number((await fetch(`${s.url}/v1/models?limit=1&q=${Math.random()}`)).headers.get('x-catalog-version'))
      if (served === db) break
      await Bun.sleep(100)
    }
    const handoverMs = performance.now() - s.started - firstMs
    const peakFirst = s.peakRss()

    const queries = scaleQueries(s.providers)
    const times: number[] = []
    let slowest = ''
    for (const q of queries) {
      const t = performance.now()
      // identity: the engine's answer, not the compression of a 1000-row page (a cost of its size, on the libuv pool)
      const r = await fetch(`${s.url}/v1/models?${q}`, { headers: { 'accept-encoding': 'identity' } })
      await r.arrayBuffer()
      const ms = performance.now() - t
      if (!r.ok) throw new Error(`${q}: ${r.status}`)
      if (ms > Math.max(...times, 0)) slowest = q
      times.push(ms)
    }
    // a second refresh, nothing changed upstream
    let second = 'n/a'
    {
      const t = performance.now()
      const r = await s.admin('/admin/refresh?wait=true&force=true', { method: 'POST' }).catch((e) => e as Error)
      second = r instanceof Response && r.ok ? `${((performance.now() - t) / 1000).toFixed(1)} s` : `n/a (${r instanceof Response ? r.status : r.message})`
    }
    await Bun.sleep(5000)
    const settled = s.rss()
    const peak = s.peakRss()
    // a refresh whose every list changed, while the current version's index is served: parsed, written, indexed
    s.resetPeak()
    s.reviseUpstream()
    let changed = 'n/a'
    {
      const t = performance.now()
      const r = await s.admin('/admin/refresh?wait=true', { method: 'POST' }).catch((e) => e as Error)
      changed = r instanceof Response && r.ok ? `${((performance.now() - t) / 1000).toFixed(1)} s` : `n/a (${r instanceof Response ? r.status : r.message})`
    }
    const peakChanged = s.peakRss()
    await Bun.sleep(5000)
    const settledChanged = s.rss()

    console.log()
    line('first refresh (process start → all offerings served)', `${(firstMs / 1000).toFixed(1)} s`, 'none stated')
    line('index + hot bodies handed to the HTTP thread, after that', `${(handoverMs / 1000).toFixed(1)} s`, 'none stated')
    line('second refresh, nothing changed (wait=true)', second, 'none stated')
    line('longest client wait on /health during the first refresh', `${stallFirst.toFixed(0)} ms`, 'the HTTP thread never stalls for long')
    line(`uncached answers: ${times.length} first-seen queries, median`, `${pct(times, 0.5).toFixed(1)} ms`, '≤ 25 ms', pct(times, 0.5) <= 25)
    line('uncached answers: p95', `${pct(times, 0.95).toFixed(1)} ms`, '—')
    line('uncached answers: worst', `${Math.max(...times).toFixed(1)} ms`, '≤ 100 ms', Math.max(...times) <= 100)
    console.log(`  (slowest: ${slowest})`)
    line('peak RSS, whole process, during the first refresh', `${peakFirst.toFixed(0)} MB`, '≤ 400 MB', peakFirst <= 400)
    line('peak RSS, whole process, over the run', `${peak.toFixed(0)} MB`, '≤ 400 MB', peak <= 400)
    line('settled RSS (after the run, GC)', `${settled.toFixed(0)} MB`, '≤ 250 MB', settled <= 250)
    line('refresh whose every list changed (wait=true)', changed, 'none stated')
    line('peak RSS, whole process, during that refresh', `${peakChanged.toFixed(0)} MB`, '≤ 400 MB', peakChanged <= 400)
    line('settled RSS after it', `${settledChanged.toFixed(0)} MB`, '≤ 250 MB', settledChanged <= 250)
  } finally {
    await s.stop() // the service process goes whatever happened
  }
}
