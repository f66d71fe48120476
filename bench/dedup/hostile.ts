/**
 * What one hostile list costs the identity learning (src/catalog/learned.ts), as figures:
 *
 *   1. a catalog that knows 20,000 families (the families cap) learns ONE live list of 1,000 offerings,
 *      each with its own hugging_face_id owner and its own "Org: Model" display name: the learn() time
 *      (target < 1,000 ms; it was 25 s before the votes were rebuilt once per batch), how often the
 *      resolved spellings were rebuilt, and how much the list added (capped per provider per batch);
 *   2. 120 providers' unchanged lists learned again (nothing new): the time of that learn() (target < 20 ms).
 *
 *   bun bench/dedup/hostile.ts
 */
import { createCanonicalizer } from '../../src/catalog/canonical'
import type { Observation } from '../../src/catalog/learned'

/** A family word of letters only (a glued number would be read as a version): 0 → 'qa', 1 → 'qb', … */
const word = (i: number) => {
  let s = ''
  for (let n = i; ; n = Math.floor(n / 26) - 1) {
    s = String.fromCharCode(97 + (n % 26)) + s
    if (n < 26) break
  }
  return `q${s}`
}
const canonical = createCanonicalizer()
const refs: Observation[] = []
for (let i = 0; i < 20_000; i++) refs.push({ source: 'models.dev', provider: 'openrouter', id: `org${i % 500}/${word(i)}-${(i % 9) + 1}` })
let t = performance.now()
canonical.learn(refs)
console.log(`setup: learned ${refs.length} reference ids in ${(performance.now() - t).toFixed(0)} ms; tables ${JSON.stringify(canonical.learned.size)}`)

const l = canonical.learned as { rebuilds?: number; generation: number }
const rebuildsBefore = l.rebuilds ?? 0
const generationBefore = l.generation
const hostile: Observation[] = []
for (let i = 0; i < 1_000; i++)
  hostile.push({ source: 'live', provider: 'evilgw', id: `org${i % 500}/${word(i)}-${(i % 9) + 1}`, name: `Owner${i}: ${word(i)} ${(i % 9) + 1}`, hfId: `owner${i}/${word(i)}` })
t = performance.now()
const result = canonical.learn(hostile)
const ms = performance.now() - t
console.log(
  `one hostile list (1,000 distinct hugging_face_id owners and display-name orgs, 20,000 families known): learn() ${ms.toFixed(0)} ms (target < 1000 ms); spelling rebuilds ${(l.rebuilds ?? 0) - rebuildsBefore}; generation +${l.generation - generationBefore}; ${JSON.stringify(result ?? {})}; tables ${JSON.stringify(canonical.learned.size)}`,
)

const lists: Observation[] = []
for (let p = 0; p < 120; p++) for (let i = 0; i < 100; i++) lists.push({ source: 'live', provider: `p${p}`, id: `org${i % 50}/${word(i)}-${(i % 9) + 1}` })
canonical.learn(lists)
t = performance.now()
canonical.learn(lists)
const perProvider = [...Map.groupBy(lists, (o) => o.provider).values()]
t = performance.now()
for (const list of perProvider) canonical.learn(list)
console.log(`the same, one learn() per provider (as prepareIdentity did before): ${(performance.now() - t).toFixed(1)} ms`)
console.log(`120 providers' lists learned again, nothing new: learn() ${(performance.now() - t).toFixed(1)} ms (target < 20 ms)`)
