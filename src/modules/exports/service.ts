import type { CatalogStore } from '../../catalog/store'
import { exportRows } from '../../catalog/views'
import type { ResolvedProvider } from '../../config'
import { catalogQueryOf, type CatalogFilters } from '../../http/catalog-query'
import { answerKey, type AnswerCache } from '../../serving/answer-cache'
import type { CachedBody } from '../../serving/cached-body'
import { toLitellm } from './litellm'
import { toModelsDev } from './models-dev'

export type ExportFormat = 'litellm' | 'models.dev'

/**
 * The catalog in other tools' formats. Each (format, normalized filters) is built once per catalog version
 * in the answer cache (src/serving) and served as bytes with an ETag from then on, like /v1/models.
 */
export class ExportsService {
  constructor(
    private readonly store: CatalogStore,
    private readonly providers: ResolvedProvider[],
    private readonly answers: AnswerCache,
  ) {}

  export(format: ExportFormat, query: CatalogFilters & { unique?: boolean }): CachedBody {
    const catalog = catalogQueryOf(this.providers, query)
    const unique = query.unique ?? false
    return this.answers.get(answerKey({ export: format, catalog, unique }), () => {
      const rows = exportRows(this.store, catalog, unique)
      return format === 'litellm' ? toLitellm(rows) : toModelsDev(rows, this.providers)
    })
  }
}
