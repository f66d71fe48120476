import type { ResolvedProvider } from '../../config'
import { resolveGateways } from '../../http/gateways'
import type { CatalogIndex, IndexData, QueryEngine } from '../../catalog/engine'
import { catalogQueryOf } from '../../http/catalog-query'
import type { CatalogQuery } from '../../catalog/reads'
import type { CatalogStore } from '../../catalog/store'
import { answerKey, type AnswerCache, type AnswerKey, IndexedAnswer, type PrebuiltBody, StreamedAnswer } from '../../serving/answer-cache'
import { type CachedBody, etagOf } from '../../serving/cached-body'
import { StreamedBody } from '../../serving/streamed-body'
import { ApiError } from '../../http/errors'
import { providerStatus } from '../../catalog/provider-status'
import type { ListModelsQuery } from './model'
import { CanonicalWriter, toCanonicalModel, toModel } from './serialize'
import { Bytes } from '../../lib/bytes'
import pkg from '../../../package.json'

/** Offerings per piece of a streamed answer: ~2–4 ms of inflating on the HTTP thread between two turns of its event loop. */
const STREAM_ROWS = 256

const bad = (param: string, message: string, code = 'invalid_parameter') => new ApiError(400, message, { param, code })

/**
 * Answers model queries from the store. Each answer is built once per (catalog generation, normalized
 * query) in the answer cache (src/serving) and served as bytes from then on; the hot views — the full list
 * and the unique view — are rebuilt and compressed right after each new version (on the refresh thread in
 * `modelcat serve`). Nothing but the normalized query and the version can vary an answer.
 */
export class ModelsService {
  /** The query engine of the current version (src/catalog/engine.ts); without one, lists are read from SQLite. */
  readonly index?: CatalogIndex

  constructor(
    private readonly store: CatalogStore,
    private readonly providers: ResolvedProvider[],
    /** Where answers are kept (src/serving): one per thread, shared with the front door's fast path. */
    readonly answers: AnswerCache,
    opts: { warm?: boolean; index?: CatalogIndex } = {},
  ) {
    this.index = opts.index
    if (opts.warm ?? true) store.onNewVersion(() => setTimeout(() => void this.warm(), 0))
  }

  /**
   * Builds and compresses the full list of the current version ahead of the first request for it. Only an
   * optimization: a failure (the DB closing at shutdown) is left to the request path, which rebuilds and reports.
   */
  async warm() {
    try {
      for (const q of ModelsService.HOT) await this.list(q).warm()
    } catch {}
  }

  /** The validated query as the store's CatalogQuery: gateways resolved, lists split, cursor decoded. */
  normalize(query: ListModelsQuery): { catalog: CatalogQuery; unique: boolean } {
    const catalog: CatalogQuery = {
      ...catalogQueryOf(this.providers, query),
      sort: query.sort ?? 'id',
      order: query.order ?? (query.sort === 'newest' ? 'desc' : 'asc'),
      limit: query.limit,
      offset: query.offset,
    }
    const unique = query.unique ?? false
    if (query.cursor !== undefined) {
      if (query.limit === undefined) throw bad('cursor', "'cursor' pages need 'limit' (the page size)")
      if (query.offset !== undefined) throw bad('cursor', "'cursor' and 'offset' cannot be combined: the cursor already says where to resume")
      catalog.after = decodeCursor(query.cursor, cursorScope(catalog, unique))
    }
    return { catalog, unique }
  }

  /** The queries whose answers are built for every new version before any client asks: the hot paths. */
  static readonly HOT: ListModelsQuery[] = [
    { free: false, unique: false },
    { free: false, unique: true },
  ]

  /** The cache key of a query (its normalized form). */
  keyOf(query: ListModelsQuery): AnswerKey {
    const { catalog, unique } = this.normalize(query)
    return answerKey({ catalog, unique })
  }

  /** The cached answer of GET /v1/models for a query, built whatever its size (the refresh thread, the CLI). */
  list(query: ListModelsQuery): CachedBody {
    const body = this.#answer(query, false)
    if (body instanceof StreamedBody) throw new Error('unreachable: list() never streams')
    return body
  }

  /**
   * The answer of GET /v1/models for a query as the HTTP routes send it: cached, or, when the offerings it lists
   * are more than the answer cache holds (`maxHeldBytes`, 8 MiB by default: a whole-catalog answer is ~60 MB
   * at 50k offerings), sent as it is made (StreamedBody), never whole in memory.
   */
  answer(query: ListModelsQuery): CachedBody | StreamedBody {
    return this.#answer(query, true)
  }

  #answer(query: ListModelsQuery, stream: boolean): CachedBody | StreamedBody {
    const { catalog, unique } = this.normalize(query)
    const key = answerKey({ catalog, unique })
    return this.answers.getOrStream(key, () => {
      const paged = catalog.limit !== undefined || catalog.offset !== undefined
      // the index of the version this thread serves answers, also while the refresh thread has committed a newer one
      // and builds its index (seconds at 50k offerings): the answer is of the served version, like the hot views
      // (IndexedAnswer), not a slow SQLite read of the next one; an index of the DB's version answers too
      const indexed = this.index?.current()
      const current = indexed && (indexed.version === this.store.version || indexed.version === this.store.readVersion())
      // the price filters (has_conflicts, lifecycle) are not in the index: SQLite answers those
      const engine = current && catalog.hasConflicts === undefined && catalog.lifecycle === undefined ? indexed : undefined
      const tail = (page: { total: number; next: { value: string | number; id: string } | null }) => {
        const next_cursor = page.next ? encodeCursor(page.next, cursorScope(catalog, unique)) : null
        return { total: page.total, has_more: page.next !== null, next_cursor }
      }
      // the text around the data array: what JSON.stringify makes of { object, data, total, has_more, next_cursor }
      const envelope = (page: Parameters<typeof tail>[0]) => ['{"object":"list","data":', paged ? `,${JSON.stringify(tail(page)).slice(1)}` : '}'] as const
      if (!unique && engine) {
        // the page's objects as serialized when the index was built, inflated and joined as bytes (never parsed back)
        const rows = engine.queryOfferings(catalog)
        const [head, foot] = envelope(rows)
        const size = rows.size(head, foot)
        // its ETag from what the answer is made of: the index's content and the query (same catalog → same ETag), and
        // the release (one that changes how a query is answered must not give another body the same ETag)
        if (stream && size > this.answers.maxHeldBytes)
          return new StreamedAnswer(etagOf(new Bun.CryptoHasher('sha256').update(`${pkg.version}\0${engine.data.digest}\0${key}`)), size, engine.version, () => rows.chunks(head, foot, STREAM_ROWS))
        return new IndexedAnswer(rows.bytes(head, foot), engine.version)
      }
      if (unique && engine) {
        // group by group into one growing buffer: the full unique view (~20k groups at 50k offerings) never
        // holds all its objects, their JSON text and its bytes at once
        const groups = engine.canonicalPage(catalog)
        const writer = new CanonicalWriter(engine.data, this.#statusOf(engine))
        const [head, foot] = envelope(groups)
        const out = new Bytes()
        out.add(`${head}[`)
        for (let i = 0; i < groups.length; i++) {
          if (i) out.add(',')
          writer.write(out, groups.group(i))
        }
        out.add(`]${foot}`)
        return new IndexedAnswer(out.done(), engine.version)
      }
      let data: unknown[]
      let page: { total: number; next: { value: string | number; id: string } | null }
      if (unique) {
        const groups = this.store.queryCanonical(catalog)
        const status = this.#statusOf()
        data = groups.rows.map((r) => toCanonicalModel(r, status))
        page = groups
      } else {
        const rows = this.store.queryOfferings(catalog)
        data = rows.rows.map(toModel)
        page = rows
      }
      if (!paged) return { object: 'list', data }
      return { object: 'list', data, ...tail(page) }
    })
  }

  /**
   * A version the refresh thread handed over: its query index, then its hot bodies, pinned. They come without
   * their identity bytes: a client that takes no compression gets the gzip inflated as it streams (the index
   * holds the rows compressed; no thread holds the whole list or the whole unique view).
   */
  adopt(version: number, bodies: PrebuiltBody[], index: IndexData) {
    this.index?.adopt(index)
    this.answers.adopt(
      version,
      bodies.map((b) => ({ ...b, bytes: { size: b.length } })),
    )
  }

  /** When a query's answer is a full list (every offering of some providers, in id order, no other filter): those providers. */
  listOf(query: ListModelsQuery): { providers?: string[] } | undefined {
    const { catalog, unique } = this.normalize(query)
    const plain = !unique && catalog.sort === 'id' && catalog.order === 'asc' && Object.entries(catalog).every(([k, v]) => v === undefined || k === 'providers' || k === 'sort' || k === 'order')
    return plain ? { providers: catalog.providers } : undefined
  }

  /**
   * An offering id (`groq/llama-3.3-70b-versatile`) → that offering, with every provider of its model;
   * a canonical id (`meta/llama-3.3-70b-instruct`) → the canonical model with all its offerings.
   * @throws ApiError 404 when it is neither.
   */
  retrieve(id: string): CachedBody {
    return this.answers.get(answerKey({ retrieve: id }), () => {
      const enabled = resolveGateways(this.providers, 'all')
      const base: CatalogQuery = { providers: enabled, sort: 'id', order: 'asc' }
      const offering = this.store.getOffering(id)
      if (offering && enabled.includes(offering.providerId)) {
        const canonical = this.store.queryCanonical({ ...base, canonicalId: offering.canonicalId }).rows[0]
        return { ...toModel(offering), providers: canonical ? toCanonicalModel(canonical, this.#statusOf()).providers : [] }
      }
      const canonical = this.store.queryCanonical({ ...base, canonicalId: id }).rows[0]
      if (canonical) return toCanonicalModel(canonical, this.#statusOf())
      throw new ApiError(404, `model '${id}' not found: neither an offering id (provider/model) nor a canonical id`, { param: 'id', code: 'model_not_found' })
    })
  }

  /** Each provider's status, for the `providers` lists of canonical models. */
  #statusOf(engine?: QueryEngine): (provider: string) => string {
    // only the counts a status needs (not the costly distinct/exclusive model counts), from the index when there is one
    const states = this.store.providerStates(undefined, { models: false, counts: engine?.providerCounts() })
    const byId = new Map(this.providers.map((p) => [p.id, p]))
    return (id) => {
      const p = byId.get(id)
      return p ? providerStatus(p, states.get(id)) : 'unknown'
    }
  }
}

/** What a cursor is bound to: the query without its position. A cursor of another query is refused. */
function cursorScope(q: CatalogQuery, unique: boolean): string {
  const { limit: _l, offset: _o, after: _a, ...rest } = q
  return new Bun.CryptoHasher('sha256')
    .update(JSON.stringify({ ...rest, unique }))
    .digest('base64url')
    .slice(0, 16)
}

/** Opaque to clients: base64url of the last row's sort value and id, and the query it belongs to. */
function encodeCursor(after: { value: string | number; id: string }, scope: string): string {
  return Buffer.from(JSON.stringify({ v: after.value, i: after.id, s: scope })).toString('base64url')
}

function decodeCursor(cursor: string, scope: string): { value: string | number; id: string } {
  let c: { v?: unknown; i?: unknown; s?: unknown }
  try {
    c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    throw bad('cursor', "invalid 'cursor': pass the next_cursor of a previous page as it is")
  }
  if ((typeof c.v !== 'string' && typeof c.v !== 'number') || typeof c.i !== 'string') throw bad('cursor', "invalid 'cursor': pass the next_cursor of a previous page as it is")
  if (c.s !== scope) throw bad('cursor', "'cursor' belongs to another query: keep every other parameter as it was for the first page")
  return { value: c.v, id: c.i }
}
