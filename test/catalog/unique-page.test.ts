import { afterAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { join } from 'node:path'
import { syntheticOutcomes } from '../../bench/synthetic'
import type { CatalogQuery } from '../../src/catalog/reads'
import { loadConfig } from '../../src/config'
import { openCatalog } from '../../src/runtime'
import { tempDir } from '../helpers/harness'

/**
 * The unique view's pages in id order take their groups from the canonical index (and count them in the
 * same pass on a first page) instead of grouping every match: the pages must be exactly the slices of
 * the whole answer, with the same total, for any filter.
 */
const catalog = openCatalog(loadConfig({ MODELCAT_DB: join(tempDir(), 'catalog.db') }))
setDefaultTimeout(30_000)
const outcomes = syntheticOutcomes(1500, 6)
catalog.store.commitRefresh('test', Date.now(), outcomes)
afterAll(() => catalog.close())
const providers = outcomes.map((o) => o.provider)

const queries: [string, Partial<CatalogQuery>][] = [
  ['no filter', {}],
  ['a common word', { q: 'model' }],
  ['a rare word', { q: 'Model 12' }],
  ['nothing matches', { q: 'no such thing' }],
  ['a provider subset', { providers: providers.slice(0, 2) }],
  ['filters and q', { q: 'instruct', minContext: 32768, inputModalities: ['image'] }],
  ['free', { free: true }],
]

describe('unique view pages in id order', () => {
  for (const [label, filter] of queries)
    for (const order of ['asc', 'desc'] as const)
      test(`${label}, ${order}: cursor pages and offset pages are slices of the whole answer`, () => {
        const base: CatalogQuery = { providers, sort: 'id', order, ...filter }
        const whole = catalog.store.queryCanonical(base)
        const ids = whole.rows.map((r) => r.canonicalId)
        // by cursor
        const seen: string[] = []
        let after: CatalogQuery['after']
        for (let i = 0; i < 1000; i++) {
          const page = catalog.store.queryCanonical({ ...base, limit: 40, after })
          expect(page.total).toBe(whole.total)
          seen.push(...page.rows.map((r) => r.canonicalId))
          if (!page.next) break
          after = page.next
        }
        expect(seen).toEqual(ids)
        // by offset, and each row equal to the whole answer's (aggregates, offerings, cheapest)
        const middle = catalog.store.queryCanonical({ ...base, limit: 5, offset: 10 })
        expect(middle.rows).toEqual(whole.rows.slice(10, 15))
        expect(middle.total).toBe(whole.total)
        const first = catalog.store.queryCanonical({ ...base, limit: 5 })
        expect(first.rows).toEqual(whole.rows.slice(0, 5))
        expect(first.next !== null).toBe(ids.length > 5)
      })
})
