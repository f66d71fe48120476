import { sql, type SQL } from 'drizzle-orm'
import type { Db } from '../db/client'
import type { OfferingRow } from './rows'
import { PRICE_COMPONENTS, type Pricing } from '../domain/types'

export const SORT_KEYS = ['id', 'name', 'created', 'context_length', 'prompt_price', 'completion_price', 'provider_count', 'newest'] as const
export type SortKey = (typeof SORT_KEYS)[number]

/** A normalized catalog query: what /v1/models asks the store, in both views. */
export interface CatalogQuery {
  /** Provider ids to include (already resolved from gateway / exclude_gateway; enabled only); undefined: every row. */
  providers?: string[]
  q?: string
  inputModalities?: string[]
  outputModalities?: string[]
  supportedParameters?: string[]
  minContext?: number
  /** USD per token. */
  maxPromptPrice?: number
  maxCompletionPrice?: number
  free?: boolean
  // --- issue 15 (prices): conflicts and lifecycle filters ---
  /** true: only offerings a reference catalog disagrees with (`conflicts`); false: only those without. */
  hasConflicts?: boolean
  /** active: no deprecation; deprecated: a deprecation is announced; expiring: its date falls within 30 days of `today`. */
  lifecycle?: 'active' | 'deprecated' | 'expiring'
  /** YYYY-MM-DD (UTC): the day `expiring` is measured from (part of the query, so cached answers follow the day). */
  today?: string
  // --- end issue 15 ---
  /** Only the offerings of this canonical model (quotes; the unique view's retrieve). */
  canonicalId?: string
  sort: SortKey
  order: 'asc' | 'desc'
  limit?: number
  offset?: number
  /** Keyset position from a cursor: the sort value and id of the last row of the previous page. */
  after?: { value: string | number; id: string }
}

export interface Page<T> {
  rows: T[]
  total: number
  /** The keyset of the last row when more rows follow (the next cursor's content). */
  next: { value: string | number; id: string } | null
}

/** Offering filters as SQL over alias `o`. All listed modalities/parameters must match. */
function filters(q: CatalogQuery): SQL {
  const parts: SQL[] = q.providers ? [sql`o.provider_id in ${q.providers.length ? q.providers : ['']}`] : [sql`1`]
  if (q.q) {
    const like = `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    parts.push(sql`(o.id like ${like} escape '\\' or o.name like ${like} escape '\\' or o.description like ${like} escape '\\')`)
  }
  const all = (column: string, values?: string[]) => {
    for (const v of values ?? []) parts.push(sql`exists (select 1 from json_each(${sql.raw(`o.${column}`)}) where lower(value) = ${v.toLowerCase()})`)
  }
  all('input_modalities', q.inputModalities)
  all('output_modalities', q.outputModalities)
  all('supported_parameters', q.supportedParameters)
  if (q.minContext !== undefined) parts.push(sql`o.context_length >= ${q.minContext}`)
  if (q.maxPromptPrice !== undefined) parts.push(sql`o.prompt_price <= ${q.maxPromptPrice}`)
  if (q.maxCompletionPrice !== undefined) parts.push(sql`o.completion_price <= ${q.maxCompletionPrice}`)
  if (q.free) parts.push(sql`o.prompt_price = 0 and coalesce(o.completion_price, 0) = 0`)
  parts.push(...priceFilters(q))
  if (q.canonicalId !== undefined) parts.push(sql`o.canonical_id = ${q.canonicalId}`)
  return sql.join(parts, sql` and `)
}

// --- issue 15 (prices): the has_conflicts and lifecycle filters, each one WHERE clause over alias `o` ---
/** The day an offering goes (or went) away: the earlier of its deprecation date and end of life. */
const GOES = sql.raw(
  `coalesce(min(date(json_extract(o.deprecation, '$.date')), date(json_extract(o.deprecation, '$.end_of_life'))), date(json_extract(o.deprecation, '$.date')), date(json_extract(o.deprecation, '$.end_of_life')))`,
)
function priceFilters(q: CatalogQuery): SQL[] {
  const parts: SQL[] = []
  if (q.hasConflicts !== undefined) parts.push(q.hasConflicts ? sql`o.conflicts is not null` : sql`o.conflicts is null`)
  if (q.lifecycle === 'active') parts.push(sql`o.deprecation is null`)
  if (q.lifecycle === 'deprecated') parts.push(sql`o.deprecation is not null`)
  if (q.lifecycle === 'expiring') parts.push(sql`${GOES} between date(${q.today}) and date(${q.today}, '+30 days')`)
  return parts
}
// --- end issue 15 ---

/**
 * A sort key as a never-null SQL expression (nulls sort last in both directions), so that
 * (expression, id) is a total order a keyset cursor can resume from.
 */
function sortExpression(key: SortKey, order: 'asc' | 'desc', unique: boolean, providers: string[] | undefined): SQL {
  const last = order === 'asc' ? sql.raw('1e308') : sql.raw('-1')
  const num = (col: string) => sql`coalesce(${sql.raw(col)}, ${last})`
  switch (key) {
    case 'id':
      return sql.raw(unique ? 'g.id' : 'o.id')
    case 'name':
      return sql.raw(unique ? 'lower(g.name)' : 'lower(o.name)')
    case 'created':
      return sql.raw(unique ? 'g.created' : 'coalesce(nullif(o.created, 0), o.first_seen_at)')
    case 'context_length':
      return num(unique ? 'g.context_length' : 'o.context_length')
    case 'prompt_price':
      return num(unique ? 'g.prompt_price' : 'o.prompt_price')
    case 'completion_price':
      return num(unique ? 'g.completion_price' : 'o.completion_price')
    case 'newest':
      return sql.raw(unique ? 'g.first_seen' : 'o.first_seen_at')
    case 'provider_count':
      // the same count the unique view shows: offerings of the model among the selected providers
      return unique
        ? sql.raw('g.provider_count')
        : sql`(select count(*) from offerings x where x.canonical_id = o.canonical_id ${providers ? sql`and x.provider_id in ${providers.length ? providers : ['']}` : sql``})`
  }
}

function keyset(expr: SQL, id: SQL, q: CatalogQuery): SQL {
  if (!q.after) return sql`1`
  return q.order === 'asc' ? sql`(${expr}, ${id}) > (${q.after.value}, ${q.after.id})` : sql`(${expr}, ${id}) < (${q.after.value}, ${q.after.id})`
}

function page(q: CatalogQuery): SQL {
  if (q.limit === undefined) return q.offset ? sql`limit -1 offset ${q.offset}` : sql``
  return sql`limit ${q.limit + 1} offset ${q.offset ?? 0}`
}

const dir = (q: CatalogQuery) => sql.raw(q.order === 'asc' ? 'asc' : 'desc')

/** Known price keys in PRICE_COMPONENTS order, then any other key by name (the set is open). */
function ordered(raw: Pricing | null): Pricing {
  const out: Pricing = {}
  for (const c of PRICE_COMPONENTS) if (raw?.[c] !== undefined) out[c] = raw[c]
  for (const k of Object.keys(raw ?? {}).sort()) if (out[k] === undefined) out[k] = raw![k]!
  return out
}

const parse = <T>(v: string | null): T | null => (v === null ? null : (JSON.parse(v) as T))

/** The offering columns every read maps with toOfferingRow (alias `o`). */
export const OFFERING_COLUMNS_SQL = `o.id, o.provider_id, o.provider_model_id, o.canonical_id, o.canonical_basis, o.name, o.description, o.created, o.owned_by,
  o.context_length, o.max_output_tokens, o.input_modalities, o.output_modalities, o.supported_parameters, o.capabilities,
  o.deprecation, o.extra, o.sources, o.source, o.first_seen_at, o.last_seen_at, o.price_tiers, o.conflicts,
  case when o.source = 'live' then o.last_seen_at * 1000 end as provider_seen,
  (select json_group_object(component, usd) from pricing where offering_id = o.id) as pricing`
const OFFERING_COLUMNS = sql.raw(OFFERING_COLUMNS_SQL)

export type RawOffering = Record<string, unknown> & { id: string; sort_value: string | number }

export function toOfferingRow(r: RawOffering): OfferingRow {
  return {
    id: r.id,
    providerId: r.provider_id as string,
    providerModelId: r.provider_model_id as string,
    canonicalId: r.canonical_id as string,
    canonicalBasis: (r.canonical_basis as string | null) ?? null, // issue 16
    name: r.name as string,
    description: r.description as string | null,
    created: r.created as number | null,
    ownedBy: r.owned_by as string | null,
    contextLength: r.context_length as number | null,
    maxOutputTokens: r.max_output_tokens as number | null,
    inputModalities: parse(r.input_modalities as string | null),
    outputModalities: parse(r.output_modalities as string | null),
    supportedParameters: parse(r.supported_parameters as string | null),
    capabilities: parse(r.capabilities as string | null),
    deprecation: parse(r.deprecation as string | null),
    extra: parse(r.extra as string | null),
    sources: parse(r.sources as string | null),
    source: r.source as string,
    firstSeenAt: r.first_seen_at as number,
    lastSeenAt: r.last_seen_at as number,
    providerSeenAt: r.provider_seen as number | null,
    pricing: ordered(parse<Pricing>(r.pricing as string | null)),
    priceTiers: parse(r.price_tiers as string | null),
    conflicts: parse(r.conflicts as string | null),
  }
}

/** The per-offering view: one indexed query for the page (+1 row to know whether more follow), one count. */
export function queryOfferings(db: Db, q: CatalogQuery): Page<OfferingRow> {
  const expr = sortExpression(q.sort, q.order, false, q.providers)
  const rows = db.all<RawOffering>(sql`
    select ${OFFERING_COLUMNS}, ${expr} as sort_value
    from offerings o
    where ${filters(q)} and ${keyset(expr, sql.raw('o.id'), q)}
    order by ${expr} ${dir(q)}, o.id ${dir(q)}
    ${page(q)}`)
  const more = q.limit !== undefined && rows.length > q.limit
  if (more) rows.pop()
  const total = db.all<{ n: number }>(sql`select count(*) as n from offerings o where ${filters(q)}`)[0]?.n ?? 0
  const last = rows[rows.length - 1]
  return { rows: rows.map(toOfferingRow), total, next: more && last ? { value: last.sort_value, id: last.id } : null }
}

/** One offering by id (primary key), with the same columns and mapping as the lists. */
export function getOffering(db: Db, id: string): OfferingRow | undefined {
  const row = db.all<RawOffering>(sql`select ${OFFERING_COLUMNS} from offerings o where o.id = ${id}`)[0]
  return row && toOfferingRow(row)
}

/** One offering of a canonical model, as the unique view lists it. */
export interface CanonicalOffering {
  id: string
  provider: string
  provider_model_id: string
  /** How its canonical id was reached (issue 16): override | rule | learned:<source> | own; null until maintenance derives it. */
  canonical_basis: string | null
  context_length: number | null
  pricing: Pricing
}

export interface CanonicalRow {
  canonicalId: string
  name: string
  created: number
  contextLength: number | null
  maxOutputTokens: number | null
  inputModalities: string[] | null
  outputModalities: string[] | null
  providerCount: number
  /** Unix seconds: when modelcat first saw any of its offerings. */
  firstSeen: number
  /** ms: the latest successful refresh of a provider offering it. */
  lastSeen: number | null
  offerings: CanonicalOffering[]
  /** The offering with the lowest prompt price (then completion price, then id); null when none is priced. */
  cheapest: CanonicalOffering | null
}

/**
 * The unique view: matching offerings grouped by canonical id in SQLite (window functions pick each
 * group's display name and cheapest offering), one page of groups, then the offerings of just those
 * groups by the (canonical_id, provider_id) index.
 */
export function queryCanonical(db: Db, query: CatalogQuery & { canonicalId?: string }): Page<CanonicalRow> {
  let q = query
  let only = q.canonicalId ? sql`and o.canonical_id = ${q.canonicalId}` : sql``
  // A page in id order (the default: the catalog page's first view and its search) needs no aggregate to
  // know its groups: the page's canonical ids come from the (canonical_id) index, and only those groups
  // are aggregated below: milliseconds, where grouping every matching offering costs ~0.5 s CPU at 50,000.
  // A text search reads every row anyway: one plain scan then, not a walk of the index with a row lookup each.
  let counted: number | undefined
  if (q.sort === 'id' && q.limit !== undefined && !q.canonicalId) {
    // a first page also counts every matching group in the same pass (a window over the groups, before the limit)
    const first = !q.after && !q.offset
    const rows = db.all<{ id: string; n: number }>(sql`
        select o.canonical_id as id ${first ? sql`, count(*) over () as n` : sql``}
        from offerings o ${sql.raw(q.q ? 'not indexed' : 'indexed by offerings_canonical_id_idx')}
        where ${filters(q)} and ${keyset(sql.raw('o.canonical_id'), sql.raw('o.canonical_id'), q)}
        group by o.canonical_id order by o.canonical_id ${dir(q)} ${page(q)}`)
    if (first) counted = rows[0]?.n ?? 0
    const ids = rows.map((r) => r.id)
    only = sql`and o.canonical_id in ${ids.length ? ids : ['']}`
    q = { ...q, offset: undefined, after: undefined } // the ids are the page already
  }
  const expr = sortExpression(q.sort, q.order, true, q.providers)
  const grouped = sql`
    with f as (
      select o.id, o.canonical_id, o.name, o.created, o.first_seen_at, o.context_length, o.max_output_tokens,
        o.input_modalities, o.output_modalities, o.prompt_price, o.completion_price,
        case when o.source = 'live' then o.last_seen_at * 1000 end as provider_seen,
        row_number() over (partition by o.canonical_id order by (o.name = o.provider_model_id), length(o.name), o.id) as name_rank,
        row_number() over (partition by o.canonical_id order by o.prompt_price is null, o.prompt_price, o.completion_price is null, o.completion_price, o.id) as price_rank
      from offerings o where ${filters(q)} ${only}
    ), g as (
      select canonical_id as id, count(*) as provider_count,
        min(coalesce(nullif(created, 0), first_seen_at)) as created,
        max(context_length) as context_length, max(max_output_tokens) as max_output_tokens,
        max(case when name_rank = 1 then name end) as name,
        coalesce(max(case when name_rank = 1 then input_modalities end), max(input_modalities)) as input_modalities,
        coalesce(max(case when name_rank = 1 then output_modalities end), max(output_modalities)) as output_modalities,
        max(case when price_rank = 1 and prompt_price is not null then id end) as cheapest_id,
        min(prompt_price) as prompt_price, min(completion_price) as completion_price,
        min(first_seen_at) as first_seen, max(provider_seen) as last_seen
      from f group by canonical_id
    )`
  const groups = db.all<Record<string, unknown> & { id: string; sort_value: string | number }>(sql`
    ${grouped}
    select g.*, ${expr} as sort_value from g
    where ${keyset(expr, sql.raw('g.id'), q)}
    order by ${expr} ${dir(q)}, g.id ${dir(q)}
    ${page(q)}`)
  const more = q.limit !== undefined && groups.length > q.limit
  if (more) groups.pop()
  // the count walks the (canonical_id, provider_id) index, which covers it (a provider list would otherwise pick
  // the provider index and sort); a text search reads every row anyway: a plain scan is 3-4× cheaper then
  const scan = query.canonicalId ? sql`` : sql.raw(q.q ? 'not indexed' : 'indexed by offerings_canonical_id_idx')
  const total =
    counted ??
    db.all<{ n: number }>(sql`select count(distinct o.canonical_id) as n from offerings o ${scan} where ${filters(q)} ${query.canonicalId ? sql`and o.canonical_id = ${query.canonicalId}` : sql``}`)[0]
      ?.n ??
    0

  const ids = groups.map((g) => g.id)
  const members = new Map<string, CanonicalOffering[]>()
  if (ids.length) {
    // every group of the answer: all matching offerings at once; a page: just its groups' (by index)
    const whole = q.limit === undefined && !q.offset && !q.after
    const rows = db.all<{
      canonical_id: string
      canonical_basis: string | null
      id: string
      provider_id: string
      provider_model_id: string
      context_length: number | null
      pricing: string | null
    }>(sql`
      select o.canonical_id, o.canonical_basis, o.id, o.provider_id, o.provider_model_id, o.context_length,
        (select json_group_object(component, usd) from pricing where offering_id = o.id) as pricing
      from offerings o where ${whole ? sql`1` : sql`o.canonical_id in ${ids}`} and ${filters(q)} ${only}
      order by o.canonical_id, o.id`)
    for (const r of rows) {
      const list = members.get(r.canonical_id) ?? []
      list.push({
        id: r.id,
        provider: r.provider_id,
        provider_model_id: r.provider_model_id,
        canonical_basis: r.canonical_basis,
        context_length: r.context_length,
        pricing: ordered(parse<Pricing>(r.pricing)),
      })
      members.set(r.canonical_id, list)
    }
  }
  const last = groups[groups.length - 1]
  return {
    rows: groups.map((g) => {
      const offerings = members.get(g.id) ?? []
      return {
        canonicalId: g.id,
        name: g.name as string,
        created: g.created as number,
        contextLength: g.context_length as number | null,
        maxOutputTokens: g.max_output_tokens as number | null,
        inputModalities: parse(g.input_modalities as string | null),
        outputModalities: parse(g.output_modalities as string | null),
        providerCount: g.provider_count as number,
        firstSeen: g.first_seen as number,
        lastSeen: g.last_seen as number | null,
        offerings,
        cheapest: offerings.find((o) => o.id === g.cheapest_id) ?? null,
      }
    }),
    total,
    next: more && last ? { value: last.sort_value, id: last.id } : null,
  }
}
