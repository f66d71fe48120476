import { afterAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { QueryEngine } from '../../src/catalog/engine'
import { SORT_KEYS } from '../../src/catalog/reads'
import { loadConfig } from '../../src/config'
import type { ProviderOutcome } from '../../src/catalog/store'
import { VARIABLE_PRICE, type OfferingInput } from '../../src/domain/types'
import { Bytes } from '../../src/lib/bytes'
import { CanonicalWriter, toCanonicalModel, toModel } from '../../src/modules/models/serialize'
import { openCatalog } from '../../src/runtime'
import { tempDir } from '../helpers/harness'
import { mulberry32 } from '../helpers/random'

/**
 * The unique view's writer (src/modules/models/serialize.ts, CanonicalWriter) copies ids, provider_model_ids and
 * prices from the query index's bytes instead of serializing strings. On a catalog whose ids, names and prices
 * hold whatever an upstream may send (quotes, backslashes, control characters, line separators, multi-byte and
 * lone surrogate characters, variable prices), every group it writes must be the text JSON.stringify makes of
 * toCanonicalModel, for the index's groups and for the SQL path's.
 */

const rand = mulberry32(2026)
const NASTY = ['"', '\\', '\n', '\u0000', '\u001f', '\u007f', '\u2028', 'é', '€', '😀', '\ud800', '/', ' ', ':', 'a', 'B', '-']
const piece = (n: number) => Array.from({ length: n }, () => NASTY[Math.floor(rand() * NASTY.length)]).join('')
const providers = ['acme', 'q"uote', 'back\\slash', 'ünï']
// a pool of models offered by several providers (shared organisation/family words: some merge into one group)
const models = Array.from({ length: 60 }, (_, i) => `org${i % 7}/family-${i % 13}${i % 3 === 0 ? piece(3) : ''}`)
const outcomes: ProviderOutcome[] = providers.map((provider, p) => ({
  provider,
  ok: true,
  skipped: 0,
  durationMs: 0,
  warning: null,
  offerings: models
    .filter((_, i) => (i + p) % 3 !== 0)
    .map(
      (id, i): OfferingInput => ({
        providerModelId: i % 5 === 0 ? `${id}${piece(4)}` : id,
        name: `${piece(2)} Model ${i} ${piece(2)}`,
        description: piece(10),
        contextLength: i % 4 === 0 ? null : 4096 * (1 + (i % 3)),
        maxOutputTokens: i % 3 === 0 ? null : 1024,
        inputModalities: i % 2 ? ['text', 'image'] : ['text'],
        outputModalities: ['text'],
        pricing: i % 6 === 0 ? {} : i % 6 === 1 ? { prompt: VARIABLE_PRICE, completion: VARIABLE_PRICE } : { prompt: `0.00000${1 + (i % 9)}`, completion: `0.0000${1 + (i % 5)}` },
      }),
    ),
}))

const catalog = openCatalog(loadConfig({ MODELCAT_DB: join(tempDir(), 'catalog.db') }))
catalog.store.prepareIdentity(outcomes)
catalog.store.commitRefresh('test', Date.now(), outcomes)
afterAll(() => catalog.close())
const engine = new QueryEngine(catalog.store.indexData((row) => JSON.stringify(toModel(row))))
const status = (provider: string) => (provider === 'acme' ? 'ok' : `st"a\\tus ${provider}`)

function written(group: ReturnType<ReturnType<QueryEngine['canonicalPage']>['group']>): string {
  const out = new Bytes()
  new CanonicalWriter(engine.data, status).write(out, group)
  return new TextDecoder().decode(out.done())
}

describe('the unique view writer on hostile text', () => {
  test('the catalog holds what the writer must get right', () => {
    const all = catalog.store.queryCanonical({ sort: 'id', order: 'asc', providers })
    const offerings = all.rows.flatMap((r) => r.offerings)
    expect(offerings.some((o) => /["\\\u0000-\u001f]/.test(o.id))).toBe(true) // escapes in ids
    expect(offerings.some((o) => o.id.includes('\u2028') || /[^\u0000-\u007f]/.test(o.provider_model_id))).toBe(true)
    expect(offerings.some((o) => o.pricing.prompt === VARIABLE_PRICE)).toBe(true) // a variable price: rebuilt, served as null
    expect(all.rows.some((r) => r.cheapest === null)).toBe(true)
    expect(all.rows.some((r) => r.offerings.length > 1)).toBe(true)
  })

  test('every group, every sort and order: the index writer writes the text of toCanonicalModel, for its own groups and for the SQL path', () => {
    let groups = 0
    for (const sort of SORT_KEYS)
      for (const order of ['asc', 'desc'] as const) {
        const q = { sort, order, providers }
        const page = engine.canonicalPage(q)
        const sql = catalog.store.queryCanonical(q).rows
        expect(page.length).toBe(sql.length)
        for (let i = 0; i < page.length; i++) {
          const text = written(page.group(i))
          const own = JSON.stringify(toCanonicalModel(page.row(i), status))
          const viaSql = JSON.stringify(toCanonicalModel(sql[i]!, status))
          if (text !== own || text !== viaSql) expect({ sort, order, i, text }).toEqual({ sort, order, i, text: viaSql })
          JSON.parse(text) // valid JSON whatever the text held
          groups++
        }
      }
    expect(groups).toBeGreaterThan(100)
  })
})
