import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { QueryEngine } from '../../src/catalog/engine'
import { type CatalogQuery, SORT_KEYS, type SortKey } from '../../src/catalog/reads'
import { CanonicalWriter, toCanonicalModel, toModel } from '../../src/modules/models/serialize'
import { Bytes } from '../../src/lib/bytes'
import { openCapturedCatalog } from '../helpers/captured-catalog'
import type { FakeUpstream } from '../helpers/fake-upstream'
import type { Harness } from '../helpers/harness'

/**
 * The query engine (src/catalog/engine.ts) against two independent answers for many random queries:
 * a plain filter + sort over the unfiltered list (GET /v1/models), and the SQL of src/catalog/reads.ts
 * (rows, order, totals, keyset cursors, the unique view's groups). Real captures of three providers.
 */

type Offering = Record<string, any> & { id: string; canonical_id: string; provider: string; name: string; description: string | null }

let up: FakeUpstream
let h: Harness
let all: Offering[]
let engine: QueryEngine

beforeAll(async () => {
  ;({ up, h } = await openCapturedCatalog())
  all = ((await (await h.get('/v1/models')).json()) as { data: Offering[] }).data
  engine = new QueryEngine(h.store.indexData((row) => JSON.stringify(toModel(row))))
})
afterAll(async () => {
  await h.close()
  up.stop()
})

/** A seeded generator, so that a failure is reproducible (the seed is in the test name). */
function rng(seed: number) {
  let s = seed
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31
    return s / 2 ** 31
  }
}

const PROVIDERS = ['groq', 'together', 'openrouter']
const lowerAscii = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase())
const num = (v: unknown) => (v === undefined || v === null ? null : Number(v))

function randomQuery(rand: () => number): CatalogQuery {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!
  const some = <T>(xs: readonly T[], p: number): T[] => xs.filter(() => rand() < p)
  const row = pick(all)
  const q: CatalogQuery = { sort: pick(SORT_KEYS) as SortKey, order: rand() < 0.5 ? 'asc' : 'desc' }
  if (rand() < 0.6) q.providers = some(PROVIDERS, 0.6)
  if (rand() < 0.35) {
    // a piece of a real id, name or description, in a random case; sometimes a word that matches nothing
    const text = pick([row.id, row.name, row.description ?? 'zz'])
    const at = Math.floor(rand() * Math.max(1, text.length - 3))
    const piece = text.slice(at, at + 1 + Math.floor(rand() * 6))
    q.q = rand() < 0.1 ? 'qqqxq' : rand() < 0.5 ? piece.toUpperCase() : piece
  }
  if (rand() < 0.2) q.inputModalities = some(['text', 'image', 'IMAGE', 'audio', 'file'], 0.4)
  if (rand() < 0.15) q.outputModalities = some(['text', 'image'], 0.5)
  if (rand() < 0.25) q.supportedParameters = some(['tools', 'temperature', 'reasoning', 'response_format', 'top_k', 'seed', 'nope'], 0.3)
  if (rand() < 0.25) q.minContext = pick([1, 4096, 8192, 32768, 131072, 200000, 1_000_000])
  if (rand() < 0.2) q.maxPromptPrice = num(pick(all).pricing.prompt) ?? 0.000001
  if (rand() < 0.15) q.maxCompletionPrice = num(pick(all).pricing.completion) ?? 0.000002
  if (rand() < 0.1) q.free = true
  for (const k of ['inputModalities', 'outputModalities', 'supportedParameters'] as const) if (q[k]?.length === 0) delete q[k]
  if (rand() < 0.7) q.limit = 1 + Math.floor(rand() * 40)
  if (rand() < 0.3) q.offset = Math.floor(rand() * 30)
  return q
}

/** The plain answer: filter and sort of the unfiltered list, as the API documents them. */
function plain(q: CatalogQuery): { ids: string[]; total: number } {
  const selected = new Set(q.providers ?? PROVIDERS)
  const counts = new Map<string, number>()
  for (const o of all) if (selected.has(o.provider)) counts.set(o.canonical_id, (counts.get(o.canonical_id) ?? 0) + 1)
  const has = (list: string[] | null | undefined, wanted?: string[]) => (wanted ?? []).every((v) => (list ?? []).some((x) => lowerAscii(x) === v.toLowerCase()))
  const rows = all.filter((o) => {
    if (!selected.has(o.provider)) return false
    if (q.q) {
      const needle = lowerAscii(q.q)
      if (![o.id, o.name, o.description ?? ''].some((f) => lowerAscii(f).includes(needle))) return false
    }
    if (!has(o.architecture.input_modalities, q.inputModalities) || !has(o.architecture.output_modalities, q.outputModalities) || !has(o.supported_parameters, q.supportedParameters)) return false
    const prompt = num(o.pricing.prompt)
    const completion = num(o.pricing.completion)
    if (q.minContext !== undefined && !(o.context_length !== null && o.context_length >= q.minContext)) return false
    if (q.maxPromptPrice !== undefined && !(prompt !== null && prompt <= q.maxPromptPrice)) return false
    if (q.maxCompletionPrice !== undefined && !(completion !== null && completion <= q.maxCompletionPrice)) return false
    if (q.free && !(prompt === 0 && (completion ?? 0) === 0)) return false
    return true
  })
  const nullLast = (v: number | null) => v ?? (q.order === 'asc' ? Infinity : -Infinity)
  const key = (o: Offering): string | number => {
    switch (q.sort) {
      case 'id':
        return o.id
      case 'name':
        return lowerAscii(o.name)
      case 'created':
        return o.created
      case 'newest':
        return Date.parse(o.first_seen_at)
      case 'context_length':
        return nullLast(o.context_length)
      case 'prompt_price':
        return nullLast(num(o.pricing.prompt))
      case 'completion_price':
        return nullLast(num(o.pricing.completion))
      case 'provider_count':
        return counts.get(o.canonical_id)!
    }
  }
  const dir = q.order === 'asc' ? 1 : -1
  rows.sort((a, b) => {
    const ka = key(a)
    const kb = key(b)
    return dir * (ka < kb ? -1 : ka > kb ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  })
  const start = q.offset ?? 0
  return { ids: rows.slice(start, q.limit === undefined ? undefined : start + q.limit).map((o) => o.id), total: rows.length }
}

/** One group as the unique view's writer writes it, as text. */
function writeGroup(group: ReturnType<ReturnType<QueryEngine['canonicalPage']>['group']>, status: (provider: string) => string): string {
  const out = new Bytes()
  new CanonicalWriter(engine.data, status).write(out, group)
  return new TextDecoder().decode(out.done())
}
const pageIds = (bytes: Uint8Array) => (JSON.parse(new TextDecoder().decode(bytes)) as { id: string }[]).map((o) => o.id)

describe('the query engine answers as a plain filter and as the SQL did', () => {
  test('sanity: the catalog has rows of every provider, a few sharing models', () => {
    expect(all.length).toBeGreaterThan(300)
    expect(new Set(all.map((o) => o.provider))).toEqual(new Set(PROVIDERS))
    expect(new Set(all.map((o) => o.canonical_id)).size).toBeLessThan(all.length)
  })

  test.each([1, 2, 3])(
    '400 random per-offering queries (seed %i): same rows, order and total as a plain filter over the full list',
    (seed) => {
      const rand = rng(seed)
      let nonEmpty = 0
      for (let i = 0; i < 400; i++) {
        const q = randomQuery(rand)
        const page = engine.queryOfferings(q)
        const expected = plain(q)
        expect({ q, ids: pageIds(page.bytes('', '')), total: page.total }).toEqual({ q, ...expected })
        if (expected.ids.length) nonEmpty++
      }
      expect(nonEmpty).toBeGreaterThan(150) // the queries are not all empty (which would prove little)
    },
    30_000,
  )

  test.each([4, 5])(
    '200 random queries in both views with cursor walks (seed %i): identical to the SQL',
    (seed) => {
      const rand = rng(seed)
      for (let i = 0; i < 200; i++) {
        const q = randomQuery(rand)
        if (q.limit !== undefined) delete q.offset // cursors and offset do not mix
        for (let step = 0; step < 4; step++) {
          const sql = h.store.queryOfferings(q)
          const mine = engine.queryOfferings(q)
          expect({ q, rows: JSON.parse(new TextDecoder().decode(mine.bytes('', ''))), total: mine.total, next: mine.next }).toEqual({
            q,
            rows: sql.rows.map(toModel),
            total: sql.total,
            next: sql.next,
          })
          const sqlGroups = h.store.queryCanonical(q)
          const groups = engine.queryCanonical(q)
          expect({ q, ...groups }).toEqual({ q, ...sqlGroups })
          const next = rand() < 0.5 ? mine.next : groups.next
          if (!next || q.limit === undefined) break
          q.after = next
        }
      }
    },
    60_000,
  )

  test('a cursor between rows, of the wrong type, or past the end resumes where the SQL does', () => {
    const cases: CatalogQuery[] = [
      { sort: 'id', order: 'asc', limit: 5, after: { value: 'groq/m', id: 'groq/m' } },
      { sort: 'id', order: 'desc', limit: 5, after: { value: 7, id: 'x' } },
      { sort: 'prompt_price', order: 'asc', limit: 5, after: { value: 'text', id: 'a' } },
      { sort: 'context_length', order: 'desc', limit: 5, after: { value: 1e308, id: 'zzz' } },
      { sort: 'name', order: 'asc', limit: 5, after: { value: 'llama', id: '' } },
      { sort: 'provider_count', order: 'desc', limit: 5, after: { value: 2, id: 'together/' } },
    ]
    for (const q of cases) {
      expect({ q, ids: pageIds(engine.queryOfferings(q).bytes('', '')) }).toEqual({ q, ids: h.store.queryOfferings(q).rows.map((r) => r.id) })
      expect({ q, ids: engine.queryCanonical(q).rows.map((r) => r.canonicalId) }).toEqual({ q, ids: h.store.queryCanonical(q).rows.map((r) => r.canonicalId) })
    }
  })

  test('the full list (its rows inflated and joined, whole or in pieces) is byte for byte the SQL-built answer', async () => {
    const body = new Uint8Array(await (await h.get('/v1/models')).arrayBuffer())
    expect(Buffer.compare(Buffer.concat([...engine.listChunks()]), Buffer.from(body))).toBe(0)
    expect(engine.data.listBytes).toBe(body.length)
    for (const rows of [1, 7, 100, 10_000]) expect(Buffer.compare(Buffer.concat([...engine.listChunks(undefined, rows)]), Buffer.from(body))).toBe(0)
    // one provider's full list, in pieces, is the SQL-built list of that gateway
    const groq = new Uint8Array(await (await h.get('/v1/models?gateway=groq')).arrayBuffer())
    expect(Buffer.compare(Buffer.concat([...engine.listChunks(['groq'], 5)]), Buffer.from(groq))).toBe(0)
    // compressed: the rows with their dictionary hold several times less than the list
    expect(engine.data.rowsZ.length + engine.data.dict.length).toBeLessThan(body.length / 3)
  })

  test('a served page (offerings: bytes copied from the full list; unique: written group by group) is the text JSON.stringify makes of the answer', async () => {
    const rand = rng(7)
    for (let i = 0; i < 40; i++) {
      const q = randomQuery(rand)
      const params = new URLSearchParams({ sort: q.sort, order: q.order, limit: String(1 + Math.floor(rand() * 30)) })
      if (q.providers?.length) params.set('gateway', q.providers.join(','))
      if (rand() < 0.3) params.set('offset', String(Math.floor(rand() * 20)))
      const paged = rand() < 0.8
      if (!paged) for (const k of ['limit', 'offset']) params.delete(k)
      const unique = rand() < 0.4
      if (unique) params.set('unique', 'true')
      const text = await (await h.get(`/v1/models?${params}`)).text()
      const answer = JSON.parse(text) as { data: Offering[]; total?: number; has_more?: boolean; next_cursor?: string | null }
      // exactly stringify's text: the keys in order, the tail's values, no stray separator
      expect({ params: `${params}`, text }).toEqual({ params: `${params}`, text: JSON.stringify(answer) })
      expect(Object.keys(answer)).toEqual(paged ? ['object', 'data', 'total', 'has_more', 'next_cursor'] : ['object', 'data'])
      const sq: CatalogQuery = {
        sort: q.sort,
        order: q.order,
        providers: q.providers?.length ? q.providers : undefined,
        limit: paged ? Number(params.get('limit')) : undefined,
        offset: params.has('offset') ? Number(params.get('offset')) : undefined,
      }
      const sql = unique ? h.store.queryCanonical(sq) : h.store.queryOfferings(sq)
      if (unique) expect(answer.data.map((m) => m.id)).toEqual((sql.rows as { canonicalId: string }[]).map((r) => r.canonicalId))
      else expect(answer.data).toEqual(JSON.parse(JSON.stringify((sql.rows as Parameters<typeof toModel>[0][]).map(toModel))))
      if (paged) expect({ total: answer.total, has_more: answer.has_more }).toEqual({ total: sql.total, has_more: sql.next !== null })
    }
  })

  test('the unique view writer (prices spliced as stored) writes exactly the text JSON.stringify makes of toCanonicalModel', () => {
    const status = (provider: string) => (provider === 'groq' ? 'ok' : provider === 'together' ? 'degraded "quoted"' : 'unknown')
    const seen = { variable: 0, uncheapest: 0, several: 0, groups: 0 }
    const rand = rng(11)
    const queries: CatalogQuery[] = [{ sort: 'id', order: 'asc' }, ...Array.from({ length: 30 }, () => randomQuery(rand))]
    for (const q of queries) {
      const page = engine.canonicalPage(q)
      for (let i = 0; i < page.length; i++) {
        const row = page.row(i)
        const expected = JSON.stringify(toCanonicalModel(row, status))
        const written = writeGroup(page.group(i), status)
        if (written !== expected) expect({ q, id: row.canonicalId, written }).toEqual({ q, id: row.canonicalId, written: expected })
        seen.groups++
        if (expected.includes('"prompt":null') || expected.includes('"completion":null')) seen.variable++
        if (row.cheapest === null) seen.uncheapest++
        if (row.offerings.length > 1) seen.several++
      }
    }
    // the captures hold what the writer must get right: variable prices (served as null), groups with no priced
    // offering (pricing {} and cheapest null), groups of several providers
    expect(seen.variable).toBeGreaterThan(0)
    expect(seen.uncheapest).toBeGreaterThan(0)
    expect(seen.several).toBeGreaterThan(0)
  })

  test('the unique view is the same text whether the index writes it or the SQL path serializes it (key order included)', () => {
    const status = (provider: string) => `${provider}-status`
    let groups = 0
    for (const sort of SORT_KEYS)
      for (const order of ['asc', 'desc'] as const) {
        const q: CatalogQuery = { sort, order, providers: PROVIDERS }
        const sql = h.store.queryCanonical(q).rows
        const page = engine.canonicalPage(q)
        expect({ sort, order, groups: page.length }).toEqual({ sort, order, groups: sql.length })
        for (let i = 0; i < page.length; i++) {
          const written = writeGroup(page.group(i), status)
          const serialized = JSON.stringify(toCanonicalModel(sql[i]!, status))
          if (written !== serialized) expect({ sort, order, i, written }).toEqual({ sort, order, i, written: serialized })
          groups++
        }
      }
    expect(groups).toBeGreaterThan(1000)
  })

  test('a search never matches across the end of one field and the start of the next', () => {
    const o = all.find((x) => x.name.length > 3)!
    // the end of the id glued to the start of the name: in no single field
    const glued = o.id.slice(-2) + o.name.slice(0, 2)
    const expected = plain({ sort: 'id', order: 'asc', q: glued })
    expect(pageIds(engine.queryOfferings({ sort: 'id', order: 'asc', q: glued }).bytes('', ''))).toEqual(expected.ids)
  })
})
