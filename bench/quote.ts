/**
 * POST /v1/quote over a model with 30 offerings in a catalog of 50,000 (issue 20's target: median ≤ 2 ms).
 * The synthetic catalog of bench/synthetic.ts, plus one model offered by 30 of its providers at different
 * prices, each with a cache-read price and a >128k tier. Requests go through the whole front door in-process
 * (request id, body cap, routing, validation, one indexed read, exact arithmetic, JSON); no sockets.
 *
 *   bun bench/quote.ts [offerings] [requests]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { loadConfig } from '../src/config'
import { openInProcess } from '../src/runtime'
import { syntheticOutcomes, writeSyntheticCatalog } from './synthetic'

const total = Number(process.argv[2] ?? 50_000)
const requests = Number(process.argv[3] ?? 2_000)
const dir = mkdtempSync(join(tmpdir(), 'modelcat-quote-bench-'))
const outcomes = syntheticOutcomes(total)
for (let p = 0; p < 30; p++) {
  const o = outcomes[p]!
  if (!o.ok) continue
  const prompt = `0.00000${100 + p * 7}`
  o.offerings.push({
    providerModelId: 'bench-org/Quote-Target-Instruct',
    name: 'bench-org: Quote Target Instruct',
    contextLength: p % 3 === 0 ? 32768 : 262144,
    maxOutputTokens: 16384,
    pricing: { prompt, completion: `0.0000${20 + p}`, input_cache_read: `0.000000${10 + p}`, request: '0' },
    priceTiers: [{ conditions: { min_prompt_tokens: 128000 }, pricing: { prompt: `0.00000${300 + p}` } }],
  })
}
writeSyntheticCatalog(dir, outcomes) // the catalog committed into the DB, and a config naming its providers
const config = loadConfig({ MODELCAT_DB: join(dir, 'catalog.db'), MODELCAT_CONFIG: join(dir, 'modelcat.toml') })
const runtime = openInProcess(config, { log: pino({ level: 'silent' }) })
const { handler } = runtime.http
const model = runtime.store.getOffering('synth-0/bench-org/Quote-Target-Instruct')!.canonicalId
const body = JSON.stringify({ model, input_tokens: 150_000, cached_input_tokens: 100_000, output_tokens: 2_000, requests: 10 })
const post = () => handler(new Request('http://localhost/v1/quote', { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(body.length) }, body }))

const first = (await (await post()).json()) as { offerings: unknown[]; cheapest: { id: string; cost: string } | null }
if (first.offerings.length !== 30) throw new Error(`expected 30 offerings, got ${first.offerings.length}`)
for (let i = 0; i < 200; i++) await (await post()).arrayBuffer() // warm-up
const times: number[] = []
for (let i = 0; i < requests; i++) {
  const t = performance.now()
  const res = await post()
  await res.arrayBuffer()
  times.push(performance.now() - t)
}
times.sort((a, b) => a - b)
const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(3)
console.log(`catalog: ${runtime.store.countOfferings()} offerings; model ${model}: ${first.offerings.length} offerings; cheapest ${first.cheapest?.id} at $${first.cheapest?.cost}`)
console.log(`POST /v1/quote × ${requests}: median ${at(0.5)} ms (target ≤ 2 ms), p95 ${at(0.95)} ms, p99 ${at(0.99)} ms`)
await runtime.stop()
rmSync(dir, { recursive: true, force: true })
