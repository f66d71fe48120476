/**
 * A child process for test/e2e/faults.test.ts: commits a large synthetic refresh to the DB at argv[2] over
 * and over, alternating two variants so that every commit rewrites every offering, and prints one JSON
 * line before each commit ("begin") and one after it ("committed"). The test SIGKILLs it at a random moment.
 *
 *   bun test/e2e/write-loop.ts <db path> [offerings = 20000] [max commits = 100]
 *
 * Variant A: every synthetic offering, names ending " [A]". Variant B: every tenth offering of each
 * provider left out (deleted, with its prices), names ending " [B]". The trigger of each refresh run
 * names its variant, and its results carry each provider's model count: a reader can tell from the DB
 * alone what the committed version must hold.
 */
import { writeSync } from 'node:fs'
import { syntheticOutcomes } from '../../bench/synthetic'
import { CatalogStore, type ProviderOutcome } from '../../src/catalog/store'
import { openDb } from '../../src/db/client'

const [dbPath, totalArg, maxArg] = process.argv.slice(2)
if (!dbPath) throw new Error('usage: bun test/e2e/write-loop.ts <db path> [offerings] [max commits]')
const total = Number(totalArg ?? 20_000)
const maxCommits = Number(maxArg ?? 100)

const base = syntheticOutcomes(total, 20)
const variant = (v: 'A' | 'B'): ProviderOutcome[] =>
  base.map((o) => (o.ok ? { ...o, offerings: o.offerings.filter((_, i) => v === 'A' || i % 10 !== 9).map((m) => ({ ...m, name: `${m.name} [${v}]` })) } : o))
const variants = { A: variant('A'), B: variant('B') }

const say = (line: object) => writeSync(1, `${JSON.stringify(line)}\n`) // unbuffered: the parent may kill us any moment

const db = openDb(dbPath, { log: (msg) => say({ phase: 'log', msg }) })
const store = new CatalogStore(db)
// start with the variant the DB does not hold, so that the first commit writes too
const last = db.$client.query('select trigger from refresh_runs order by id desc limit 1').get() as { trigger: string } | null
let next: 'A' | 'B' = last?.trigger === 'variant-A' ? 'B' : 'A'
say({ phase: 'ready', version: store.version })
for (let i = 0; i < maxCommits; i++) {
  say({ phase: 'begin', variant: next })
  const started = performance.now()
  const { runId, version } = store.commitRefresh(`variant-${next}`, Date.now(), variants[next])
  say({ phase: 'committed', variant: next, version, runId, count: variants[next].reduce((n, o) => n + (o.ok ? o.offerings.length : 0), 0), ms: Math.round(performance.now() - started) })
  next = next === 'A' ? 'B' : 'A'
}
db.$client.close()
