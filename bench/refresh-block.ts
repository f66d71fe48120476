/**
 * How long a refresh blocks the event loop: commits a synthetic catalog of N offerings (default 50,000)
 * into a fresh SQLite file and measures (1) the synchronous write transaction, (2) building the full-list
 * body of the new version, (3) the longest event-loop stall seen by a 1 ms timer meanwhile.
 *
 *   bun bench/refresh-block.ts [offerings]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CatalogStore } from '../src/catalog/store'
import { openDb } from '../src/db/client'
import { loadConfig } from '../src/config'
import { ModelsService } from '../src/modules/models/service'
import { syntheticOutcomes } from './synthetic'

const total = Number(process.argv[2] ?? 50_000)
const dir = mkdtempSync(join(tmpdir(), 'modelcat-bench-'))
const db = openDb(join(dir, 'catalog.db'))
const store = new CatalogStore(db)
const outcomes = syntheticOutcomes(total)
const config = loadConfig({})
const providers = outcomes.map((o) => ({ ...config.providers[0]!, id: o.provider, aliases: [], enabled: true }))
const service = new ModelsService(store, providers)

let worst = 0
let last = performance.now()
const timer = setInterval(() => {
  const now = performance.now()
  worst = Math.max(worst, now - last - 1)
  last = now
}, 1)

const measure = async (label: string, fn: () => unknown) => {
  await Bun.sleep(20)
  worst = 0
  const t = performance.now()
  await fn()
  const ms = performance.now() - t
  await Bun.sleep(20)
  console.log(`${label.padEnd(44)} ${ms.toFixed(0).padStart(6)} ms   longest event-loop stall ${worst.toFixed(0).padStart(5)} ms`)
}

console.log(`${total} offerings, ${outcomes.length} providers`)
await measure('first refresh: write transaction (all new)', () => store.commitRefresh('bench', Date.now(), outcomes))
await measure('full list body: query + serialize + ETag', () => service.list({ free: false, unique: false }))
await measure('full list: gzip + br (thread pool)', () => service.list({ free: false, unique: false }).warm())
await measure('unique view body (window functions)', () => service.list({ free: false, unique: true }))
await measure('second refresh: write transaction (all same)', () => store.commitRefresh('bench', Date.now(), outcomes))
const body = service.list({ free: false, unique: false })
console.log(`full list: ${(body.bytes.byteLength / 1e6).toFixed(1)} MB, gzip ${((await body.gzip()).byteLength / 1e6).toFixed(1)} MB, br ${((await body.br()).byteLength / 1e6).toFixed(1)} MB`)
clearInterval(timer)
db.$client.close()
rmSync(dir, { recursive: true, force: true })
