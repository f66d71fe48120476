import { Elysia } from 'elysia'
import type { ResolvedProvider } from '../../config'
import type { CatalogStore } from '../../catalog/store'
import { ProviderList } from './model'
import { listProviders } from './service'

export const providersModule = (store: CatalogStore, providers: ResolvedProvider[]) =>
  new Elysia({ name: 'providers' }).get('/v1/providers', () => ({ object: 'list' as const, data: listProviders(store, providers) }), {
    response: { 200: ProviderList },
    detail: { tags: ['providers'], summary: 'List providers', description: 'Every configured provider: aliases, whether enabled, refresh status, model count, last success and last error.' },
  })
