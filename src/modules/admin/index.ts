import { Elysia } from 'elysia'
import { z } from 'zod'
import { resolveProviderNames, type ResolvedProvider } from '../../config'
import { adminAuth } from '../../http/admin-auth'
import { ApiError, ErrorBody } from '../../http/errors'
import type { CatalogStore } from '../../catalog/store'
import type { BreakerSnapshot } from '../../refresh/breakers'
import type { Refresher, RefreshReport as RefreshReportOf } from '../../refresh/refresher'
import { commaList, flag } from '../../http/query'
import { BreakerState, RefreshReport } from '../../domain/vocabulary'
import { scrubberFor, type Scrubber } from '../../lib/scrub'

const RefreshQuery = z.object({
  provider: commaList('Comma-separated provider ids or aliases; default: every enabled provider'),
  wait: flag(
    '`true`: answer when the refresh is done, with per-provider results, however long it takes up to `[http] admin_wait_max_seconds` (default 900); past that cap 202, and the refresh goes on',
  ),
  force: flag('`true`: accept lists the anomaly guard would refuse (a model count that fell to zero or by more than refresh.max_drop_fraction)'),
})

function resolveProviders(param: string | undefined, providers: ResolvedProvider[]): string[] | undefined {
  if (!param) return undefined
  const { ids, unknown, valid } = resolveProviderNames(providers, param)
  if (unknown.length) throw new ApiError(400, `unknown provider '${unknown.join("', '")}'; valid: ${valid.join(', ')}`, { param: 'provider', code: 'unknown_provider' })
  return ids
}

const Breaker = z
  .object({
    provider: z.string(),
    state: BreakerState,
    consecutive_failures: z.number().int(),
    opens: z.number().int().describe('Consecutive openings (drives the backoff)'),
    opened_at: z.string().nullable(),
    retry_at: z.string().nullable().describe('When the next probe may go'),
    last_error: z.string().nullable(),
    last_failure_at: z.string().nullable(),
    last_success_at: z.string().nullable(),
  })
  .meta({ id: 'CircuitBreaker' })

const iso = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString() : null)
const toBreaker = (b: BreakerSnapshot, scrub: Scrubber): z.infer<typeof Breaker> => ({
  provider: b.provider,
  state: b.state,
  consecutive_failures: b.consecutiveFailures,
  opens: b.opens,
  opened_at: iso(b.openedAt),
  retry_at: iso(b.retryAt),
  last_error: scrub(b.lastError),
  last_failure_at: iso(b.lastFailureAt),
  last_success_at: iso(b.lastSuccessAt),
})

/** Admin-triggered refreshes of the same scope closer together than this are refused (429 + Retry-After). */
export const REFRESH_COOLDOWN_MS = 10_000

/** Longest a `wait=true` request waits for its refresh by default (`[http] admin_wait_max_seconds`). */
export const ADMIN_WAIT_MAX_MS = 900_000

export const adminModule = (token: string, refresher: Refresher, providers: ResolvedProvider[], store: CatalogStore, cooldownMs = REFRESH_COOLDOWN_MS, waitMaxMs = ADMIN_WAIT_MAX_MS) => {
  const lastRun = new Map<string, number>()
  // upstream text leaves scrubbed (src/lib/scrub.ts), even if something upstream of here missed it
  const scrub = scrubberFor(providers)
  const breakerOut = (b: BreakerSnapshot) => toBreaker(b, scrub)
  const reportOut = (r: RefreshReportOf): RefreshReportOf => ({ ...r, results: r.results.map((x) => ({ ...x, error: scrub(x.error), warning: scrub(x.warning) })) })
  /** Starts (or joins) a refresh, unless the same scope was refreshed by an admin within the cooldown. */
  const trigger = (ids: string[] | undefined, opts: { force: boolean; wait: boolean }, set: { status?: number | string }) => {
    const scope = ids ? [...ids].sort().join(',') : '*'
    const since = Date.now() - (lastRun.get(scope) ?? 0)
    if (since < cooldownMs) {
      throw new ApiError(429, `refresh of ${scope === '*' ? 'every provider' : scope} asked for ${Math.round(since / 1000)} s ago; wait for the cooldown`, {
        code: 'refresh_cooldown',
        headers: { 'retry-after': String(Math.ceil((cooldownMs - since) / 1000)) },
      })
    }
    lastRun.set(scope, Date.now())
    const run = refresher.refresh({ providers: ids, trigger: 'admin', force: opts.force })
    run.catch(() => undefined) // reported through /v1/providers, /metrics and the log
    const accepted = () => {
      set.status = 202
      return { status: 'accepted' as const, providers: ids ?? refresher.enabledProviders.map((p) => p.id) }
    }
    if (!opts.wait) return accepted()
    // however long the refresh takes (the front door lifts the connection's idle timeout), up to the cap:
    // past it the answer is 202 and the refresh goes on (its results in /v1/providers, /metrics, the log)
    let timer: ReturnType<typeof setTimeout> | undefined
    const capped = new Promise<'cap'>((resolve) => (timer = setTimeout(() => resolve('cap'), waitMaxMs)))
    return Promise.race([run, capped])
      .then((r) => (r === 'cap' ? accepted() : reportOut(r)))
      .finally(() => clearTimeout(timer))
  }
  /** A provider named in the path: its id, or 404. */
  const known = (name: string) => {
    const { ids } = resolveProviderNames(providers, name)
    if (ids.length !== 1 || name.includes(',')) throw new ApiError(404, `unknown provider '${name}'`, { param: 'provider', code: 'unknown_provider' })
    return ids[0]!
  }
  const refreshResponses = { 200: RefreshReport, 202: z.object({ status: z.literal('accepted'), providers: z.array(z.string()) }), 400: ErrorBody, 401: ErrorBody, 429: ErrorBody }
  const security = [{ bearer: [] }]
  const enabled = new Set(providers.filter((p) => p.enabled).map((p) => p.id)) // leftovers of disabled providers are not shown
  const savedBreakers = () => new Map(store.loadBreakers().map((b) => [b.provider, b]))
  const closed = (provider: string): BreakerSnapshot => ({
    provider,
    state: 'closed',
    consecutiveFailures: 0,
    opens: 0,
    openedAt: null,
    retryAt: null,
    lastError: null,
    lastFailureAt: null,
    lastSuccessAt: null,
  })

  return new Elysia({ name: 'admin', prefix: '/admin' })
    .use(adminAuth(token))
    .post('/refresh', async ({ query, set }) => await trigger(resolveProviders(query.provider, providers), query, set), {
      query: RefreshQuery,
      response: refreshResponses,
      detail: {
        tags: ['admin'],
        summary: 'Refresh now',
        description: `Starts a refresh (joining one in flight). \`?wait=true\` answers with per-provider results when done. The same scope again within ${REFRESH_COOLDOWN_MS / 1000} s: 429.`,
        security,
      },
    })
    .post('/refresh/:provider', async ({ params, query, set }) => await trigger([known(params.provider)], query, set), {
      params: z.object({ provider: z.string().describe('Provider id or alias') }),
      query: RefreshQuery.omit({ provider: true }),
      response: { ...refreshResponses, 404: ErrorBody },
      detail: { tags: ['admin'], summary: 'Refresh one provider (webhook)', description: 'For providers that announce new models: refreshes just this one. Same cooldown per provider.', security },
    })
    .get('/circuit-breakers', () => ({ object: 'list' as const, data: providers.filter((p) => p.enabled).map((p) => breakerOut(savedBreakers().get(p.id) ?? closed(p.id))) }), {
      response: { 200: z.object({ object: z.literal('list'), data: z.array(Breaker) }), 401: ErrorBody },
      detail: { tags: ['admin'], summary: 'Circuit breakers', description: "Every enabled provider's breaker (state survives restarts).", security },
    })
    .get('/circuit-breakers/:provider', ({ params }) => breakerOut(savedBreakers().get(known(params.provider)) ?? closed(known(params.provider))), {
      params: z.object({ provider: z.string() }),
      response: { 200: Breaker, 401: ErrorBody, 404: ErrorBody },
      detail: { tags: ['admin'], summary: 'One circuit breaker', security },
    })
    .post('/circuit-breakers/reset', async () => ({ object: 'list' as const, data: (await refresher.resetBreakers()).filter((b) => enabled.has(b.provider)).map(breakerOut) }), {
      response: { 200: z.object({ object: z.literal('list'), data: z.array(Breaker) }), 401: ErrorBody },
      detail: { tags: ['admin'], summary: 'Reset every circuit breaker', description: 'Closes every breaker: the next refresh fetches every provider again.', security },
    })
    .post('/circuit-breakers/:provider/reset', async ({ params }) => breakerOut((await refresher.resetBreakers(known(params.provider)))[0]!), {
      params: z.object({ provider: z.string() }),
      response: { 200: Breaker, 401: ErrorBody, 404: ErrorBody },
      detail: { tags: ['admin'], summary: 'Reset one circuit breaker', description: 'Closes it (also a misconfigured one, after fixing its key): the next refresh fetches it.', security },
    })
}
