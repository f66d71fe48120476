/**
 * Dedup quality as a figure: feeds labelled (provider, model id, name) triples through the
 * canonicalizer and prints pairwise precision and recall against their base-model labels.
 *
 *   bun bench/dedup/run.ts [labels.tsv]      (default: bench/dedup/models-dev-base-model-labels.dev.tsv)
 */
import { createCanonicalizer } from '../../src/catalog/canonical'

const file = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? `${import.meta.dir}/models-dev-base-model-labels.dev.tsv`
const rows = (await Bun.file(file).text())
  .split('\n')
  .slice(1)
  .filter(Boolean)
  .map((line) => {
    const [provider, id, name, base] = line.split('\t')
    return { provider: provider!, id: id!, name: name ?? '', base: base! }
  })

const canonicalId = createCanonicalizer()
const predicted = rows.map((r) => canonicalId({ provider: r.provider, id: r.id }))

let tp = 0
let fp = 0
let fn = 0
const falsePositives = new Map<string, number>()
const falseNegatives = new Map<string, number>()
for (let i = 0; i < rows.length; i++) {
  for (let j = i + 1; j < rows.length; j++) {
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
const precision = tp / (tp + fp || 1)
const recall = tp / (tp + fn || 1)
console.log(`labels: ${rows.length} entries, ${new Set(rows.map((r) => r.base)).size} base models, ${new Set(predicted).size} canonical ids`)
console.log(`pairs: ${tp} true merges, ${fp} false merges, ${fn} missed merges`)
console.log(`precision ${precision.toFixed(4)}  recall ${recall.toFixed(4)}  (targets: precision ≥ 0.99, recall ≥ 0.90)`)
if (process.argv.includes('--verbose')) {
  const top = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 40)
      .map(([k, n]) => `  ${n}× ${k}`)
      .join('\n')
  console.log(`\nfalse merges:\n${top(falsePositives)}\n\nmissed merges:\n${top(falseNegatives)}`)
}
