import type { CatalogStore } from '../../catalog/store'
import { exportRows } from '../../catalog/views'
import type { ResolvedProvider } from '../../config'
import { catalogQueryOf, type CatalogFilters } from '../../http/catalog-query'
import { answerKey, type AnswerCache } from '../../serving/answer-cache'
import type { CachedBody } from '../../serving/cached-body'
import { toOpenRouterModel } from './serialize'

/**
 * GET /api/v1/models: the catalog in OpenRouter's list schema (`data`, `links.next`, `total_count`), paged by
 * `offset`/`limit` as OpenRouter's SDK pages. Each page is built once per catalog version in the answer cache.
 */
export class OpenRouterService {
  constructor(
    private readonly store: CatalogStore,
    private readonly providers: ResolvedProvider[],
    private readonly answers: AnswerCache,
    private readonly publicUrl: string | undefined,
  ) {}

  list(query: CatalogFilters & { unique?: boolean; limit?: number; offset?: number }): CachedBody {
    const catalog = catalogQueryOf(this.providers, query)
    const unique = query.unique ?? false
    const offset = query.offset ?? 0
    const limit = query.limit
    return this.answers.get(answerKey({ openrouter: catalog, unique, offset, limit }), () => {
      const rows = exportRows(this.store, catalog, unique)
      const page = rows.slice(offset, limit === undefined ? undefined : offset + limit)
      const more = offset + page.length < rows.length && limit !== undefined
      const params = new URLSearchParams()
      for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== false && k !== 'offset') params.set(k, String(v))
      params.set('offset', String(offset + page.length))
      return {
        data: page.map((r) => toOpenRouterModel(r, this.publicUrl)),
        links: { next: more ? `${this.publicUrl ?? ''}/api/v1/models?${params}` : null },
        total_count: rows.length,
      }
    })
  }
}
