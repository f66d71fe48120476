import { Elysia } from 'elysia'
import type { Config } from '../../config'
import type { CatalogStore } from '../../catalog/store'
import { ProviderList } from './model'
import { listProviders, listReferences } from './service'
import { scrubberFor } from '../../lib/scrub'

export const providersModule = (store: CatalogStore, config: Config) =>
  new Elysia({ name: 'providers' }).get(
    '/v1/providers',
    () => ({ object: 'list' as const, data: listProviders(store, config.providers, scrubberFor(config)), references: listReferences(store, config) }),
    {
      response: { 200: ProviderList },
      detail: {
        tags: ['providers'],
        summary: 'List providers',
        description:
          'Every known provider (built-in, derived from the models.dev reference data, or configured; `origin`) with the variables that would enable it (`enable_with`), its base URL and any reference change of it: aliases, whether enabled, refresh status, gateway counts (total, unique, duplicates, exclusive), last success and last error; and the reference catalogs.',
      },
    },
  )
