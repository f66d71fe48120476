/**
 * Flood benchmark (issue 14, item 2): while one client streams never-seen queries as fast as it can, a cached
 * page keeps ≥ 70 % of its throughput. Side by side in one run, against a real `modelcat serve` process with a
 * 50,000-offering catalog (committed into its DB here, as bench/http/run.ts does):
 *
 *   wrk alone on a cached page, then the same wrk while a flood client sends never-seen queries
 *   (search-as-you-type, match-everything filters, sorted unique views; each one distinct) back to back,
 *   ignoring Retry-After, then alone again, … for `--rounds` rounds; each flood phase is compared with the
 *   mean of the phases around it (the machine is shared) and the median ratio is the figure.
 *
 *   apt-get install -y wrk     # once
 *   bun bench/flood.ts [--offerings 50000] [--duration 10] [--rounds 3] [--connections 32] [--flooders 1] [--budget <ms/s>]
 *
 * `--budget` sets MODELCAT_BUILD_BUDGET_MS for the service (default: the service's default); `--budget 0`
 * shows the same run without admission control.
 */
import { rmSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { startSyntheticService } from './synthetic'

const { values } = parseArgs({
  options: {
    offerings: { type: 'string', default: '50000' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    flooders: { type: 'string', default: '1' },
    budget: { type: 'string' },
    rounds: { type: 'string', default: '3' },
  },
})
const total = Number(values.offerings)
const duration = Number(values.duration)
const rounds = Number(values.rounds)
const TARGET = 70

// 1. the catalog; 2. the service, as a process (its providers point at a closed port: the catalog stays as prepared)
const { dir, service, base } = await startSyntheticService({
  total,
  prefix: 'modelcat-flood-bench-',
  portBase: 18_000,
  readyTries: 600,
  env: values.budget !== undefined ? { MODELCAT_BUILD_BUDGET_MS: values.budget } : {},
})
const CACHED = '/v1/models?min_context=32768&input_modalities=image&limit=100'
const gzip = { 'accept-encoding': 'gzip' }
// the cached page: built once (retried while a refresh-time build may still hold the budget)
for (let i = 0; i < 100; i++) {
  const r = await fetch(`${base}${CACHED}`, { headers: gzip })
  await r.arrayBuffer()
  if (r.status === 200) break
  await Bun.sleep(Number(r.headers.get('retry-after') ?? 1) * 1000)
}

/** wrk in a child process: requests per second on the cached page. */
async function wrk(seconds = duration): Promise<{ rps: number; p99: number }> {
  const child = Bun.spawn(['wrk', '-t1', `-c${values.connections}`, `-d${seconds}s`, '--latency', '-H', 'accept-encoding: gzip', `${base}${CACHED}`], { stdout: 'pipe' })
  const out = await new Response(child.stdout).text()
  const m = /^\s*99%\s+([\d.]+)(us|ms|s)\s*$/m.exec(out)
  const p99 = m ? Number(m[1]) * (m[2] === 'us' ? 1e-3 : m[2] === 's' ? 1e3 : 1) : Number.NaN
  return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]), p99 }
}

/** Never-seen queries, each distinct: search-as-you-type, match-everything filters, sorted unique views. */
function* neverSeen(seed: number) {
  const letters = 'abcdefghijklmnopqrstuvwxyz'
  for (let i = 0; ; i++) {
    const n = seed * 1_000_000 + i
    const word = Array.from({ length: 1 + (i % 4) }, (_, k) => letters[(n * 7 + k * 13) % 26]).join('')
    switch (i % 4) {
      case 0:
        yield `/v1/models?q=${word}${n}`
        break
      case 1:
        yield `/v1/models?min_context=${1 + (n % 4096)}&x=${n}` // matches (nearly) everything: a whole-catalog body
        break
      case 2:
        yield `/v1/models?unique=true&sort=prompt_price&limit=100&max_prompt_price=${(n % 1000) / 1e9 + 1e-12}`
        break
      default:
        yield `/v1/models?supported_parameters=tools&min_context=${n % 100_000}&sort=newest&limit=50`
    }
  }
}

/** One flooding client: back to back, no pause, Retry-After ignored. */
async function flood(seed: number, until: number, counts: Record<string, number>) {
  for (const path of neverSeen(seed)) {
    if (Date.now() >= until) return
    try {
      // an attacker reads no body: bytes as they come (no decompression on this machine's shared cores)
      const r = await fetch(`${base}${path}`, { headers: gzip, decompress: false } as RequestInit)
      await r.arrayBuffer()
      counts[r.status] = (counts[r.status] ?? 0) + 1
    } catch {
      counts.error = (counts.error ?? 0) + 1
    }
  }
}

// settle: the first (failing) refresh, the hot views, the JIT; a short wrk run whose figure is discarded
await wrk(5)
console.log(
  `${total} offerings; cached page ${CACHED}; wrk -t1 -c${values.connections} -d${duration}s; ${values.flooders} flooding client(s); build budget ${values.budget ?? 'default'} ms/s; ${rounds} rounds`,
)
const counts: Record<string, number> = {}
const line = (label: string, r: { rps: number; p99: number }) => console.log(`${label.padEnd(32)} ${r.rps.toFixed(0).padStart(7)} req/s  p99 ${r.p99.toFixed(1)} ms`)
// alone, flood, alone, flood, …, alone: each flood phase against the mean of the phases around it (the machine is shared)
const alone = [await wrk()]
line('cached page alone', alone[0]!)
const ratios: number[] = []
for (let round = 0; round < rounds; round++) {
  const until = Date.now() + duration * 1000 + 500
  const flooders = Array.from({ length: Number(values.flooders) }, (_, i) => flood(round * 100 + i + 1, until, counts))
  const during = await wrk()
  await Promise.all(flooders)
  line('cached page during the flood', during)
  alone.push(await wrk())
  line('cached page alone', alone.at(-1)!)
  ratios.push((during.rps / ((alone.at(-2)!.rps + alone.at(-1)!.rps) / 2)) * 100)
}
const metrics = await (await fetch(`${base}/metrics`)).text()
const metric = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+-]+)$`, 'm').exec(metrics)?.[1] ?? Number.NaN)
console.log(
  `flood: ${Object.entries(counts)
    .map(([k, v]) => `${v} × ${k}`)
    .join(
      ', ',
    )} in ${rounds * duration} s; builds ${metric('modelcat_answer_cache_misses_total')}, refused ${metric('modelcat_answer_builds_refused_total')}, evictions ${metric('modelcat_answer_cache_evictions_total')}`,
)
const sorted = [...ratios].sort((a, b) => a - b)
const median = sorted[Math.floor(sorted.length / 2)]!
console.log(
  `\ncached page during the flood: median ${median.toFixed(0)} % of its throughput alone (rounds: ${ratios.map((r) => `${r.toFixed(0)} %`).join(', ')}; target ≥ ${TARGET} %) ${median >= TARGET ? 'MET' : 'NOT MET'}`,
)

service.kill('SIGTERM')
await service.exited
rmSync(dir, { recursive: true, force: true })
