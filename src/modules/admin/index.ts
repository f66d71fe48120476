import { Elysia } from 'elysia'
import { z } from 'zod'
import type { ResolvedProvider } from '../../config'
import { adminAuth } from '../../http/admin-auth'
import { ApiError, ErrorBody } from '../../http/errors'
import type { Refresher } from '../../refresh/worker'
import { commaList, flag } from '../../http/query'

const RefreshQuery = z.object({
  provider: commaList('Comma-separated provider ids or aliases; default: every enabled provider'),
  wait: flag('`true`: answer when the refresh is done, with per-provider results'),
  force: flag('`true`: accept lists the anomaly guard would refuse (a model count that fell to zero or by more than refresh.max_drop_fraction)'),
})

const ProviderResult = z.object({
  provider: z.string(),
  status: z.enum(['ok', 'failed', 'needs_key', 'disabled', 'skipped_breaker']),
  model_count: z.number().int(),
  skipped: z.number().int(),
  duration_ms: z.number().int(),
  error: z.string().nullable(),
  warning: z.string().nullable(),
})

const RefreshReport = z.object({
  trigger: z.string(),
  started_at: z.string(),
  duration_ms: z.number().int(),
  catalog_version: z.number().int(),
  results: z.array(ProviderResult),
  breaker_transitions: z.array(z.object({ provider: z.string(), from: z.string(), to: z.string() })).optional(),
})

function resolveProviders(param: string | undefined, providers: ResolvedProvider[]): string[] | undefined {
  if (!param) return undefined
  const byName = new Map(providers.flatMap((p) => [p.id, ...p.aliases].map((n) => [n, p] as const)))
  const names = param.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)
  const unknown = names.filter((n) => !byName.has(n))
  if (unknown.length) {
    throw new ApiError(400, `unknown provider '${unknown.join("', '")}'; valid: ${[...byName.keys()].join(', ')}`, { param: 'provider', code: 'unknown_provider' })
  }
  return [...new Set(names.map((n) => byName.get(n)!.id))]
}

export const adminModule = (token: string, worker: Refresher, providers: ResolvedProvider[]) =>
  new Elysia({ name: 'admin', prefix: '/admin' }).use(adminAuth(token)).post(
    '/refresh',
    async ({ query, set }) => {
      const ids = resolveProviders(query.provider, providers)
      const run = worker.refresh({ providers: ids, trigger: 'admin', force: query.force })
      if (query.wait) return await run
      run.catch(() => undefined) // reported through /v1/providers and the log
      set.status = 202
      return { status: 'accepted' as const, providers: ids ?? worker.enabledProviders.map((p) => p.id) }
    },
    {
      query: RefreshQuery,
      response: { 200: RefreshReport, 202: z.object({ status: z.literal('accepted'), providers: z.array(z.string()) }), 400: ErrorBody, 401: ErrorBody },
      detail: {
        tags: ['admin'],
        summary: 'Refresh now',
        description: 'Starts a refresh (joining one in flight). `?wait=true` answers with per-provider results when done.',
        security: [{ bearer: [] }],
      },
    },
  )
