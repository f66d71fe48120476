import type { Logger } from 'pino'
import pino from 'pino'
import { createApp } from '../app'
import { bootstrapCatalog } from '../catalog/bootstrap'
import type { CatalogStore } from '../catalog/store'
import { type Config, environment } from '../config'
import { createHandler } from '../http/handler'
import { createMetrics, type Metrics } from '../http/metrics'
import type { ModelsService } from '../modules/models/service'
import { ExportsService } from '../modules/exports/service'
import { OpenRouterService } from '../modules/openrouter/service'
import { QuoteService } from '../modules/quote/service'
import { REFERENCES } from '../reference'
import type { BreakerRegistryOptions } from '../refresh/breakers'
import { type Refresher, ProviderRefresher, type ProviderRefresherOptions } from '../refresh/refresher'
import type { AnswerCache } from '../serving/answer-cache'
import { fullCollection, openCatalog, openModels, openReferences, openWebhooks } from './catalog'
import { RefreshThread } from './refresh-thread'

export { type Catalog, openCatalog, openModels, openRefreshThread } from './catalog'

/**
 * The composition root: the one place that builds the parts and says what runs where (with ./catalog.ts, its
 * catalog side: what both threads open and the refresh thread's parts, kept apart so that thread loads no HTTP code).
 *
 * | role                | thread         | parts                                                                                   |
 * |---------------------|----------------|-----------------------------------------------------------------------------------------|
 * | `openServer`        | HTTP (main)    | catalog (reader), bootstrap, answer cache, models service, metrics, app, front door,    |
 * |                     |                | and a RefreshThread: the handle on…                                                     |
 * | `openRefreshThread` | refresh thread | catalog (writer, startup maintenance), refresher (or cluster replica), reference        |
 * |                     |                | refresher, webhooks, and the builder of each new version's hot bodies                   |
 * | `openInProcess`     | one thread     | all of it on one thread with an in-process refresher: the tests, the CLI, the benches  |
 *
 * Shutdown order (each role's `stop`): stop accepting and abort the refresh together, then close the DB.
 */

/**
 * The consumer answers of one thread: quotes (uncached: they depend on the body), the exports and the
 * OpenRouter-compatible list (cached per version in `answers`, the models service's cache: one budget).
 */
export function openConsumers(config: Config, store: CatalogStore, answers: AnswerCache = openModels(config, store, { warm: false }).answers) {
  return {
    quote: new QuoteService(store, config.providers),
    exports: new ExportsService(store, config.providers, answers),
    openrouter: new OpenRouterService(store, config.providers, answers, config.publicUrl),
  }
}

/** The HTTP side around a refresher: app and front door (the hot path before routing), metrics. */
function openHttp(config: Config, store: CatalogStore, refresher: Refresher, log: Logger, opts: { metrics?: Metrics; models?: ModelsService; adminCooldownMs?: number; clock?: () => number } = {}) {
  const metrics = opts.metrics ?? createMetrics(store, { enabledProviders: refresher.enabledProviders.map((p) => p.id) })
  const models = opts.models ?? openModels(config, store, { clock: opts.clock })
  metrics.watchAnswers(models.answers)
  const consumers = openConsumers(config, store, models.answers)
  const app = createApp({ config, store, refresher, log, models, consumers, metrics, adminCooldownMs: opts.adminCooldownMs })
  const handler = createHandler({ app, answers: models.answers, metrics, log, rateLimitPerMinute: config.rateLimitPerMinute })
  return { metrics, models, app, handler }
}

/** `modelcat serve`, the HTTP thread: serves the catalog; fetching and writing run on the refresh thread. */
export async function openServer(config: Config, log: Logger) {
  // the refresh thread's connection brings stored rows in line with rules and overrides; not this one too
  const catalog = openCatalog(config, { log, maintain: false })
  const { store } = catalog
  // first start: the embedded snapshot until the providers answer (never when a catalog exists)
  const bootstrapped = bootstrapCatalog(store, config.providers, await REFERENCES[0]!.snapshot())
  if (bootstrapped) log.info({ offerings: bootstrapped, source: REFERENCES[0]!.snapshotLabel }, 'bootstrap catalog served until the first refreshes land')
  // the query index of each version is built on the refresh thread and handed over; until then SQLite answers
  const models = openModels(config, store, { buildIndex: false })
  const metrics = createMetrics(store, { enabledProviders: config.providers.filter((p) => p.enabled).map((p) => p.id) })
  const refresher = new RefreshThread({
    env: environment(),
    store,
    providers: config.providers,
    log,
    onVersion: (version, bodies, index) => {
      models.adopt(version, bodies, index)
      // the previous version's index and views (~100 MB of buffers at 50k offerings) are freed now, not whenever
      // this thread's small heap next fills (the debug log says what the collection cost)
      setTimeout(() => fullCollection(log, 'HTTP thread, after a new index'), 0)
    },
    onReport: (report) => metrics.observeReport(report),
    onSnapshotRejected: (reason) => metrics.clusterSnapshotRejected.inc({ reason }),
    onFailure: () => metrics.refresherFailed.set(1),
  })
  const http = openHttp(config, store, refresher, log, { metrics, models })
  return {
    ...http,
    store,
    refresher,
    /** Stops accepting (the caller's server) and aborts the refresh together, then closes the DB. */
    async stop(server?: { stop(): Promise<void> | void }) {
      await Promise.all([server?.stop(), refresher.stop()])
      catalog.close()
    },
  }
}

/**
 * Everything on one thread with an in-process refresher: the tests (driven port-less through `handler`),
 * the CLI and the benches. Nothing starts by itself: call `refresher.refresh()` / `references.refresh()`.
 */
export function openInProcess(
  config: Config,
  opts: {
    log?: Logger
    breakers?: BreakerRegistryOptions
    webhookRetryDelaysMs?: number[]
    adminCooldownMs?: number
    referenceIntervalSeconds?: number
    /** Options of the provider refresher (e.g. the CLI's live progress). */
    refresherOptions?: Partial<ProviderRefresherOptions>
    /** false: commits send no webhooks (the CLI's one-off refresh). */
    webhooks?: boolean
    /** The build budget's clock (ms): tests drive admission control with it. */
    clock?: () => number
  } = {},
) {
  const log = opts.log ?? pino({ level: 'silent' })
  // without a logger, what the integrity check did goes to stderr
  const catalog = openCatalog(config, { log: opts.log })
  const { store } = catalog
  const webhooks = (opts.webhooks ?? true) ? openWebhooks(config, store, log, opts.webhookRetryDelaysMs) : undefined
  const metrics = createMetrics(store, { enabledProviders: config.providers.filter((p) => p.enabled).map((p) => p.id) })
  const refresher = ProviderRefresher.fromConfig(config, store, log, { breakerOptions: opts.breakers, ...opts.refresherOptions })
  refresher.onReport((r) => metrics.observeReport(r))
  const references = openReferences(config, store, log, opts.referenceIntervalSeconds ?? 86_400)
  let http: ReturnType<typeof openHttp> | undefined
  return {
    config,
    log,
    db: catalog.db,
    store,
    refresher,
    references,
    metrics,
    webhooks,
    /** The HTTP side, built on first use (the CLI's refresh needs none). */
    get http() {
      return (http ??= openHttp(config, store, refresher, log, { metrics, adminCooldownMs: opts.adminCooldownMs, clock: opts.clock }))
    },
    async stop() {
      await Promise.all([refresher.stop(), references.stop()])
      webhooks?.stop()
      catalog.close()
    },
  }
}
export type InProcess = ReturnType<typeof openInProcess>
