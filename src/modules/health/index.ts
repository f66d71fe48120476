import { Elysia } from 'elysia'
import { z } from 'zod'
import type { CatalogStore } from '../../catalog/store'
import { ErrorBody, errorResponse } from '../../http/errors'

/** Liveness touches nothing; readiness reads the in-memory catalog version (no SQLite, no upstream). */
export const healthModule = (store: CatalogStore) =>
  new Elysia({ name: 'health' })
    .get('/health', () => ({ status: 'ok' as const }), {
      response: { 200: z.object({ status: z.literal('ok') }) },
      detail: { tags: ['health'], summary: 'Liveness', description: 'Always 200 while the process serves HTTP; touches neither SQLite nor an upstream.' },
    })
    .get(
      '/ready',
      () =>
        store.version > 0
          ? { status: 'ready' as const, catalog_version: store.version }
          : errorResponse(503, 'no catalog loaded yet: the first refresh has not committed', { code: 'catalog_not_loaded' }),
      {
        response: { 200: z.object({ status: z.literal('ready'), catalog_version: z.number().int() }), 503: ErrorBody },
        detail: { tags: ['health'], summary: 'Readiness', description: '200 once a catalog is loaded, 503 before.' },
      },
    )
