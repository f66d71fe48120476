import type { Db } from '../db/client'
import { type CanonicalOffering, type CanonicalRow, type CatalogQuery, OFFERING_COLUMNS_SQL, type Page, type RawOffering, type SortKey, toOfferingRow } from './reads'
import type { OfferingRow } from './rows'
import { deflateRawSync, inflateRawSync } from 'node:zlib'
import { Bytes } from '../lib/bytes'

/**
 * The query engine: one in-memory index per catalog version, so that any /v1/models query is a few linear
 * passes over typed arrays (50k offerings: well under a millisecond each) plus the serialization of ONE page.
 *
 * The index (IndexData) is plain typed arrays and byte buffers: it is built where the version is committed
 * (the refresh thread in `modelcat serve`) and handed to the HTTP thread by transfer, without a copy.
 * - every offering's API object, serialized once, laid out as the full list's body (`{"object":"list","data":[…]}`):
 *   a page is the concatenation of its rows' byte ranges; the full list is the buffer itself;
 * - `q` is one byte search over the ASCII-lowercased id/name/description of every row (SQLite LIKE semantics);
 * - modalities and parameters: a posting list per (lowercased) value; providers: a small lookup table;
 * - each sort key × order: a permutation computed once, so a sorted filter is a walk that keeps matching rows;
 * - the unique view: per-query aggregation of the matching rows by canonical group (typed arrays), a sort of the
 *   groups, then only the page's groups are materialized.
 * Orders, ties, null placement and cursors are those of the SQL in reads.ts (which stays for single-model reads).
 */

/** Strings of n rows as UTF-8 in one buffer: string i is bytes[offsets[i], offsets[i+1]). */
export interface StringColumn {
  bytes: Uint8Array
  offsets: Uint32Array
}

export interface IndexData {
  /** The catalog version read and its updated_at (ms) (set by the store after a consistent read). */
  version: number
  updatedAt: number
  n: number
  /**
   * Every offering's API object (its JSON, UTF-8), rows in id order, each compressed on its own (raw deflate with
   * `dict`, the first rows' JSON, as a preset dictionary: the keys and shapes every row shares), so that one row
   * is inflated without any other: row r is rowsZ[rowZOff[r], rowZOff[r+1]), rowLen[r] bytes inflated. The full
   * list's body (`{"object":"list","data":[…]}`, listBytes bytes) is these rows joined (`listChunks`).
   */
  rowsZ: Uint8Array
  rowZOff: Uint32Array
  rowLen: Uint32Array
  dict: Uint8Array
  listBytes: number
  /**
   * SHA-256 (base64url) of every row's JSON in id order: the content every offering answer is made of (its rows and
   * their order follow from the query and these objects). Two indexes with the same digest give the same answers.
   */
  digest: string
  ids: StringColumn
  names: StringColumn
  /** lower(name) as SQLite computes it (ASCII only): the `name` sort value. */
  lnames: StringColumn
  /** The JSON texts of the modality columns ('' and a 1 in *Null when NULL). */
  inMods: StringColumn
  outMods: StringColumn
  inNull: Uint8Array
  /** Each offering's pricing (JSON) and canonical basis (index into `bases`, -1 for null): with the id, provider
   * and context length, what the unique view lists of it (CanonicalOffering). */
  pricing: StringColumn
  basis: Int32Array
  bases: string[]
  /** `id\0name\0description\0` per row, ASCII-lowercased; hayOff[3r+k] is where field k of row r starts. */
  hay: Uint8Array
  hayOff: Uint32Array
  provider: Int32Array
  providerIds: string[]
  /** 1 for an offering still from the bootstrap snapshot. */
  bootstrap: Uint8Array
  /** Canonical group of each row; groups are numbered in canonical-id (binary) order. */
  canon: Int32Array
  canonIds: StringColumn
  /** The rows of group g, in id order: groupMembers[groupStart[g] … groupStart[g+1]). */
  groupStart: Uint32Array
  groupMembers: Int32Array
  /** Numbers, NaN for NULL. created = coalesce(nullif(created, 0), first_seen_at). */
  ctx: Float64Array
  maxOut: Float64Array
  prompt: Float64Array
  completion: Float64Array
  created: Float64Array
  firstSeen: Float64Array
  /** min(provider's last success, catalog updated_at) in ms; NaN when NULL. */
  seen: Float64Array
  /** Global ranks whose order within any group is the unique view's name pick and cheapest pick. */
  nameRank: Int32Array
  priceRank: Int32Array
  /** Dense rank of lower(name) (binary): compares names as SQLite does. */
  nameOrd: Int32Array
  /** Posting lists: terms[c] (c = input, output, parameters) → rows, postings[termStart[t] … termStart[t+1]). */
  terms: string[][]
  termStart: Uint32Array
  postings: Int32Array
  /** `${key}:${order}` → the rows in that order (id:asc is the identity and not stored). */
  perms: Record<string, Int32Array>
}

/** The rows whose JSON is the rows' deflate dictionary, and its most bytes (its last ones: a larger one costs more per row, measured, than it saves) */
const DICT_ROWS = 24
const DICT_BYTES = 8192
const LIST_HEAD = '{"object":"list","data":'
const LIST_FOOT = '}'

const CATEGORIES = ['input_modalities', 'output_modalities', 'supported_parameters'] as const
const PERM_KEYS = ['id', 'name', 'created', 'context_length', 'prompt_price', 'completion_price', 'newest'] as const

/** SQLite's lower()/LIKE folding: ASCII letters only. */
export const asciiLower = (s: string) => s.replace(/[A-Z]+/g, (m) => m.toLowerCase())

class Strings {
  #b = new Bytes()
  #off: number[] = [0]
  add(s: string) {
    this.#b.add(s)
    this.#off.push(this.#b.len)
  }
  done(): StringColumn {
    return { bytes: this.#b.done(), offsets: Uint32Array.from(this.#off) }
  }
}

const enc = new TextEncoder()
const COMMA = new Uint8Array([0x2c])
const NOTHING = new Uint8Array(0)
/** A Buffer over each column's bytes, made once: a string is decoded from a range, with no view allocated per read. */
const buffers = new WeakMap<Uint8Array, Buffer>()
const bufferOf = (b: Uint8Array) => {
  let buf = buffers.get(b)
  if (!buf) buffers.set(b, (buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength)))
  return buf
}
const str = (c: StringColumn, i: number) => bufferOf(c.bytes).toString('utf8', c.offsets[i]!, c.offsets[i + 1]!)

function jsonValues(v: unknown): unknown[] {
  if (v === null || v === undefined) return []
  if (Array.isArray(v)) return v
  if (typeof v === 'object') return Object.values(v)
  return [v]
}
const termOf = (v: unknown) => asciiLower(typeof v === 'string' ? v : v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v))

/**
 * Reads every offering once (call inside a read transaction) and builds the index. `serialize` is the API's
 * object of an offering as JSON (the models module's toModel), so the bytes are what the list would send.
 */
export function buildIndexData(db: Db, serialize: (row: OfferingRow) => string): IndexData {
  const stmt = db.$client.query(`select ${OFFERING_COLUMNS_SQL}, o.prompt_price, o.completion_price,
      coalesce(nullif(o.created, 0), o.first_seen_at) as created_eff, lower(o.name) as lname,
      row_number() over (order by o.canonical_id, (o.name = o.provider_model_id), length(o.name), o.id) as name_rank,
      row_number() over (order by o.canonical_id, o.prompt_price is null, o.prompt_price, o.completion_price is null, o.completion_price, o.id) as price_rank,
      dense_rank() over (order by lower(o.name)) as name_ord,
      dense_rank() over (order by o.canonical_id) - 1 as canon_ord
    from offerings o order by o.id`)
  const n = (db.$client.query('select count(*) as n from offerings').get() as { n: number }).n
  // the rows' JSON, compressed one by one: the first DICT_ROWS rows wait until they are the dictionary
  const rowsZ = new Bytes()
  const rowZOff = new Uint32Array(n + 1)
  const rowLen = new Uint32Array(n)
  let listBytes = LIST_HEAD.length + 2 + LIST_FOOT.length + Math.max(0, n - 1)
  let dict: Buffer | undefined
  const pending: Buffer[] = []
  const digest = new Bun.CryptoHasher('sha256')
  const compress = (r: number, json: Buffer) => {
    rowsZ.addBytes(deflateRawSync(json, dict!.length ? { dictionary: dict } : {}))
    rowZOff[r + 1] = rowsZ.len
  }
  const formDictionary = () => {
    const all = Buffer.concat(pending)
    dict = Buffer.from(all.subarray(Math.max(0, all.length - DICT_BYTES))) // its own copy; deflate reaches back to the end first
    for (const [r, json] of pending.entries()) compress(r, json)
    pending.length = 0
  }
  const ids = new Strings()
  const names = new Strings()
  const lnames = new Strings()
  const inMods = new Strings()
  const outMods = new Strings()
  const inNull = new Uint8Array(n)
  const pricing = new Strings()
  const basis = new Int32Array(n)
  const basisIndex = new Map<string, number>()
  const hay = new Bytes()
  const hayOff = new Uint32Array(3 * n + 1)
  const provider = new Int32Array(n)
  const bootstrap = new Uint8Array(n)
  const providerIndex = new Map<string, number>()
  const canon = new Int32Array(n)
  const canonNames: string[] = []
  const num = () => new Float64Array(n)
  const [ctx, maxOut, prompt, completion, created, firstSeen, seen] = [num(), num(), num(), num(), num(), num(), num()]
  const nameRank = new Int32Array(n)
  const priceRank = new Int32Array(n)
  const nameOrd = new Int32Array(n)
  const postings = CATEGORIES.map(() => new Map<string, number[]>())
  const f = (v: unknown) => (v === null || v === undefined ? Number.NaN : Number(v))
  let r = 0
  for (const raw of stmt.iterate() as IterableIterator<RawOffering>) {
    if (r >= n) break // the count and the rows come from one read transaction
    const row = toOfferingRow(raw)
    const json = Buffer.from(serialize(row))
    digest.update(json) // (each row a JSON object: the concatenation tells them apart)
    rowLen[r] = json.length
    listBytes += json.length
    if (dict) compress(r, json)
    else {
      pending.push(json)
      if (pending.length === DICT_ROWS) formDictionary()
    }
    ids.add(row.id)
    names.add(row.name)
    lnames.add(raw.lname as string)
    inMods.add((raw.input_modalities as string | null) ?? '')
    inNull[r] = raw.input_modalities === null ? 1 : 0
    outMods.add((raw.output_modalities as string | null) ?? '')
    pricing.add(JSON.stringify(row.pricing))
    if (row.canonicalBasis === null) basis[r] = -1
    else {
      let b = basisIndex.get(row.canonicalBasis)
      if (b === undefined) basisIndex.set(row.canonicalBasis, (b = basisIndex.size))
      basis[r] = b
    }
    const start = hay.len
    hayOff[3 * r] = hay.len
    hay.add(row.id)
    hay.add('\0')
    hayOff[3 * r + 1] = hay.len
    hay.add(row.name)
    hay.add('\0')
    hayOff[3 * r + 2] = hay.len
    hay.add(row.description ?? '')
    hay.add('\0')
    hay.lowerSince(start)
    let p = providerIndex.get(row.providerId)
    if (p === undefined) providerIndex.set(row.providerId, (p = providerIndex.size))
    provider[r] = p
    bootstrap[r] = raw.source === 'bootstrap' ? 1 : 0
    canon[r] = raw.canon_ord as number
    canonNames[raw.canon_ord as number] ??= row.canonicalId
    ctx[r] = f(raw.context_length)
    maxOut[r] = f(raw.max_output_tokens)
    prompt[r] = f(raw.prompt_price)
    completion[r] = f(raw.completion_price)
    created[r] = f(raw.created_eff)
    firstSeen[r] = f(raw.first_seen_at)
    seen[r] = f(raw.provider_seen)
    nameRank[r] = raw.name_rank as number
    priceRank[r] = raw.price_rank as number
    nameOrd[r] = raw.name_ord as number
    const values = [row.inputModalities, row.outputModalities, row.supportedParameters]
    for (let c = 0; c < CATEGORIES.length; c++) {
      for (const t of new Set(jsonValues(values[c]).map(termOf))) {
        const list = postings[c]!.get(t)
        if (list) list.push(r)
        else postings[c]!.set(t, [r])
      }
    }
    r++
  }
  hayOff[3 * n] = hay.len
  if (!dict) formDictionary()

  // groups: members in id order
  const G = canonNames.length
  const groupStart = new Uint32Array(G + 1)
  for (let i = 0; i < n; i++) groupStart[canon[i]! + 1]!++
  for (let g = 0; g < G; g++) groupStart[g + 1]! += groupStart[g]!
  const fill = groupStart.slice(0, G)
  const groupMembers = new Int32Array(n)
  for (let i = 0; i < n; i++) groupMembers[fill[canon[i]!]!++] = i
  const canonIds = new Strings()
  for (const id of canonNames) canonIds.add(id)

  const terms = postings.map((m) => [...m.keys()])
  const termStart = new Uint32Array(terms.reduce((s, t) => s + t.length, 0) + 1)
  const flat = new Int32Array(postings.reduce((s, m) => s + [...m.values()].reduce((x, l) => x + l.length, 0), 0))
  let t = 0
  for (const m of postings)
    for (const l of m.values()) {
      flat.set(l, termStart[t]!)
      termStart[t + 1] = termStart[t]! + l.length
      t++
    }

  const data: IndexData = {
    version: 0,
    updatedAt: 0,
    n,
    rowsZ: rowsZ.done(),
    rowZOff,
    rowLen,
    dict: new Uint8Array(dict!),
    listBytes,
    digest: digest.digest('base64url'),
    ids: ids.done(),
    names: names.done(),
    lnames: lnames.done(),
    inMods: inMods.done(),
    outMods: outMods.done(),
    inNull,
    pricing: pricing.done(),
    basis,
    bases: [...basisIndex.keys()],
    hay: hay.done(),
    hayOff,
    provider,
    providerIds: [...providerIndex.keys()],
    bootstrap,
    canon,
    canonIds: canonIds.done(),
    groupStart,
    groupMembers,
    ctx,
    maxOut,
    prompt,
    completion,
    created,
    firstSeen,
    seen,
    nameRank,
    priceRank,
    nameOrd,
    terms,
    termStart,
    postings: flat,
    perms: {},
  }
  for (const key of PERM_KEYS)
    for (const order of ['asc', 'desc'] as const) {
      if (key === 'id' && order === 'asc') continue
      const v = rowKey(data, key, order)
      const perm = new Int32Array(n)
      for (let i = 0; i < n; i++) perm[i] = i
      perm.sort(order === 'asc' ? (a, b) => v[a]! - v[b]! || a - b : (a, b) => v[b]! - v[a]! || b - a)
      data.perms[`${key}:${order}`] = perm
    }
  return data
}

/** A sort key of every row as a number that orders as SQLite's expression does (names by their rank, ids by row). */
function rowKey(d: IndexData, key: Exclude<SortKey, 'provider_count'>, order: 'asc' | 'desc'): Float64Array {
  const last = order === 'asc' ? 1e308 : -1
  const eff = (a: Float64Array) => a.map((x) => (Number.isNaN(x) ? last : x))
  switch (key) {
    case 'id':
      return Float64Array.from({ length: d.n }, (_, i) => i)
    case 'name':
      return Float64Array.from(d.nameOrd)
    case 'created':
      return d.created
    case 'newest':
      return d.firstSeen
    case 'context_length':
      return eff(d.ctx)
    case 'prompt_price':
      return eff(d.prompt)
    case 'completion_price':
      return eff(d.completion)
  }
}

/** SQLite's comparison of two sort values: numbers before text; text by its UTF-8 bytes. */
function compareValues(a: string | number, b: string | number): number {
  if (typeof a === 'number') return typeof b === 'number' ? (a < b ? -1 : a > b ? 1 : 0) : -1
  if (typeof b === 'number') return 1
  if (a === b) return 0
  return Buffer.compare(Buffer.from(a), Buffer.from(b))
}

/** Strings i and j of a column compared by their bytes (memcmp order), without a view per call. */
function compareBytes(c: StringColumn, i: number, j: number): number {
  const b = c.bytes
  const [a0, a1, b0, b1] = [c.offsets[i]!, c.offsets[i + 1]!, c.offsets[j]!, c.offsets[j + 1]!]
  const n = Math.min(a1 - a0, b1 - b0)
  for (let k = 0; k < n; k++) {
    const d = b[a0 + k]! - b[b0 + k]!
    if (d) return d < 0 ? -1 : 1
  }
  return a1 - a0 === b1 - b0 ? 0 : a1 - a0 < b1 - b0 ? -1 : 1
}

/**
 * The first position in `order[0..count)` after the cursor (value, id), the list being sorted by
 * (value, id) in `dir`: a binary search.
 */
function resumeAt(count: number, dir: 'asc' | 'desc', after: { value: string | number; id: string }, value: (i: number) => string | number, id: (i: number) => string): number {
  let lo = 0
  let hi = count
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const c = compareValues(value(mid), after.value) || compareValues(id(mid), after.id)
    const past = dir === 'asc' ? c > 0 : c < 0
    if (past) hi = mid
    else lo = mid + 1
  }
  return lo
}

/**
 * A unique-view group as the index holds it: its offerings are rows of the index (IndexData), not objects, so
 * that a writer copies their fields from the columns' bytes (ids, prices as stored) instead of decoding them.
 */
export interface CanonicalGroup extends Omit<CanonicalRow, 'offerings' | 'cheapest'> {
  /** The group's matching offerings: rows of the index, in id order. */
  rows: number[]
  /** The cheapest offering's position in `rows` (-1: none is priced). */
  cheapest: number
}

/** A page of offerings: the rows (indexes into the index) and the JSON array of their API objects. */
export interface OfferingPage extends Page<number> {
  /** `prefix[…]suffix` as UTF-8: the page's objects as the full list serialized them, copied as bytes. */
  bytes: (prefix: string, suffix: string) => Uint8Array
  /** The length of what `bytes` makes, known without making it (the rows' lengths are in the index). */
  size: (prefix: string, suffix: string) => number
  /** What `bytes` makes, in pieces of `rows` rows, each made as it is read: never whole in memory. */
  chunks: (prefix: string, suffix: string, rows?: number) => Generator<Uint8Array>
}

export class QueryEngine {
  readonly #providers: Map<string, number>
  readonly #terms: Map<string, number>[]
  readonly #hay: Buffer
  readonly #inflateOptions: { dictionary?: Buffer }

  constructor(readonly data: IndexData) {
    this.#inflateOptions = data.dict.length ? { dictionary: Buffer.from(data.dict.buffer, data.dict.byteOffset, data.dict.byteLength) } : {}
    this.#providers = new Map(data.providerIds.map((p, i) => [p, i]))
    let t = 0
    this.#terms = data.terms.map((list) => new Map(list.map((term) => [term, t++])))
    this.#hay = Buffer.from(data.hay.buffer, data.hay.byteOffset, data.hay.byteLength)
  }

  get version() {
    return this.data.version
  }

  /** Offerings per provider, and how many of them are still from the bootstrap snapshot. */
  providerCounts(): Map<string, { total: number; bootstrap: number }> {
    const d = this.data
    const out = d.providerIds.map(() => ({ total: 0, bootstrap: 0 }))
    for (let r = 0; r < d.n; r++) {
      const c = out[d.provider[r]!]!
      c.total++
      c.bootstrap += d.bootstrap[r]!
    }
    return new Map(d.providerIds.map((p, i) => [p, out[i]!]))
  }

  #providerMask(providers: string[] | undefined): Uint8Array {
    const d = this.data
    const m = new Uint8Array(d.n)
    if (!providers) return m.fill(1)
    const sel = new Uint8Array(d.providerIds.length)
    for (const p of providers) {
      const i = this.#providers.get(p)
      if (i !== undefined) sel[i] = 1
    }
    for (let r = 0; r < d.n; r++) m[r] = sel[d.provider[r]!]!
    return m
  }

  /** 1 for each row matching every filter of `q` (not its position). */
  #mask(q: CatalogQuery): Uint8Array {
    const d = this.data
    const n = d.n
    const m = this.#providerMask(q.providers)
    const keep = (pred: (r: number) => boolean) => {
      for (let r = 0; r < n; r++) if (m[r] && !pred(r)) m[r] = 0
    }
    if (q.minContext !== undefined) {
      const min = q.minContext
      keep((r) => d.ctx[r]! >= min)
    }
    if (q.maxPromptPrice !== undefined) {
      const max = q.maxPromptPrice
      keep((r) => d.prompt[r]! <= max)
    }
    if (q.maxCompletionPrice !== undefined) {
      const max = q.maxCompletionPrice
      keep((r) => d.completion[r]! <= max)
    }
    if (q.free) keep((r) => d.prompt[r] === 0 && (Number.isNaN(d.completion[r]!) || d.completion[r] === 0))
    const wanted = [q.inputModalities, q.outputModalities, q.supportedParameters]
    const required: number[] = []
    for (let c = 0; c < CATEGORIES.length; c++)
      for (const v of wanted[c] ?? []) {
        const t = this.#terms[c]!.get(v.toLowerCase())
        if (t === undefined) {
          m.fill(0)
          return m
        }
        required.push(t)
      }
    if (required.length) {
      const hits = new Uint16Array(n)
      for (const t of required) for (let i = d.termStart[t]!; i < d.termStart[t + 1]!; i++) hits[d.postings[i]!]!++
      const k = required.length
      for (let r = 0; r < n; r++) if (hits[r] !== k) m[r] = 0
    }
    if (q.q) {
      const found = this.#search(q.q)
      for (let r = 0; r < n; r++) m[r]! &= found[r]!
    }
    return m
  }

  /** Rows whose id, name or description contains `text` (LIKE '%text%': ASCII case folded, nothing else special). */
  #search(text: string): Uint8Array {
    const d = this.data
    const found = new Uint8Array(d.n)
    const needle = Buffer.from(asciiLower(text))
    const off = d.hayOff
    let from = 0
    let lo = 0
    for (;;) {
      const pos = this.#hay.indexOf(needle, from)
      if (pos < 0) break
      // the row holding pos: the last r with off[3r] <= pos (rows only move forward: a walk, O(n) over the whole search)
      while (lo + 1 < d.n && off[3 * (lo + 1)]! <= pos) lo++
      const field = 3 * lo + (pos >= off[3 * lo + 2]! ? 2 : pos >= off[3 * lo + 1]! ? 1 : 0)
      if (pos + needle.length <= off[field + 1]! - 1) {
        found[lo] = 1
        from = off[3 * lo + 3]!
      } else from = pos + 1
    }
    return found
  }

  /** The per-offering view. */
  queryOfferings(q: CatalogQuery): OfferingPage {
    const d = this.data
    const n = d.n
    const m = this.#mask(q)
    const out = new Int32Array(n)
    let k = 0
    let value: (r: number) => string | number
    if (q.sort === 'provider_count') {
      const sel = this.#providerMask(q.providers)
      const counts = new Int32Array(d.canonIds.offsets.length - 1)
      for (let r = 0; r < n; r++) if (sel[r]) counts[d.canon[r]!]!++
      const c = (r: number) => counts[d.canon[r]!]!
      // a counting sort by count, stable in id order (reversed for desc)
      let top = 0
      for (let r = 0; r < n; r++) if (m[r] && c(r) > top) top = c(r)
      const at = new Uint32Array(top + 2)
      for (let r = 0; r < n; r++)
        if (m[r]) {
          at[(q.order === 'asc' ? c(r) : top - c(r)) + 1]!++
          k++
        }
      for (let b = 1; b < at.length; b++) at[b]! += at[b - 1]!
      for (let i = 0; i < n; i++) {
        const r = q.order === 'asc' ? i : n - 1 - i
        if (m[r]) out[at[q.order === 'asc' ? c(r) : top - c(r)]!++] = r
      }
      value = c
    } else {
      const perm = d.perms[`${q.sort}:${q.order}`]
      for (let i = 0; i < n; i++) {
        const r = perm ? perm[i]! : i
        if (m[r]) out[k++] = r
      }
      value = this.#offeringValue(q.sort, q.order)
    }
    const id = (r: number) => str(d.ids, r)
    const rows = this.#window(
      k,
      q,
      (i) => value(out[i]!),
      (i) => id(out[i]!),
    )
    const page = Array.from(out.subarray(rows.start, rows.end))
    const last = page[page.length - 1]
    return {
      rows: page,
      total: k,
      next: rows.more && last !== undefined ? { value: value(last), id: id(last) } : null,
      bytes: (prefix, suffix) => this.#json(page, prefix, suffix),
      size: (prefix, suffix) => this.#length(page, enc.encode(`${prefix}[`), enc.encode(`]${suffix}`)),
      chunks: (prefix, suffix, rows = 512) => this.#pieces(page, enc.encode(`${prefix}[`), enc.encode(`]${suffix}`), rows),
    }
  }

  /** Keyset, offset and limit over `count` ordered results: the page's [start, end) and whether more follow. */
  #window(count: number, q: CatalogQuery, value: (i: number) => string | number, id: (i: number) => string) {
    let start = 0
    if (q.after) {
      // a text sort key compares a numeric cursor value as text (the column's affinity)
      const after = q.sort === 'id' && typeof q.after.value === 'number' ? { ...q.after, value: String(q.after.value) } : q.after
      start = resumeAt(count, q.order, after, value, id)
    }
    start = Math.min(count, start + (q.offset ?? 0))
    const end = q.limit === undefined ? count : Math.min(count, start + q.limit)
    return { start, end, more: q.limit !== undefined && end < count }
  }

  #offeringValue(key: Exclude<SortKey, 'provider_count'>, order: 'asc' | 'desc'): (r: number) => string | number {
    const d = this.data
    const last = order === 'asc' ? 1e308 : -1
    const eff = (a: Float64Array) => (r: number) => (Number.isNaN(a[r]!) ? last : a[r]!)
    switch (key) {
      case 'id':
        return (r) => str(d.ids, r)
      case 'name':
        return (r) => str(d.lnames, r)
      case 'created':
        return (r) => d.created[r]!
      case 'newest':
        return (r) => d.firstSeen[r]!
      case 'context_length':
        return eff(d.ctx)
      case 'prompt_price':
        return eff(d.prompt)
      case 'completion_price':
        return eff(d.completion)
    }
  }

  /** Row r's API object (JSON, UTF-8), inflated. */
  #row(r: number): Buffer {
    const d = this.data
    return inflateRawSync(d.rowsZ.subarray(d.rowZOff[r]!, d.rowZOff[r + 1]!), this.#inflateOptions)
  }

  /** `prefix` + the JSON array of rows' objects (each inflated from the index, joined) + `suffix`, as UTF-8. */
  #json(rows: ArrayLike<number>, prefix: string, suffix: string): Uint8Array {
    return this.#concat(rows, enc.encode(`${prefix}[`), enc.encode(`]${suffix}`))
  }

  /** The length of `before` + rows' objects joined by commas + `after` (the rows' lengths are in the index). */
  #length(rows: ArrayLike<number>, before: Uint8Array, after: Uint8Array): number {
    let size = before.length + after.length + Math.max(0, rows.length - 1)
    for (let i = 0; i < rows.length; i++) size += this.data.rowLen[rows[i]!]!
    return size
  }

  /** `before` + rows' objects joined by commas + `after`, in one new buffer of exactly that size. */
  #concat(rows: ArrayLike<number>, before: Uint8Array, after: Uint8Array): Uint8Array {
    const d = this.data
    const buf = new Uint8Array(this.#length(rows, before, after))
    buf.set(before)
    let at = before.length
    for (let i = 0; i < rows.length; i++) {
      if (i) buf[at++] = 0x2c // ,
      const r = rows[i]!
      buf.set(this.#row(r), at)
      at += d.rowLen[r]!
    }
    buf.set(after, at)
    return buf
  }

  /**
   * The full list's body (every offering in id order: the plain list's answer) in pieces of `rows` rows, made as
   * they are read: the refresh thread makes the list's ETag, gzip and br from them, never holding all of it.
   */
  listChunks(providers?: string[], rows = 512): Generator<Uint8Array> {
    return this.#pieces(this.#listed(providers), enc.encode(`${LIST_HEAD}[`), enc.encode(`]${LIST_FOOT}`), rows)
  }

  /** `before` + rows' objects joined by commas + `after`, in pieces of `per` rows made as they are read. */
  *#pieces(rows: ArrayLike<number> & { slice(from: number, to: number): ArrayLike<number> }, before: Uint8Array, after: Uint8Array, per: number): Generator<Uint8Array> {
    yield before
    for (let from = 0; from < rows.length; from += per) yield this.#concat(rows.slice(from, from + per), from > 0 ? COMMA : NOTHING, NOTHING)
    yield after
  }

  /** The rows of `providers` (all when undefined), in id order. */
  #listed(providers: string[] | undefined): Int32Array {
    const m = this.#providerMask(providers)
    const rows = new Int32Array(m.reduce((a, b) => a + b, 0))
    for (let r = 0, k = 0; r < this.data.n; r++) if (m[r]) rows[k++] = r
    return rows
  }

  /** The unique view: matching offerings grouped by canonical id, one page of groups materialized. */
  queryCanonical(q: CatalogQuery): Page<CanonicalRow> {
    const page = this.canonicalPage(q)
    return { rows: Array.from({ length: page.length }, (_, i) => page.row(i)), total: page.total, next: page.next }
  }

  /**
   * The unique view's page, each group materialized only when asked for (`row(i)`): a caller that serializes
   * group by group (the full unique view: tens of thousands of groups) holds one group's objects at a time.
   */
  canonicalPage(q: CatalogQuery): {
    length: number
    row: (i: number) => CanonicalRow
    /** The group as the index holds it (its offerings as rows): what the unique view's writer reads. */
    group: (i: number) => CanonicalGroup
    total: number
    next: Page<CanonicalRow>['next']
  } {
    const d = this.data
    const n = d.n
    const G = d.canonIds.offsets.length - 1
    const m = this.#mask(q)
    const count = new Int32Array(G)
    const created = new Float64Array(G)
    const ctx = new Float64Array(G).fill(Number.NaN)
    const maxOut = new Float64Array(G).fill(Number.NaN)
    const prompt = new Float64Array(G).fill(Number.NaN)
    const completion = new Float64Array(G).fill(Number.NaN)
    const first = new Float64Array(G)
    const seen = new Float64Array(G).fill(Number.NaN)
    const pickName = new Int32Array(G)
    const pickPrice = new Int32Array(G)
    const touched = new Int32Array(G)
    let k = 0
    const max = (a: Float64Array, g: number, v: number) => {
      if (!Number.isNaN(v) && !(a[g]! >= v)) a[g] = v
    }
    const min = (a: Float64Array, g: number, v: number) => {
      if (!Number.isNaN(v) && !(a[g]! <= v)) a[g] = v
    }
    for (let r = 0; r < n; r++) {
      if (!m[r]) continue
      const g = d.canon[r]!
      if (count[g]!++ === 0) {
        touched[k++] = g
        created[g] = d.created[r]!
        first[g] = d.firstSeen[r]!
        pickName[g] = r
        pickPrice[g] = r
      } else {
        if (d.created[r]! < created[g]!) created[g] = d.created[r]!
        if (d.firstSeen[r]! < first[g]!) first[g] = d.firstSeen[r]!
        if (d.nameRank[r]! < d.nameRank[pickName[g]!]!) pickName[g] = r
        if (d.priceRank[r]! < d.priceRank[pickPrice[g]!]!) pickPrice[g] = r
      }
      max(ctx, g, d.ctx[r]!)
      max(maxOut, g, d.maxOut[r]!)
      min(prompt, g, d.prompt[r]!)
      min(completion, g, d.completion[r]!)
      max(seen, g, d.seen[r]!)
    }
    const last = q.order === 'asc' ? 1e308 : -1
    const eff = (a: Float64Array) => (g: number) => (Number.isNaN(a[g]!) ? last : a[g]!)
    // the sort key as a number (names by rank, ids by group number) and as the cursor's value
    let key: (g: number) => number
    let value: (g: number) => string | number
    switch (q.sort) {
      case 'id':
        key = (g) => g
        value = (g) => str(d.canonIds, g)
        break
      case 'name':
        key = (g) => d.nameOrd[pickName[g]!]!
        value = (g) => str(d.lnames, pickName[g]!)
        break
      case 'created':
        key = value = (g) => created[g]!
        break
      case 'newest':
        key = value = (g) => first[g]!
        break
      case 'provider_count':
        key = value = (g) => count[g]!
        break
      case 'context_length':
        key = value = eff(ctx)
        break
      case 'prompt_price':
        key = value = eff(prompt)
        break
      case 'completion_price':
        key = value = eff(completion)
        break
    }
    const groups = touched.subarray(0, k)
    if (q.sort !== 'id') {
      const keys = new Float64Array(G)
      for (const g of groups) keys[g] = key(g)
      groups.sort(q.order === 'asc' ? (a, b) => keys[a]! - keys[b]! || a - b : (a, b) => keys[b]! - keys[a]! || b - a)
    } else {
      groups.sort()
      if (q.order === 'desc') groups.reverse()
    }
    const w = this.#window(
      k,
      q,
      (i) => value(groups[i]!),
      (i) => str(d.canonIds, groups[i]!),
    )
    const page = groups.subarray(w.start, w.end)
    const group = (i: number): CanonicalGroup => {
      const g = page[i]!
      const rows: number[] = []
      let bestIn = -1
      let bestOut = -1
      let cheapest = -1
      const cheapestRow = Number.isNaN(d.prompt[pickPrice[g]!]!) ? -1 : pickPrice[g]!
      for (let j = d.groupStart[g]!; j < d.groupStart[g + 1]!; j++) {
        const r = d.groupMembers[j]!
        if (!m[r]) continue
        if (r === cheapestRow) cheapest = rows.length
        rows.push(r)
        if (!d.inNull[r] && (bestIn < 0 || compareBytes(d.inMods, r, bestIn) > 0)) bestIn = r
        if (d.outMods.offsets[r + 1]! > d.outMods.offsets[r]! && (bestOut < 0 || compareBytes(d.outMods, r, bestOut) > 0)) bestOut = r
      }
      const named = pickName[g]!
      const modalities = (c: StringColumn, isNull: boolean, best: number) => (!isNull ? JSON.parse(str(c, named)) : best >= 0 ? JSON.parse(str(c, best)) : null)
      return {
        canonicalId: str(d.canonIds, g),
        name: str(d.names, named),
        created: created[g]!,
        contextLength: Number.isNaN(ctx[g]!) ? null : ctx[g]!,
        maxOutputTokens: Number.isNaN(maxOut[g]!) ? null : maxOut[g]!,
        inputModalities: modalities(d.inMods, d.inNull[named] === 1, bestIn),
        outputModalities: modalities(d.outMods, d.outMods.offsets[named + 1] === d.outMods.offsets[named], bestOut),
        providerCount: count[g]!,
        firstSeen: first[g]!,
        lastSeen: Number.isNaN(seen[g]!) ? null : seen[g]!,
        rows,
        cheapest,
      }
    }
    const row = (i: number): CanonicalRow => {
      const { rows, cheapest, ...fields } = group(i)
      const offerings = rows.map((r): CanonicalOffering => {
        const id = str(d.ids, r)
        const provider = d.providerIds[d.provider[r]!]!
        return {
          id,
          provider,
          provider_model_id: id.slice(provider.length + 1), // ids are `${provider}/${provider_model_id}`
          canonical_basis: d.basis[r]! < 0 ? null : d.bases[d.basis[r]!]!,
          context_length: Number.isNaN(d.ctx[r]!) ? null : d.ctx[r]!,
          pricing: JSON.parse(str(d.pricing, r)),
        }
      })
      return { ...fields, offerings, cheapest: offerings[cheapest] ?? null }
    }
    const lastGroup = page[page.length - 1]
    return { length: page.length, row, group, total: k, next: w.more && lastGroup !== undefined ? { value: value(lastGroup), id: str(d.canonIds, lastGroup) } : null }
  }
}

/** Every buffer of an index, for a transfer list (the HTTP thread receives them without a copy). */
export function indexBuffers(d: IndexData): ArrayBuffer[] {
  const views = [
    d.rowsZ,
    d.rowZOff,
    d.rowLen,
    d.dict,
    d.ids.bytes,
    d.ids.offsets,
    d.names.bytes,
    d.names.offsets,
    d.lnames.bytes,
    d.lnames.offsets,
    d.inMods.bytes,
    d.inMods.offsets,
    d.outMods.bytes,
    d.outMods.offsets,
    d.inNull,
    d.pricing.bytes,
    d.pricing.offsets,
    d.basis,
    d.hay,
    d.hayOff,
    d.provider,
    d.bootstrap,
    d.canon,
    d.canonIds.bytes,
    d.canonIds.offsets,
    d.groupStart,
    d.groupMembers,
    d.ctx,
    d.maxOut,
    d.prompt,
    d.completion,
    d.created,
    d.firstSeen,
    d.seen,
    d.nameRank,
    d.priceRank,
    d.nameOrd,
    d.termStart,
    d.postings,
    ...Object.values(d.perms),
  ]
  return [...new Set(views.map((v) => v.buffer as ArrayBuffer))]
}

/**
 * The engine of the current catalog generation on one thread. `build: true` builds it from the DB on first
 * use after each new version (one thread does everything: tests, CLI, the refresh thread itself);
 * `build: false` only adopts indexes built elsewhere (the HTTP thread of `modelcat serve`) and answers
 * undefined until one for the current version arrived (callers then read SQLite).
 */
/** What the index needs of the store (structural: the store imports this file). */
interface IndexedCatalog {
  readonly version: number
  readonly generation: number
  indexData(serialize: (row: OfferingRow) => string): IndexData
}

export class CatalogIndex {
  #engine?: QueryEngine
  #generation = -1

  constructor(
    private readonly store: IndexedCatalog,
    private readonly opts: { build: boolean; serialize: (row: OfferingRow) => string },
  ) {}

  current(): QueryEngine | undefined {
    if (this.#engine && this.#generation === this.store.generation) return this.#engine
    if (!this.opts.build) return undefined
    const generation = this.store.generation
    const engine = new QueryEngine(this.store.indexData(this.opts.serialize))
    if (engine.version !== this.store.version) return engine // a newer commit this thread has not heard of: not kept
    this.#engine = engine
    this.#generation = generation
    return engine
  }

  /** Forgets the engine (its buffers were transferred to another thread). */
  release() {
    this.#engine = undefined
    this.#generation = -1
  }

  /** Installs an index built on another thread; one of another version than the current is ignored. */
  adopt(data: IndexData) {
    if (data.version !== this.store.version) return
    this.#engine = new QueryEngine(data)
    this.#generation = this.store.generation
  }
}
