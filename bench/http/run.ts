/**
 * HTTP benchmark: the service with a 50,000-offering catalog, driven by wrk on loopback, side by side in
 * the same run with the runtime's limit — a bare Bun.serve answering the same prebuilt bytes.
 *
 *   apt-get install -y wrk     # once
 *   bun bench/http/run.ts [--offerings 50000] [--duration 10] [--connections 64]
 *
 * The service runs as its own process (`bun src/index.ts serve`) on a DB prepared here; its providers
 * point at a closed port, so every refresh fails and the catalog stays as prepared (last good data).
 */
import { rmSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { startSyntheticService } from '../synthetic'

const { values } = parseArgs({ options: { offerings: { type: 'string', default: '50000' }, duration: { type: 'string', default: '10' }, connections: { type: 'string', default: '64' } } })
const total = Number(values.offerings)

// 1. the catalog; 2. the service, as a process
const { dir, outcomes, service, base } = await startSyntheticService({ total, prefix: 'modelcat-http-bench-', portBase: 18_000, readyTries: 300 })
const FULL = '/v1/models'
const FILTERED = '/v1/models?min_context=32768&input_modalities=image&limit=100'
const UNIQUE = '/v1/models?unique=true'
const someId = outcomes[0]!.ok ? `${outcomes[0]!.provider}/${outcomes[0]!.offerings[0]!.providerModelId}` : ''
const DETAIL = `/v1/models/${someId}`
const gzipHeaders = { 'accept-encoding': 'gzip' }
const warm = async (path: string) => fetch(`${base}${path}`, { headers: gzipHeaders }).then((r) => r.arrayBuffer())
for (const p of [FULL, FILTERED, UNIQUE, DETAIL]) await warm(p) // first request of each query builds it (once per version)
const full = await fetch(`${base}${FULL}`, { headers: gzipHeaders, decompress: false } as RequestInit)
const fullGzip = new Uint8Array(await full.arrayBuffer())
const etag = full.headers.get('etag')!

// 3. the runtime's limit: the same response — status, every header, body bytes — from a bare Bun.serve
const fullHeaders = Object.fromEntries(full.headers.entries())
const notModified = await fetch(`${base}${FULL}`, { headers: { 'if-none-match': etag, ...gzipHeaders } })
const notModifiedHeaders = Object.fromEntries(notModified.headers.entries())
const bare = Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  fetch(req) {
    if (req.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers: notModifiedHeaders })
    return new Response(fullGzip, { headers: fullHeaders })
  },
})

// 4. wrk
interface Result {
  name: string
  rps: number
  p50: number
  p99: number
}
/** wrk in a child process (asynchronously: the bare server answers from this process meanwhile). */
async function wrk(name: string, url: string, headers: Record<string, string>): Promise<Result> {
  const args = ['wrk', '-t2', `-c${values.connections}`, `-d${values.duration}s`, '--latency', ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]), url]
  const child = Bun.spawn(args, { stdout: 'pipe' })
  const out = await new Response(child.stdout).text()
  const ms = (label: string) => {
    const m = new RegExp(`^\\s*${label}\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(out)
    if (!m) return NaN
    const v = Number(m[1])
    return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v
  }
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1])
  return { name, rps, p50: ms('50%'), p99: ms('99%') }
}
const results: Result[] = []
const run = async (name: string, url: string, headers: Record<string, string> = {}) => {
  const r = await wrk(name, url, headers)
  results.push(r)
  console.log(`${r.name.padEnd(44)} ${r.rps.toFixed(0).padStart(8)} req/s   p50 ${r.p50.toFixed(2).padStart(7)} ms   p99 ${r.p99.toFixed(2).padStart(7)} ms`)
}
console.log(`${total} offerings; full list ${(fullGzip.byteLength / 1e6).toFixed(1)} MB gzip; wrk -t2 -c${values.connections} -d${values.duration}s`)
await run('limit: bare Bun.serve, same gzip bytes', bare.url.href, gzipHeaders)
await run('service: full list, gzip', `${base}${FULL}`, gzipHeaders)
await run('limit: bare Bun.serve, 304', bare.url.href, { 'if-none-match': etag })
await run('service: full list, If-None-Match → 304', `${base}${FULL}`, { 'if-none-match': etag, ...gzipHeaders })
await run('service: page of 100, two filters', `${base}${FILTERED}`, gzipHeaders)
await run('service: unique view, gzip', `${base}${UNIQUE}`, gzipHeaders)
await run('service: model detail', `${base}${DETAIL}`, gzipHeaders)
const ratio = (a: string, b: string) => (results.find((r) => r.name.startsWith(a))!.rps / results.find((r) => r.name.startsWith(b))!.rps) * 100
console.log(
  `\nfull list: ${ratio('service: full list, gzip', 'limit: bare Bun.serve, same').toFixed(0)}% of the limit; 304 path: ${ratio('service: full list, If', 'limit: bare Bun.serve, 304').toFixed(0)}% of the limit`,
)

bare.stop(true)
service.kill('SIGTERM')
await service.exited
rmSync(dir, { recursive: true, force: true })
