import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { FakeUpstream } from '../helpers/fake-upstream'
import { makeHarness, tomlFor, type Harness } from '../helpers/harness'

/**
 * The /v1/models query API (filters, sort, limit/offset and cursor paging, validation) in both views.
 * Every expected answer is computed here from the unfiltered list (GET /v1/models → data), never taken
 * from a filtered answer of the service.
 */

const GROQ = '/groq/openai/v1'
const TOGETHER = '/together/v1'
const OPENROUTER = '/openrouter/api/v1'
const CAPTURES = {
  groq: 'groq/groq_models_2026-01-22.json',
  together: 'together/together_v1_models_2026-01-23.json',
  openrouter: 'openrouter/roo-code_openrouter-models_2025-05-12.DECODED_BODY.json',
}

type Pricing = Record<string, string>
type Offering = Record<string, any> & {
  id: string
  canonical_id: string
  provider: string
  name: string
  description: string | null
  created: number
  context_length: number | null
  pricing: Pricing
  architecture: { input_modalities: string[] | null; output_modalities: string[] | null }
  supported_parameters: string[] | null
}
type Entry = Record<string, any> & { id: string; name: string; providers: { id: string }[]; provider_count: number }
type List<T> = { object: string; data: T[]; total?: number; has_more?: boolean; next_cursor?: string | null }
type Key = string | number | null
type Order = 'asc' | 'desc'

const SORTS = ['id', 'name', 'created', 'context_length', 'prompt_price', 'completion_price', 'provider_count'] as const
type Sort = (typeof SORTS)[number]

function upstream() {
  return new FakeUpstream().replay(`${GROQ}/models`, CAPTURES.groq).replay(`${TOGETHER}/models`, CAPTURES.together).replay(`${OPENROUTER}/models`, CAPTURES.openrouter)
}
const toml = (url: string) => tomlFor(url, { groq: GROQ, together: TOGETHER, openrouter: OPENROUTER })

let up: FakeUpstream
let h: Harness
/** The unfiltered per-offering list: the ground truth every expectation is derived from. */
let all: Offering[]

beforeAll(async () => {
  up = upstream()
  h = makeHarness({ toml: toml(up.url) })
  await h.worker.refresh()
  all = (await list<Offering>(h, '/v1/models')).data
})
afterAll(async () => {
  await h.close()
  up.stop()
})

async function list<T = Offering>(harness: Harness, path: string): Promise<List<T>> {
  const res = await harness.get(path)
  if (res.status !== 200) throw new Error(`GET ${path} → ${res.status}: ${await res.text()}`)
  return (await res.json()) as List<T>
}
const ids = async (path: string) => (await list<{ id: string }>(h, path)).data.map((m) => m.id)

/** Plain code-unit comparison (the ids and names here are ASCII, where it agrees with SQLite's). */
const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0)
const byId = (a: { id: string }, b: { id: string }) => cmp(a.id, b.id)

const price = (m: { pricing: Pricing }, c: 'prompt' | 'completion') => (m.pricing[c] == null ? null : Number(m.pricing[c]))
const lowered = (v: string | null | undefined) => (v ?? '').toLowerCase()

// ---- predicates, written from the parameter descriptions -------------------------------------------

type Pred = (m: Offering) => boolean
const P = {
  q:
    (s: string): Pred =>
    (m) =>
      [m.id, m.name, m.description].some((f) => lowered(f).includes(s.toLowerCase())),
  inputs:
    (...xs: string[]): Pred =>
    (m) =>
      xs.every((x) => (m.architecture.input_modalities ?? []).includes(x)),
  outputs:
    (...xs: string[]): Pred =>
    (m) =>
      xs.every((x) => (m.architecture.output_modalities ?? []).includes(x)),
  params:
    (...xs: string[]): Pred =>
    (m) =>
      xs.every((x) => (m.supported_parameters ?? []).includes(x)),
  minContext:
    (n: number): Pred =>
    (m) =>
      m.context_length !== null && m.context_length >= n,
  maxPrompt:
    (n: number): Pred =>
    (m) =>
      price(m, 'prompt') !== null && price(m, 'prompt')! <= n,
  maxCompletion:
    (n: number): Pred =>
    (m) =>
      price(m, 'completion') !== null && price(m, 'completion')! <= n,
  free: (): Pred => (m) => price(m, 'prompt') === 0 && (price(m, 'completion') ?? 0) === 0,
  gateways:
    (...gs: string[]): Pred =>
    (m) =>
      gs.includes(m.provider),
  notGateways:
    (...gs: string[]): Pred =>
    (m) =>
      !gs.includes(m.provider),
  and:
    (...ps: Pred[]): Pred =>
    (m) =>
      ps.every((p) => p(m)),
  any: (): Pred => () => true,
}

/** The unique view computed from the per-offering list: groups of matching offerings by canonical id. */
interface Group {
  id: string
  offerings: Offering[]
}
function groups(pred: Pred): Group[] {
  const map = new Map<string, Offering[]>()
  for (const m of [...all].sort(byId)) if (pred(m)) map.set(m.canonical_id, [...(map.get(m.canonical_id) ?? []), m])
  return [...map].map(([id, offerings]) => ({ id, offerings })).sort(byId)
}

const minOf = (xs: (number | null)[]) => {
  const ns = xs.filter((x): x is number => x !== null)
  return ns.length ? Math.min(...ns) : null
}
const maxOf = (xs: (number | null)[]) => {
  const ns = xs.filter((x): x is number => x !== null)
  return ns.length ? Math.max(...ns) : null
}

/**
 * Sort keys of an offering (provider_count: offerings of its canonical model among the selected
 * gateways, the count the unique view shows; `providers` is that selection).
 */
function offeringKey(sort: Sort, m: Offering, providers?: string[]): Key {
  switch (sort) {
    case 'id':
      return m.id
    case 'name':
      return m.name.toLowerCase()
    case 'created':
      return m.created
    case 'context_length':
      return m.context_length
    case 'prompt_price':
      return price(m, 'prompt')
    case 'completion_price':
      return price(m, 'completion')
    case 'provider_count':
      return all.filter((o) => o.canonical_id === m.canonical_id && (!providers || providers.includes(o.provider))).length
  }
}

/**
 * Sort keys of a canonical model over its matching offerings: earliest created, largest context,
 * lowest prices, offering count. `name` is the display name the entry carries (`names`).
 */
function groupKey(sort: Sort, g: Group, names: Map<string, string>): Key {
  switch (sort) {
    case 'id':
      return g.id
    case 'name':
      return names.get(g.id)!.toLowerCase()
    case 'created':
      return Math.min(...g.offerings.map((o) => o.created))
    case 'context_length':
      return maxOf(g.offerings.map((o) => o.context_length))
    case 'prompt_price':
      return minOf(g.offerings.map((o) => price(o, 'prompt')))
    case 'completion_price':
      return minOf(g.offerings.map((o) => price(o, 'completion')))
    case 'provider_count':
      return g.offerings.length
  }
}

/** Key order, ties by id in the same direction, items lacking the key last in both directions. */
function sortBy<T extends { id: string }>(items: T[], key: (t: T) => Key, order: Order): T[] {
  const dir = order === 'asc' ? 1 : -1
  return [...items].sort((a, b) => {
    const ka = key(a)
    const kb = key(b)
    if (ka === null && kb !== null) return 1
    if (kb === null && ka !== null) return -1
    return dir * ((ka === null || kb === null ? 0 : cmp(ka, kb)) || cmp(a.id, b.id))
  })
}

/** The expected id list of a query, in either view. */
async function expected(pred: Pred, sort: Sort = 'id', order: Order = 'asc', unique = false, namesFrom = '/v1/models?unique=true', providers?: string[]): Promise<string[]> {
  if (!unique) return sortBy(all.filter(pred), (m) => offeringKey(sort, m, providers), order).map((m) => m.id)
  // the display names the entries carry (from the same, unpaged query: they only decide the order for sort=name)
  const names = new Map((await list<Entry>(h, namesFrom)).data.map((e) => [e.id, e.name]))
  return sortBy(groups(pred), (g) => groupKey(sort, g, names), order).map((g) => g.id)
}

// ---- filters ----------------------------------------------------------------------------------------

/** [query, predicate, whether the filter must really filter (some but not all offerings)]. */
const FILTERS: [string, Pred, boolean][] = [
  ['q=llama', P.q('llama'), true],
  ['q=LLaMa', P.q('llama'), true],
  ['q=Instruct', P.q('instruct'), true],
  ['q=multimodal', P.q('multimodal'), true],
  ['q=%25', P.q('%'), true],
  ['q=_', P.q('_'), true],
  ['q=3%25', P.q('3%'), false],
  ['q=o_e', P.q('o_e'), false],
  ['q=%5C', P.q('\\'), false],
  ['input_modalities=image', P.inputs('image'), true],
  ['input_modalities=text,image', P.inputs('text', 'image'), true],
  ['input_modalities=image,file', P.inputs('image', 'file'), true],
  ['input_modalities=image&input_modalities=file', P.inputs('image', 'file'), true],
  ['output_modalities=text', P.outputs('text'), true],
  ['output_modalities=image', P.outputs('image'), true],
  ['output_modalities=text,image', P.outputs('text', 'image'), false],
  ['supported_parameters=tools', P.params('tools'), true],
  ['supported_parameters=tools,response_format,seed', P.params('tools', 'response_format', 'seed'), true],
  ['supported_parameters=reasoning,web_search_options', P.params('reasoning', 'web_search_options'), false],
  ['min_context=100000', P.minContext(100000), true],
  ['min_context=131072', P.minContext(131072), true],
  ['min_context=0', P.minContext(0), true],
  ['max_prompt_price=0.000001', P.maxPrompt(0.000001), true],
  ['max_prompt_price=0.0000002', P.maxPrompt(0.0000002), true],
  ['max_prompt_price=0', P.maxPrompt(0), true],
  ['max_completion_price=0.000002', P.maxCompletion(0.000002), true],
  ['max_completion_price=1', P.maxCompletion(1), true],
  ['free=true', P.free(), true],
  ['free=1', P.free(), true],
  ['free=false', P.any(), false],
  ['gateway=groq,together', P.gateways('groq', 'together'), true],
  ['gateway=openrouter', P.gateways('openrouter'), true],
  ['gateway=togetherai', P.gateways('together'), true],
  ['exclude_gateway=openrouter', P.notGateways('openrouter'), true],
  ['exclude_gateway=groq,togetherai', P.notGateways('groq', 'together'), true],
  ['gateway=groq,together&exclude_gateway=together', P.gateways('groq'), true],
  ['q=llama&max_prompt_price=0.000001', P.and(P.q('llama'), P.maxPrompt(0.000001)), true],
  ['input_modalities=image&min_context=100000', P.and(P.inputs('image'), P.minContext(100000)), true],
  ['free=true&supported_parameters=tools', P.and(P.free(), P.params('tools')), true],
  ['gateway=openrouter&q=instruct&min_context=32000', P.and(P.gateways('openrouter'), P.q('instruct'), P.minContext(32000)), true],
  ['exclude_gateway=openrouter&output_modalities=image', P.and(P.notGateways('openrouter'), P.outputs('image')), false],
]

describe('filters, per-offering view', () => {
  test('the ground truth is the whole catalog', () => {
    expect(all.length).toBeGreaterThan(400)
    expect(new Set(all.map((m) => m.provider))).toEqual(new Set(['groq', 'together', 'openrouter']))
  })

  test.each(FILTERS)('%s', async (query, pred, filters) => {
    const want = await expected(pred)
    if (filters) {
      expect(want.length).toBeGreaterThan(0)
      expect(want.length).toBeLessThan(all.length)
    }
    expect(await ids(`/v1/models?${query}`)).toEqual(want)
  })

  test('q searches the description too, and % and _ are literals, not LIKE wildcards', async () => {
    const viaDescription = all.filter((m) => lowered(m.description).includes('multimodal') && !lowered(m.id + m.name).includes('multimodal'))
    expect(viaDescription.length).toBeGreaterThan(0)
    const got = await ids('/v1/models?q=multimodal')
    for (const m of viaDescription) expect(got).toContain(m.id)
    // as wildcards these would match every model
    expect((await ids('/v1/models?q=%25')).length).toBeLessThan(all.length)
    expect((await ids('/v1/models?q=_')).length).toBeLessThan(all.length)
  })

  test('a price filter leaves out offerings without that price, free=true means prompt 0 and completion 0/absent', async () => {
    const unpriced = all.filter((m) => m.pricing.prompt === undefined)
    expect(unpriced.length).toBeGreaterThan(0)
    const cheap = await ids('/v1/models?max_prompt_price=1000')
    for (const m of unpriced) expect(cheap).not.toContain(m.id)
    const free = await ids('/v1/models?free=true')
    expect(free.length).toBeGreaterThan(0)
    for (const id of free) {
      const m = all.find((x) => x.id === id)!
      expect(Number(m.pricing.prompt)).toBe(0)
      expect(Number(m.pricing.completion ?? 0)).toBe(0)
    }
  })
})

describe('filters, unique=true', () => {
  test.each(FILTERS)('%s', async (query, pred) => {
    const want = groups(pred)
    const body = await list<Entry>(h, `/v1/models?unique=true&${query}`)
    // an entry iff at least one offering matches; its providers: exactly the matching offerings
    expect(body.data.map((e) => e.id)).toEqual(want.map((g) => g.id))
    const got = new Map(body.data.map((e) => [e.id, e]))
    for (const g of want) {
      const e = got.get(g.id)!
      expect(e.providers.map((p) => p.id)).toEqual(g.offerings.map((o) => o.id))
      expect(e.provider_count).toBe(g.offerings.length)
    }
  })

  test('a filter narrows the providers of a model that still matches', async () => {
    const pred = P.gateways('groq')
    const multi = groups(P.any()).find((g) => new Set(g.offerings.map((o) => o.provider)).size === 3)!
    expect(multi).toBeDefined()
    const e = (await list<Entry>(h, '/v1/models?unique=true&gateway=groq')).data.find((x) => x.id === multi.id)!
    expect(e.providers.map((p) => p.id)).toEqual(multi.offerings.filter(pred).map((o) => o.id))
    expect(e.providers.length).toBeLessThan(multi.offerings.length)
  })
})

// ---- sort -------------------------------------------------------------------------------------------

const SORT_CASES: [Sort, Order][] = SORTS.flatMap((s) => (['asc', 'desc'] as const).map((o) => [s, o] as [Sort, Order]))

describe('sort', () => {
  test.each(SORT_CASES)('per-offering sort=%s order=%s', async (sort, order) => {
    expect(await ids(`/v1/models?sort=${sort}&order=${order}`)).toEqual(await expected(P.any(), sort, order))
  })

  test.each(SORT_CASES)('unique sort=%s order=%s', async (sort, order) => {
    expect(await ids(`/v1/models?unique=true&sort=${sort}&order=${order}`)).toEqual(await expected(P.any(), sort, order, true))
  })

  test.each(SORT_CASES)('sorted and filtered (gateway=openrouter,together&input_modalities=text) sort=%s order=%s, both views', async (sort, order) => {
    const pred = P.and(P.gateways('openrouter', 'together'), P.inputs('text'))
    const qs = `gateway=openrouter,together&input_modalities=text&sort=${sort}&order=${order}`
    expect(await ids(`/v1/models?${qs}`)).toEqual(await expected(pred, sort, order, false, undefined, ['openrouter', 'together']))
    expect(await ids(`/v1/models?unique=true&${qs}`)).toEqual(await expected(pred, sort, order, true, `/v1/models?unique=true&${qs}`))
  })

  test('models lacking the key come last in both directions', async () => {
    const nulls = new Set(all.filter((m) => m.context_length === null).map((m) => m.id))
    expect(nulls.size).toBeGreaterThan(0)
    for (const order of ['asc', 'desc']) {
      const got = await ids(`/v1/models?sort=context_length&order=${order}`)
      expect(new Set(got.slice(got.length - nulls.size))).toEqual(nulls)
    }
    const unpriced = new Set(all.filter((m) => m.pricing.prompt == null).map((m) => m.id)) // issue 15: null = variable, no sort key
    for (const order of ['asc', 'desc']) {
      const got = await ids(`/v1/models?sort=prompt_price&order=${order}`)
      expect(new Set(got.slice(got.length - unpriced.size))).toEqual(unpriced)
    }
  })

  test('default sort is id ascending', async () => {
    expect(await ids('/v1/models')).toEqual(await expected(P.any(), 'id', 'asc'))
    expect(await ids('/v1/models?order=desc')).toEqual(await expected(P.any(), 'id', 'desc'))
  })
})

// ---- paging -----------------------------------------------------------------------------------------

/** Pages of limit/offset: [ids in order, every page's envelope]. */
async function walkOffset(base: string, limit: number) {
  const seen: string[] = []
  const pages: List<{ id: string }>[] = []
  for (let offset = 0; pages.length < 100; offset += limit) {
    const page = await list<{ id: string }>(h, `${base}&limit=${limit}&offset=${offset}`)
    pages.push(page)
    seen.push(...page.data.map((m) => m.id))
    if (!page.has_more) break
  }
  return { seen, pages }
}

async function walkCursor(harness: Harness, base: string, limit: number) {
  const seen: string[] = []
  const pages: List<{ id: string }>[] = []
  let cursor: string | null | undefined
  do {
    const page: List<{ id: string }> = await list(harness, `${base}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
    pages.push(page)
    seen.push(...page.data.map((m) => m.id))
    cursor = page.next_cursor
  } while (cursor && pages.length < 100)
  return { seen, pages }
}

const PAGING: [string, Sort, Order, Pred, string, boolean][] = [
  ['text in, context desc', 'context_length', 'desc', P.inputs('text'), 'input_modalities=text', false],
  ['prompt price asc', 'prompt_price', 'asc', P.any(), '', false],
  ['completion price desc, unique', 'completion_price', 'desc', P.any(), '', true],
  ['name asc, no openrouter', 'name', 'asc', P.notGateways('openrouter'), 'exclude_gateway=openrouter', false],
  ['created desc, unique', 'created', 'desc', P.any(), '', true],
  ['provider_count desc', 'provider_count', 'desc', P.any(), '', false],
  ['provider_count asc, unique, tools', 'provider_count', 'asc', P.params('tools'), 'supported_parameters=tools', true],
  ['id desc, unique, context ≥ 32k', 'id', 'desc', P.minContext(32000), 'min_context=32000', true],
]

describe('paging', () => {
  test.each(PAGING)('limit/offset pages concatenate to the full list (%s)', async (_label, sort, order, pred, filter, unique) => {
    const base = `/v1/models?sort=${sort}&order=${order}${filter ? `&${filter}` : ''}${unique ? '&unique=true' : ''}`
    const want = await expected(pred, sort, order, unique, base)
    const { seen, pages } = await walkOffset(base, 37)
    expect(pages.length).toBe(Math.ceil(want.length / 37))
    expect(seen).toEqual(want)
    pages.forEach((p, i) => {
      expect(p.total).toBe(want.length)
      expect(p.has_more).toBe((i + 1) * 37 < want.length)
    })
    const past = await list(h, `${base}&limit=5&offset=${want.length}`)
    expect(past.data).toEqual([])
    expect(past.has_more).toBe(false)
    expect(past.total).toBe(want.length)
  })

  test.each(PAGING)('cursor pages walk the same list (%s)', async (_label, sort, order, pred, filter, unique) => {
    const base = `/v1/models?sort=${sort}&order=${order}${filter ? `&${filter}` : ''}${unique ? '&unique=true' : ''}`
    const want = await expected(pred, sort, order, unique, base)
    const { seen, pages } = await walkCursor(h, base, 37)
    expect(pages.length).toBe(Math.ceil(want.length / 37))
    expect(seen).toEqual(want)
    pages.forEach((p, i) => {
      const last = i === pages.length - 1
      expect(p.total).toBe(want.length)
      expect(p.has_more).toBe(!last)
      if (last) expect(p.next_cursor).toBeNull()
      else expect(typeof p.next_cursor).toBe('string')
    })
  })

  test('a page that ends exactly at the end has next_cursor null', async () => {
    const n = all.filter(P.gateways('groq')).length
    const page = await list(h, `/v1/models?gateway=groq&limit=${n}`)
    expect(page.data.length).toBe(n)
    expect(page.has_more).toBe(false)
    expect(page.next_cursor).toBeNull()
    const short = await list(h, `/v1/models?gateway=groq&limit=${n - 1}`)
    expect(short.has_more).toBe(true)
    const rest = await list(h, `/v1/models?gateway=groq&limit=${n - 1}&cursor=${short.next_cursor}`)
    expect(rest.data.map((m) => m.id)).toEqual([(await expected(P.gateways('groq'))).at(-1)!])
    expect(rest.next_cursor).toBeNull()
  })
})

describe('cursor stability across a catalog change', () => {
  /** The sort position of `id` relative to `last` in the given direction: true when strictly after. */
  const after = (id: string, last: string, order: Order) => (order === 'asc' ? id > last : id < last)

  test.each([
    [false, 'asc'],
    [false, 'desc'],
    [true, 'asc'],
    [true, 'desc'],
  ] as [boolean, Order][])('unique=%p order=%s: page 2 resumes strictly after page 1, none repeated, none skipped', async (unique, order) => {
    const u = upstream()
    const hh = makeHarness({ toml: toml(u.url) })
    try {
      await hh.worker.refresh()
      const view = unique ? '&unique=true' : ''
      const base = `/v1/models?sort=id&order=${order}${view}`
      const before = (await list<{ id: string }>(hh, base)).data.map((m) => m.id)
      // offerings ascending: the groq models come first (groq/ < openrouter/ < together/), so page 1 ends
      // inside the part that changes; otherwise page 1 is half the list and the change straddles it
      const limit = !unique && order === 'asc' ? 6 : Math.floor(before.length / 2)
      const page1 = await list<{ id: string }>(hh, `${base}&limit=${limit}`)
      expect(page1.data.map((m) => m.id)).toEqual(before.slice(0, limit))
      expect(page1.next_cursor).toEqual(expect.any(String))

      u.replay(`${GROQ}/models`, 'groq/groq_models_2025-10-05.json')
      await hh.worker.refresh({ providers: ['groq'] })
      const now = (await list<{ id: string }>(hh, base)).data.map((m) => m.id)
      // the change adds ids before and after page 1's end and removes some: the test means something
      const lastId = page1.data.at(-1)!.id
      expect(now.filter((id) => !before.includes(id)).length).toBeGreaterThan(0)
      expect(before.filter((id) => !now.includes(id)).length).toBeGreaterThan(0)
      if (order === 'asc') expect(now.some((id) => !before.includes(id) && !after(id, lastId, order))).toBe(true)

      const rest: string[] = []
      let cursor = page1.next_cursor
      for (let i = 0; cursor && i < 100; i++) {
        const page: List<{ id: string }> = await list(hh, `${base}&limit=${limit}&cursor=${encodeURIComponent(cursor)}`)
        rest.push(...page.data.map((m) => m.id))
        cursor = page.next_cursor
      }
      expect(rest.length).toBeGreaterThan(0)
      expect(after(rest[0]!, lastId, order)).toBe(true)
      for (const id of page1.data.map((m) => m.id)) expect(rest).not.toContain(id)
      expect(rest).toEqual(now.filter((id) => after(id, lastId, order)))
    } finally {
      await hh.close()
      u.stop()
    }
  })
})

// ---- validation -------------------------------------------------------------------------------------

describe('validation', () => {
  test.each([
    ['limit=0', 'limit'],
    ['limit=abc', 'limit'],
    ['offset=-1', 'offset'],
    ['min_context=-5', 'min_context'],
    ['min_context=1.5', 'min_context'],
    ['max_prompt_price=abc', 'max_prompt_price'],
    ['max_completion_price=-1', 'max_completion_price'],
    ['sort=bogus', 'sort'],
    ['order=up', 'order'],
    ['free=maybe', 'free'],
    ['unique=yes', 'unique'],
    ['limit=10&cursor=garbage', 'cursor'],
    ['limit=10&cursor=%7B%7D', 'cursor'],
    ['gateway=nope', 'gateway'],
    ['exclude_gateway=nope', 'exclude_gateway'],
  ])('%s → 400 naming %s', async (query, param) => {
    const res = await h.get(`/v1/models?${query}`)
    expect(res.status).toBe(400)
    const body = (await res.json()) as { error: { param: string; type: string } }
    expect(body.error).toMatchObject({ param, type: 'invalid_request_error' })
  })

  test('cursor rules: needs limit, no offset, and only the query it came from', async () => {
    const page = await list(h, '/v1/models?sort=name&limit=10')
    const cursor = page.next_cursor!
    expect(typeof cursor).toBe('string')
    // the cursor itself works
    expect((await h.get(`/v1/models?sort=name&limit=10&cursor=${cursor}`)).status).toBe(200)
    for (const query of [
      `sort=name&cursor=${cursor}`, // without limit
      `sort=name&limit=10&offset=3&cursor=${cursor}`, // with offset
      `sort=id&limit=10&cursor=${cursor}`, // another sort
      `sort=name&order=desc&limit=10&cursor=${cursor}`, // another order
      `sort=name&gateway=groq&limit=10&cursor=${cursor}`, // another filter
      `sort=name&unique=true&limit=10&cursor=${cursor}`, // another view
    ]) {
      const res = await h.get(`/v1/models?${query}`)
      expect([query, res.status]).toEqual([query, 400])
      expect(((await res.json()) as { error: { param: string } }).error.param).toBe('cursor')
    }
  })

  test('unknown parameters are ignored: same body as without them', async () => {
    for (const query of ['q=llama&sort=name&limit=5', 'unique=true&free=true', 'gateway=groq&order=desc']) {
      const plain = await h.get(`/v1/models?${query}`)
      const extra = await h.get(`/v1/models?${query}&foo=bar&api-version=2024-01-01&sort_by=x`)
      expect(extra.status).toBe(200)
      expect(await extra.text()).toBe(await plain.text())
    }
  })
})
