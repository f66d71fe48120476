/**
 * Dedup quality as figures: feeds labelled (provider, model id, name) triples through the
 * canonicalizer and prints pairwise precision and recall against their base-model labels.
 *
 * The canonicalizer learns as it does at run time (src/catalog/learned.ts): from the embedded
 * reference snapshots (models.dev, LiteLLM: provider and model keys) and from the live lists it
 * holds, here the labelled rows' own ids and names (never their labels).
 *
 *   1. labelled set: every curated entry (aliases.json) in place;
 *   2. leave-one-organisation-out: for each organisation of the labels, its curated entries
 *      (organisation spellings, family prefixes, model aliases) are removed and its labels scored
 *      (pairs with at least one of its rows), summed over organisations;
 *   3. speed: canonicalizing 50,000 offerings (target < 1 s).
 *
 * Known label disagreements (disputed.tsv: entries whose label contradicts another label or names
 * another model) are scored in the figures like any label; a second line scores without their pairs.
 * They are never read by the canonicalizer.
 *
 *   bun bench/dedup/run.ts [labels.tsv] [--verbose] [--no-learn]
 */
import shipped from '../../src/catalog/aliases.json'
import { createCanonicalizer, type IdentityData } from '../../src/catalog/canonical'
import { LearnedIdentity, type Observation } from '../../src/catalog/learned'
import { REFERENCES } from '../../src/reference'

const file = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? `${import.meta.dir}/models-dev-base-model-labels.dev.tsv`
const verbose = process.argv.includes('--verbose')
const rows = (await Bun.file(file).text())
  .split('\n')
  .slice(1)
  .filter(Boolean)
  .map((line) => {
    const [provider, id, name, base] = line.split('\t')
    return { provider: provider!, id: id!, name: name ?? '', base: base! }
  })

const disputed = new Set(
  (await Bun.file(`${import.meta.dir}/disputed.tsv`).text())
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((line) => line.split('\t').slice(0, 2).join('\t')),
)
const isDisputed = rows.map((r) => disputed.has(`${r.provider}\t${r.id}`))
const undisputed = (i: number, j: number) => !isDisputed[i] && !isDisputed[j]

// what modelcat holds at run time: the reference snapshots and the live lists
const observations: Observation[] = []
if (!process.argv.includes('--no-learn')) {
  for (const r of REFERENCES) {
    const body = JSON.parse(new TextDecoder().decode(Bun.gunzipSync(await r.snapshot())))
    for (const e of r.source.parse(body).entries) observations.push({ source: r.source.id, provider: e.provider, id: e.modelId.toLowerCase() })
  }
  for (const r of rows) observations.push({ source: 'live', provider: r.provider, id: r.id, name: r.name || null })
}

type Curated = IdentityData
function withoutOrg(org: string): Partial<Curated> {
  const keep = <T>(o: Record<string, T>, pred: (k: string, v: T) => boolean) => Object.fromEntries(Object.entries(o).filter(([k, v]) => pred(k, v)))
  return {
    orgs: keep(shipped.orgs, (_k, v) => v !== org),
    families: keep(shipped.families, (_k, v) => v !== org),
    namespaces: shipped.namespaces,
    models: keep(shipped.models, (k, v) => !k.startsWith(`${org}/`) && !v.startsWith(`${org}/`)),
  }
}

function build(curated?: Partial<Curated>) {
  // curated: replaces the shipped data (createCanonicalizer merges extra over shipped, so pass a full replacement)
  const canonical = createCanonicalizer({}, new LearnedIdentity(), curated)
  canonical.learn(observations)
  return canonical
}

function score(predicted: string[], include: (i: number, j: number) => boolean) {
  let tp = 0
  let fp = 0
  let fn = 0
  const falsePositives = new Map<string, number>()
  const falseNegatives = new Map<string, number>()
  for (let i = 0; i < rows.length; i++) {
    for (let j = i + 1; j < rows.length; j++) {
      if (!include(i, j)) continue
      const same = rows[i]!.base === rows[j]!.base
      const merged = predicted[i] === predicted[j]
      if (same && merged) tp++
      else if (merged) {
        fp++
        const key = `${rows[i]!.provider}:${rows[i]!.id} ~ ${rows[j]!.provider}:${rows[j]!.id} → ${predicted[i]}`
        falsePositives.set(key, (falsePositives.get(key) ?? 0) + 1)
      } else if (same) {
        fn++
        const key = `${rows[i]!.base}: ${predicted[i]} ≠ ${predicted[j]}`
        falseNegatives.set(key, (falseNegatives.get(key) ?? 0) + 1)
      }
    }
  }
  return { tp, fp, fn, falsePositives, falseNegatives }
}
const pr = (s: { tp: number; fp: number; fn: number }) => ({ precision: s.tp / (s.tp + s.fp || 1), recall: s.tp / (s.tp + s.fn || 1) })
const top = (m: Map<string, number>) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, verbose ? 400 : 40)
    .map(([k, n]) => `  ${n}× ${k}`)
    .join('\n')

// 1. labelled set
const canonical = build()
const predicted = rows.map((r) => canonical({ provider: r.provider, id: r.id, name: r.name || null }))
const all = score(predicted, () => true)
const p1 = pr(all)
console.log(`labels: ${rows.length} entries, ${new Set(rows.map((r) => r.base)).size} base models, ${new Set(predicted).size} canonical ids; learned from ${observations.length} observations`)
console.log(`labelled set: ${all.tp} true merges, ${all.fp} false merges, ${all.fn} missed merges`)
console.log(`  precision ${p1.precision.toFixed(4)}  recall ${p1.recall.toFixed(4)}  (targets: precision ≥ 0.995, recall ≥ 0.95)`)
const u1 = score(predicted, undisputed)
const q1 = pr(u1)
console.log(
  `  without the ${isDisputed.filter(Boolean).length} disputed label entries (disputed.tsv): precision ${q1.precision.toFixed(4)}  recall ${q1.recall.toFixed(4)}  (${u1.tp} / ${u1.fp} / ${u1.fn})`,
)
if (verbose) console.log(`\nfalse merges:\n${top(all.falsePositives)}\n\nmissed merges:\n${top(all.falseNegatives)}\n`)

// 2. leave-one-organisation-out
const orgOfBase = (base: string) => base.split('/')[0]!
const orgs = [...new Set(rows.map((r) => orgOfBase(r.base)))].sort()
const total = { tp: 0, fp: 0, fn: 0 }
const totalUndisputed = { tp: 0, fp: 0, fn: 0 }
const perOrg: string[] = []
for (const org of orgs) {
  const held = build(withoutOrg(org))
  const pred = rows.map((r) => held({ provider: r.provider, id: r.id, name: r.name || null }))
  const s = score(pred, (i, j) => orgOfBase(rows[i]!.base) === org || orgOfBase(rows[j]!.base) === org)
  total.tp += s.tp
  total.fp += s.fp
  total.fn += s.fn
  const u = score(pred, (i, j) => undisputed(i, j) && (orgOfBase(rows[i]!.base) === org || orgOfBase(rows[j]!.base) === org))
  totalUndisputed.tp += u.tp
  totalUndisputed.fp += u.fp
  totalUndisputed.fn += u.fn
  const q = pr(s)
  perOrg.push(`  ${org.padEnd(12)} P ${q.precision.toFixed(4)}  R ${q.recall.toFixed(4)}  (${s.tp} / ${s.fp} / ${s.fn})`)
  if (verbose && (s.fp || s.fn)) console.log(`LOOO ${org}:\nfalse merges:\n${top(s.falsePositives)}\nmissed merges:\n${top(s.falseNegatives)}\n`)
}
const p2 = pr(total)
console.log(`leave-one-organisation-out (${orgs.length} organisations): ${total.tp} true merges, ${total.fp} false merges, ${total.fn} missed merges`)
console.log(`  precision ${p2.precision.toFixed(4)}  recall ${p2.recall.toFixed(4)}  (targets: precision ≥ 0.99, recall ≥ 0.90)`)
const q2 = pr(totalUndisputed)
console.log(`  without the disputed label entries: precision ${q2.precision.toFixed(4)}  recall ${q2.recall.toFixed(4)}  (${totalUndisputed.tp} / ${totalUndisputed.fp} / ${totalUndisputed.fn})`)
console.log(perOrg.join('\n'))

// 3. speed: 50,000 offerings, each id distinct (no memo helps), after learning
const ids = Array.from({ length: 50_000 }, (_, i) => {
  const r = rows[i % rows.length]!
  return { provider: `${r.provider}-${Math.floor(i / rows.length)}`, id: i % 3 ? `${r.id}-${i}` : r.id }
})
// best of three runs, wall clock and this process's CPU time (the machine is shared: CPU time is what the code costs)
let ms = Infinity
let cpuMs = Infinity
for (let run = 0; run < 3; run++) {
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  for (const o of ids) canonical(o)
  ms = Math.min(ms, performance.now() - t0)
  const cpu = process.cpuUsage(cpu0)
  cpuMs = Math.min(cpuMs, (cpu.user + cpu.system) / 1000)
}
console.log(`speed: canonicalized ${ids.length} offerings in ${ms.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU (target < 1000 ms); learned tables ${JSON.stringify(canonical.learned.size)}`)
