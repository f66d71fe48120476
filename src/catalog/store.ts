import { and, asc, count, desc, eq, gt, gte, inArray, lt, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
import { breakers, catalogState, changes, offerings, providers, referenceModels, refreshRuns } from '../db/schema'
import type { ReferenceEntry } from '../reference/types'
import type { ReferenceProvider } from '../reference/providers'
import { deriveCapabilities } from './capabilities'
import { createCanonicalizer, type CanonicalBasis, type Canonicalizer, type IdentityDecision, type OfferingIdentity } from './canonical'
import { buildIndexData, type IndexData } from './engine'
import type { Observation } from './learned'
import { getOffering, queryCanonical, queryOfferings, type CatalogQuery } from './reads'
import type { ChangeRow, OfferingRow, ProviderOutcome, ProviderState, UpstreamValidators } from './rows'
import { Enricher, json, pricingWriter } from './enrich'
import { LIMITS } from './limits'
import { WebhookOutbox } from './outbox'
import type { Deprecation, OfferingInput, OfferingOverride, Pricing } from '../domain/types'
import type { BreakerSnapshot, ChangeType } from '../domain/vocabulary'

interface ExistingRow {
  id: string
  content_hash: string | null
  source: string
  name: string
  canonical_id: string
  canonical_basis: string | null
  context_length: number | null
  input_modalities: string | null
  output_modalities: string | null
  deprecation: string | null
  pricing: string | null
}

const parseJson = (v: string | null) => (v === null ? null : JSON.parse(v))

/** The fields the change feed tracks, old row vs new values: { field: { from, to } } for those that differ. */
function diffTracked(old: ExistingRow, next: { pricing: Pricing; context_length: number | null; input_modalities: string[] | null; output_modalities: string[] | null; deprecation: unknown }) {
  const before: Record<string, unknown> = {
    pricing: parseJson(old.pricing) ?? {},
    context_length: old.context_length,
    input_modalities: parseJson(old.input_modalities),
    output_modalities: parseJson(old.output_modalities),
    deprecation: parseJson(old.deprecation),
  }
  const out: Record<string, { from: unknown; to: unknown }> = {}
  for (const [k, to] of Object.entries(next)) {
    const from = before[k]
    const same =
      k === 'pricing'
        ? samePricing(from as Pricing, to as Pricing)
        : k === 'deprecation'
          ? sameDeprecation(from as Deprecation | null, to as Deprecation | null)
          : JSON.stringify(from ?? null) === JSON.stringify(to ?? null)
    if (!same) out[k] = { from: from ?? null, to: to ?? null }
  }
  return out
}

/** A deprecation is news when it appears, goes, or its dates or replacement move (not when only its `source` label is new). */
const sameDeprecation = (a: Deprecation | null, b: Deprecation | null) =>
  (a === null) === (b === null) && (a === null || (a.date === b!.date && a.end_of_life === b!.end_of_life && a.replacement === b!.replacement))

const samePricing = (a: Pricing, b: Pricing) => {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof Pricing>
  return [...keys].every((k) => a[k] === b[k])
}

export type { ChangeRow, OfferingRow, ProviderOutcome, ProviderState } from './rows'

/** A live list's offering as an identity observation (learned.ts): its id, display name and hugging_face_id. */
function liveObservation(provider: string, m: Pick<OfferingInput, 'providerModelId'> & Partial<Pick<OfferingInput, 'name' | 'extra'>>): Observation {
  const hf = m.extra?.hugging_face_id
  return { source: 'live', provider, id: m.providerModelId, name: m.name ?? null, hfId: typeof hf === 'string' ? hf : null }
}

/** Stored rows a change of the learned identity tables decides otherwise (found outside the write transaction). */
interface RederivePlan {
  generation: number
  novelty: number
  offerings: { id: string; next: string; basis: CanonicalBasis; moved: boolean }[]
  refs: { source: string; providerId: string; modelKey: string; next: string }[]
}

/** Reads and writes of the catalog. Writes are one synchronous transaction; reads are indexed queries. */
export class CatalogStore {
  #version: number

  private readonly canonicalId: (o: { provider: string; id: string; ownedBy?: string | null }) => string
  /** identity (src/catalog/canonical.ts): the canonicalizer with its learned tables, and its memo */
  readonly #canonical: Canonicalizer
  readonly #memo = new Map<string, { id: string; basis: CanonicalBasis }>()
  #memoGeneration = 0
  #memoNovelty = 0
  #identityOf: (o: OfferingIdentity) => { id: string; basis: CanonicalBasis }
  private readonly enricher: Enricher
  private readonly now: () => number
  private readonly changeRetentionMs: number
  /** Webhook deliveries waiting to be made (src/webhooks). */
  readonly outbox: WebhookOutbox
  #changeListeners: ((changes: ChangeRow[]) => void)[] = []

  /** Hears the changes of each commit that recorded some (after it committed): webhooks. */
  onChanges(listener: (changes: ChangeRow[]) => void) {
    this.#changeListeners.push(listener)
  }

  constructor(
    readonly db: Db,
    opts: {
      canonicalId?: Canonicalizer
      overrides?: Map<string, OfferingOverride>
      now?: () => number
      changeRetentionDays?: number
      /** false: leave canonical ids and filled values as they are (the connection of a reader whose writer does it). */
      maintain?: boolean
      /** Most entries of the canonical-id memo (default LIMITS.canonicalMemoEntries). */
      canonicalMemoEntries?: number
    } = {},
  ) {
    this.changeRetentionMs = (opts.changeRetentionDays ?? 90) * 86_400_000
    const canonical = opts.canonicalId ?? createCanonicalizer()
    this.#canonical = canonical
    // Within one operation the same ids are decided more than once (a refresh decides its lists' ids, then
    // re-derives every stored row when the learned tables changed): remember their canonical ids, least
    // recently used first out (a Map iterates in insertion order; a hit moves its key to the end), so an
    // upstream that churns ids cannot grow it past LIMITS.canonicalMemoEntries. Learned identity data changing
    // empties it, and so does the end of each operation (#identityWork): kept between refreshes it held
    // ~8–10 MB at 50k offerings to spare ~10 µs per id of a changed list.
    const memo = this.#memo
    const memoCap = opts.canonicalMemoEntries ?? LIMITS.canonicalMemoEntries
    this.#identityOf = (o) => {
      if (canonical.generation !== this.#memoGeneration) {
        memo.clear()
        this.#memoGeneration = canonical.generation
        this.#memoNovelty = canonical.learned.novelty
      } else if (canonical.learned.novelty !== this.#memoNovelty) {
        // a family learned for the first time gives an organisation to ids read as a provider's own: only those are read again
        for (const [key, d] of memo) if (d.basis === 'own') memo.delete(key)
        this.#memoNovelty = canonical.learned.novelty
      }
      const key = `${o.provider}\u0000${o.id}\u0000${o.ownedBy ?? ''}\u0000${o.name ?? ''}`
      let d = memo.get(key)
      if (d !== undefined) memo.delete(key)
      else {
        d = canonical.identify(o)
        if (memo.size >= memoCap) memo.delete(memo.keys().next().value!)
      }
      memo.set(key, d)
      return d
    }
    this.canonicalId = (o) => this.#identityOf(o).id
    this.outbox = new WebhookOutbox(db)
    this.enricher = new Enricher(db, opts.overrides)
    this.now = opts.now ?? Date.now
    this.db.insert(catalogState).values({ id: 1, version: 0 }).onConflictDoNothing().run()
    this.#version = this.readVersion()
    this.#updatedAt = this.readUpdatedAt()
    if (opts.maintain ?? true) {
      // Rules, aliases and overrides may have changed since the rows were written; what the catalog
      // holds teaches the canonicalizer first (src/catalog/learned.ts).
      this.#identityWork(() => {
        this.learnIdentity()
        this.recanonicalize()
      })
      this.#write(() => this.enricher.run() > 0)
    }
  }

  // ── identity learned from the catalog (issue 16) ──────────────────────────────────────────────
  #learnedFromDb = false
  /** Another writer changed the rows (reload(true): a snapshot applied): what they hold is learned again before the next use. */
  #dbChanged = false
  /** The learned data's generation the stored canonical ids were derived with. */
  #committedGeneration = -1
  /** The learned families' novelty count the stored `own` rows were derived with. */
  #committedNovelty = -1
  /** Stored rows to move in the next commit (prepareIdentity), valid while the learned tables stay as they were. */
  #pendingIdentity: RederivePlan | undefined
  /**
   * Teaches the canonicalizer what the DB holds: reference catalogs' provider/model keys and the live
   * lists' ids, display names and hugging_face_ids. Returns true when the learned data changed.
   */
  learnIdentity(): boolean {
    this.#learnedFromDb = true
    this.#dbChanged = false
    const before = this.#canonical.generation
    const refs = this.db.select({ source: referenceModels.source, provider: referenceModels.providerId, id: referenceModels.modelKey }).from(referenceModels).all()
    const live = this.db.$client.prepare(`select provider_id as provider, provider_model_id as id, name, json_extract(extra, '$.hugging_face_id') as hf from offerings`).all() as {
      provider: string
      id: string
      name: string
      hf: unknown
    }[]
    // (no per-provider batch budget: the DB holds what refreshes admitted, batch by batch)
    this.#canonical.learn([...refs, ...live.map((r): Observation => ({ source: 'live', provider: r.provider, id: r.id, name: r.name, hfId: typeof r.hf === 'string' ? r.hf : null }))], {
      budget: false,
    })
    return this.#canonical.generation !== before
  }

  /** Teaches the canonicalizer observations the DB does not hold (the CLI: the embedded reference snapshots). */
  learnIdentityFrom(observations: Observation[]) {
    this.#canonical.learn(observations)
  }

  /** The identity decision for one id, explained (the `modelcat identity` command). */
  explainIdentity(provider: string, id: string, opts: { ownedBy?: string | null; name?: string | null } = {}): IdentityDecision {
    if (!this.#learnedFromDb) this.learnIdentity()
    return this.#canonical.explain({ provider, id, ownedBy: opts.ownedBy, name: opts.name })
  }

  /** Sizes of the learned identity tables (each capped: LEARNED_LIMITS in src/catalog/learned.ts). */
  get learnedIdentitySize() {
    return this.#canonical.learned.size
  }

  /** Entries in the canonical-id memo (at most its cap, LIMITS.canonicalMemoEntries by default; 0 between operations). */
  get canonicalMemoSize(): number {
    return this.#memo.size
  }

  /** The most entries the memo held since the store opened (tests of the cap). */
  get canonicalMemoPeak(): number {
    return this.#memoPeak
  }
  #memoPeak = 0
  #identityDepth = 0
  /** Runs an operation that decides identity: the memo serves it and is emptied when the outermost one ends. */
  #identityWork<T>(fn: () => T): T {
    this.#identityDepth++
    try {
      return fn()
    } finally {
      if (--this.#identityDepth === 0) {
        this.#memoPeak = Math.max(this.#memoPeak, this.#memo.size)
        this.#memo.clear()
      }
    }
  }

  /**
   * Runs `fn` in one IMMEDIATE transaction; bumps the catalog version when it returns true (and `after`,
   * still inside, sees the new version). Listeners hear of a new version once it is committed.
   */
  #write(fn: () => boolean, after?: (version: number) => void): number {
    const version = this.db.$client
      .transaction(() => {
        let version = this.readVersion()
        if (fn()) {
          version += 1
          this.db.update(catalogState).set({ version, updatedAt: this.now() }).where(eq(catalogState.id, 1)).run()
        }
        after?.(version)
        return version
      })
      .immediate()
    if (version !== this.#version) {
      this.#version = version
      this.#updatedAt = this.readUpdatedAt()
      this.#generation++
      for (const listener of this.#listeners) listener(version)
    }
    return version
  }

  #updatedAt = 0
  #generation = 0

  /**
   * Bumps whenever the served catalog may have changed — a new version, or a snapshot applied over one
   * with the same number: what caches of answers are keyed by.
   */
  get generation(): number {
    return this.#generation
  }
  #listeners: ((version: number) => void)[] = []

  /**
   * Re-reads the committed version after another connection (the refresh thread) wrote; listeners hear
   * of a new one. Returns the current version.
   */
  reload(force = false): number {
    const version = this.readVersion()
    if (force) this.serve(version, this.readUpdatedAt())
    else if (version !== this.#version) this.#serve(version, this.readUpdatedAt())
    return version
  }

  /**
   * Serves `version` (updated at `updatedAt`), one another connection handed over with its query index (the
   * refresh thread's): not necessarily the DB's newest, which may be ahead by a commit whose handover is coming.
   * Caches roll over (the generation bumps: a snapshot may keep the number and change the content).
   */
  serve(version: number, updatedAt: number) {
    this.#dbChanged = true
    this.#serve(version, updatedAt)
  }

  /** The served version moves (or its content may have): caches keyed by the generation roll over, listeners hear it. */
  #serve(version: number, updatedAt: number) {
    this.#version = version
    this.#updatedAt = updatedAt
    this.#generation++
    for (const listener of this.#listeners) listener(version)
  }

  /** Called after every commit that produced a new catalog version (outside the transaction). */
  onNewVersion(listener: (version: number) => void) {
    this.#listeners.push(listener)
  }

  /** When the current catalog version was committed (ms since epoch; 0 before the first). */
  get updatedAt(): number {
    return this.#updatedAt
  }

  private readUpdatedAt(): number {
    return this.db.select({ t: catalogState.updatedAt }).from(catalogState).where(eq(catalogState.id, 1)).get()?.t ?? 0
  }

  /**
   * Replaces one reference catalog's entries and re-fills every offering from them, in one
   * transaction. The catalog version bumps only when an offering's values changed.
   */
  replaceReference(source: string, entries: ReferenceEntry[], state: { durationMs: number; warning?: string | null; snapshot?: boolean }): { changed: number; version: number } {
    return this.#identityWork(() => this.#replaceReference(source, entries, state))
  }

  #replaceReference(source: string, entries: ReferenceEntry[], state: { durationMs: number; warning?: string | null; snapshot?: boolean }): { changed: number; version: number } {
    let changed = 0
    const now = this.now()
    // this catalog and the live lists stored since the last time teach identity (learned.ts)
    const generation = this.#canonical.generation
    this.#canonical.learn(entries.map((e) => ({ source, provider: e.provider, id: e.modelId.toLowerCase() })))
    // the live lists were learned as they were fetched (prepareIdentity); the DB is read again only when
    // another writer (a snapshot) changed it
    if (!this.#learnedFromDb || this.#dbChanged) this.learnIdentity()
    // what this catalog taught may merge or split offerings already stored: re-derive them first, so the
    // fill below (one pass) sees the new identity
    if (generation !== this.#canonical.generation || this.#committedGeneration !== this.#canonical.generation || this.#committedNovelty !== this.#canonical.learned.novelty) this.recanonicalize()
    const canonicalIds = entries.map((e) => this.canonicalId({ provider: e.provider, id: e.modelId })) // before the write lock
    const version = this.#write(() => {
      this.db.delete(referenceModels).where(eq(referenceModels.source, source)).run()
      const insert = this.db.$client.prepare(
        'insert or replace into reference_models (source, provider_id, model_key, canonical_id, context_length, max_output_tokens, input_modalities, output_modalities, capabilities, pricing, price_tiers, deprecation, released_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v))
      for (const [i, e] of entries.entries()) {
        insert.run(
          source,
          e.provider,
          e.modelId.toLowerCase(),
          canonicalIds[i]!,
          e.contextLength ?? null,
          e.maxOutputTokens ?? null,
          json(e.inputModalities),
          json(e.outputModalities),
          json(e.capabilities),
          json(e.pricing),
          e.priceTiers?.length ? json(e.priceTiers) : null,
          json(e.deprecation),
          e.releasedAt ?? null,
        )
      }
      // an embedded snapshot is no fetch: the attempt times stay, so the first live fetch is due at once
      const row = state.snapshot
        ? { lastWarning: state.warning ?? null }
        : { lastAttemptAt: now, lastSuccessAt: now, lastError: null, lastDurationMs: state.durationMs, skippedItems: 0, lastWarning: state.warning ?? null }
      this.db
        .insert(providers)
        .values({ id: source, ...row })
        .onConflictDoUpdate({ target: providers.id, set: row })
        .run()
      changed = this.enricher.run()
      return changed > 0
    })
    return { changed, version }
  }

  /** A reference catalog that could not be fetched keeps its entries and records why. */
  recordReferenceFailure(source: string, error: string, durationMs: number) {
    const row = { lastAttemptAt: this.now(), lastError: error, lastDurationMs: durationMs }
    this.db
      .insert(providers)
      .values({ id: source, ...row })
      .onConflictDoUpdate({ target: providers.id, set: row })
      .run()
  }

  /**
   * The providers a live reference fetch described (models.dev's `api`, `env`, … per provider), kept as one
   * `refresh_runs` row (trigger `reference-providers:<source>`, the list in `results`): no table of its
   * own. Only the newest row is kept.
   */
  recordReferenceProviders(source: string, list: ReferenceProvider[]) {
    const trigger = `reference-providers:${source}`
    const now = this.now()
    this.db.$client
      .transaction(() => {
        this.db.delete(refreshRuns).where(eq(refreshRuns.trigger, trigger)).run()
        this.db.insert(refreshRuns).values({ trigger, startedAt: now, finishedAt: now, results: list }).run()
      })
      .immediate()
  }

  /** The newest providers list a live fetch of `source` stored (null: never fetched live). */
  referenceProviders(source: string): ReferenceProvider[] | null {
    const row = this.db
      .select({ results: refreshRuns.results })
      .from(refreshRuns)
      .where(eq(refreshRuns.trigger, `reference-providers:${source}`))
      .orderBy(desc(refreshRuns.id))
      .limit(1)
      .get()
    return (row?.results as ReferenceProvider[] | undefined) ?? null
  }

  /**
   * Passes the stored upstream text (last errors and warnings of providers, references, breakers and refresh
   * runs) through `scrub` once more: rows written before scrubbing existed, or with another config's keys.
   * Returns the number of rows changed. The refresh thread runs it at start.
   */
  rescrub(scrub: (text: string) => string): number {
    const c = this.db.$client
    let changed = 0
    const again = (v: unknown) => (typeof v === 'string' ? scrub(v) : v)
    c.transaction(() => {
      for (const [table, key, cols] of [
        ['providers', 'id', ['last_error', 'last_warning']],
        ['breakers', 'provider', ['last_error']],
      ] as const) {
        for (const row of c.prepare(`select ${key} as k, ${cols.join(', ')} from ${table}`).all() as Record<string, unknown>[]) {
          const next = cols.map((col) => again(row[col]))
          if (next.every((v, i) => v === row[cols[i]!])) continue
          c.run(`update ${table} set ${cols.map((col) => `${col} = ?`).join(', ')} where ${key} = ?`, [...(next as string[]), row.k as string])
          changed++
        }
      }
      for (const row of c.prepare('select id, results from refresh_runs where results is not null').all() as { id: number; results: string }[]) {
        const results = JSON.parse(row.results) as Record<string, unknown>[]
        const next = JSON.stringify(results.map((r) => ({ ...r, error: again(r.error), warning: again(r.warning) })))
        if (next === row.results) continue
        c.run('update refresh_runs set results = ? where id = ?', [next, row.id])
        changed++
      }
    }).immediate()
    return changed
  }

  /** Circuit-breaker state as the refresher last saved it (survives restarts). */
  loadBreakers(): BreakerSnapshot[] {
    return this.db.select().from(breakers).all() as BreakerSnapshot[]
  }

  saveBreakers(snapshots: BreakerSnapshot[]) {
    this.db.$client
      .transaction(() => {
        for (const b of snapshots) {
          const { provider, ...row } = b
          this.db.insert(breakers).values(b).onConflictDoUpdate({ target: breakers.provider, set: row }).run()
        }
      })
      .immediate()
  }

  referenceCount(source: string): number {
    return this.db.select({ n: count() }).from(referenceModels).where(eq(referenceModels.source, source)).get()?.n ?? 0
  }

  /**
   * Brings stored canonical ids in line with the current rules and alias data (they may have changed
   * since the rows were written: an upgrade, or aliases added to the config). One transaction at
   * startup; bumps the catalog version when anything changed.
   */
  recanonicalize(): number {
    return this.#identityWork(() => this.#recanonicalize())
  }

  #recanonicalize(): number {
    const plan = this.#planRederive(false)
    if (plan.offerings.length === 0 && plan.refs.length === 0) {
      ;[this.#committedGeneration, this.#committedNovelty] = [plan.generation, plan.novelty]
      return 0
    }
    this.#write(() => this.#applyRederived(plan))
    // only once the transaction committed: a rollback leaves the stored rows (and these marks) as they were
    ;[this.#committedGeneration, this.#committedNovelty] = [plan.generation, plan.novelty]
    return plan.offerings.filter((r) => r.moved).length
  }

  /**
   * The stored rows whose canonical id (or basis) the current rules and learned tables decide otherwise:
   * read and decided outside any write transaction, so the transaction that applies them only writes.
   * `ownOnly`: only rows read as a provider's own (a newly learned family can give them an organisation).
   */
  #planRederive(ownOnly: boolean): RederivePlan {
    const plan: RederivePlan = { generation: this.#canonical.generation, novelty: this.#canonical.learned.novelty, offerings: [], refs: [] }
    const rows = this.db.$client
      .prepare(
        `select id, provider_id as providerId, provider_model_id as providerModelId, owned_by as ownedBy, name, canonical_id as canonicalId, canonical_basis as canonicalBasis
         from offerings ${ownOnly ? "where canonical_basis = 'own' or canonical_basis is null" : ''}`,
      )
      .all() as { id: string; providerId: string; providerModelId: string; ownedBy: string | null; name: string | null; canonicalId: string; canonicalBasis: string | null }[]
    for (const r of rows) {
      const d = this.#identityOf({ provider: r.providerId, id: r.providerModelId, ownedBy: r.ownedBy, name: r.name })
      if (d.id !== r.canonicalId || d.basis !== r.canonicalBasis) plan.offerings.push({ id: r.id, next: d.id, basis: d.basis, moved: d.id !== r.canonicalId })
    }
    if (!ownOnly) {
      const refs = this.db.$client.prepare('select source, provider_id as providerId, model_key as modelKey, canonical_id as canonicalId from reference_models').all() as {
        source: string
        providerId: string
        modelKey: string
        canonicalId: string
      }[]
      for (const r of refs) {
        const next = this.canonicalId({ provider: r.providerId, id: r.modelKey })
        if (next !== r.canonicalId) plan.refs.push({ source: r.source, providerId: r.providerId, modelKey: r.modelKey, next })
      }
    }
    return plan
  }

  /** Writes a re-derivation plan (inside the caller's write transaction); true when a canonical id moved. */
  #applyRederived(plan: RederivePlan): boolean {
    const offeringStmt = this.db.$client.prepare('update offerings set canonical_id = ?, canonical_basis = ? where id = ?')
    for (const r of plan.offerings) offeringStmt.run(r.next, r.basis, r.id)
    const refStmt = this.db.$client.prepare('update reference_models set canonical_id = ? where source = ? and provider_id = ? and model_key = ?')
    for (const r of plan.refs) refStmt.run(r.next, r.source, r.providerId, r.modelKey)
    // (the caller marks the plan committed once its transaction returned: never in here, where a rollback could follow)
    // a basis filled in (rows written before it existed) is no new catalog; a moved canonical id is
    return plan.offerings.some((r) => r.moved) || plan.refs.length > 0
  }

  /**
   * Identity for one refresh, before its commit (the refresh thread calls it; issue 12: no heavy work in the
   * write transaction): the fetched lists teach the learned tables, each offering's canonical id and basis
   * are decided (o.canonicalIds / o.canonicalBases), and when the learned tables changed since the stored
   * rows were derived, the rows they now decide otherwise are found. commitRefresh then only writes.
   */
  prepareIdentity(outcomes: ProviderOutcome[]): void {
    this.#identityWork(() => this.#prepareIdentity(outcomes))
  }

  #prepareIdentity(outcomes: ProviderOutcome[]): void {
    if (this.#learnedFromDb && this.#dbChanged) this.learnIdentity() // rows another writer (a snapshot) brought
    // one batch for every list of the refresh: one rebuild of the learned spellings, one merge at most
    this.#canonical.learn(outcomes.flatMap((o) => (o.ok && !o.unchanged ? o.offerings.map((m) => liveObservation(o.provider, m)) : [])))
    for (const o of outcomes) {
      if (!o.ok || o.unchanged) continue
      const decided = o.offerings.map((m) => this.#identityOf({ provider: o.provider, id: m.providerModelId, ownedBy: m.ownedBy, name: m.name }))
      o.canonicalIds = decided.map((d) => d.id)
      o.canonicalBases = decided.map((d) => d.basis)
    }
    const learnedMore = this.#committedGeneration !== this.#canonical.generation
    const newFamilies = this.#committedNovelty !== this.#canonical.learned.novelty
    this.#pendingIdentity = learnedMore || newFamilies ? this.#planRederive(!learnedMore) : undefined
  }

  /** The committed catalog version, kept in memory so the request path never asks SQLite for it. */
  get version(): number {
    return this.#version
  }

  readVersion(): number {
    return this.db.select({ v: catalogState.version }).from(catalogState).where(eq(catalogState.id, 1)).get()?.v ?? 0
  }

  /**
   * Applies one refresh: every successful provider's offerings replace its previous rows, a failed
   * provider keeps its rows and records its error; one IMMEDIATE transaction, so readers see the old
   * catalog or the new one, never a mix. The version bumps only when an offering was added, changed or
   * removed: an unchanged catalog keeps its version, its cached bodies and its ETags.
   */
  commitRefresh(trigger: string, startedAt: number, outcomes: ProviderOutcome[], opts: { source?: 'live' | 'bootstrap' } = {}): { runId: number; version: number } {
    return this.#identityWork(() => this.#commitRefresh(trigger, startedAt, outcomes, opts))
  }

  #commitRefresh(trigger: string, startedAt: number, outcomes: ProviderOutcome[], opts: { source?: 'live' | 'bootstrap' } = {}): { runId: number; version: number } {
    const source = opts.source ?? 'live'
    const now = this.now()
    const nowSec = Math.floor(now / 1000)
    let runId = 0
    // identity was learned and decided before this call (prepareIdentity, on the refresh thread): the
    // transaction below only writes rows, and the stored rows a change of the learned tables moved
    const plan = this.#pendingIdentity?.generation === this.#canonical.generation && this.#pendingIdentity.novelty === this.#canonical.learned.novelty ? this.#pendingIdentity : undefined
    this.#pendingIdentity = undefined
    const version = this.#write(
      () => {
        runId = this.db.insert(refreshRuns).values({ trigger, startedAt }).returning({ id: refreshRuns.id }).get()!.id
        let wrote = plan ? this.#applyRederived(plan) : false
        let fill: ReturnType<Enricher['load']> | undefined
        for (const o of outcomes) {
          if (
            o.ok &&
            !o.unchanged &&
            this.replaceProviderOfferings(o.provider, o.offerings, o.canonicalIds, o.canonicalBases, runId, nowSec, (fill ??= this.enricher.load()), source, o.guard ?? null) > 0
          )
            wrote = true
          if (source === 'bootstrap') continue // the snapshot is no attempt at the provider: its state stays as it was
          const state = !o.ok
            ? { lastAttemptAt: now, lastError: o.error, lastDurationMs: o.durationMs }
            : o.unchanged
              ? // 304 or the same bytes: the same list as last time (its skipped count and warning stand); it was seen now
                { lastAttemptAt: now, lastSuccessAt: now, lastError: null, lastDurationMs: o.durationMs, ...(o.validators !== undefined ? { upstreamValidators: o.validators } : {}) }
              : {
                  lastAttemptAt: now,
                  lastSuccessAt: now,
                  lastError: null,
                  lastDurationMs: o.durationMs,
                  skippedItems: o.skipped,
                  lastWarning: o.warning,
                  ...(o.validators !== undefined ? { upstreamValidators: o.validators } : {}),
                }
          this.db
            .insert(providers)
            .values({ id: o.provider, ...state })
            .onConflictDoUpdate({ target: providers.id, set: state })
            .run()
        }
        // last_seen_at is a stored fact of the catalog version: a commit that makes a new version stamps the
        // rows of every provider that succeeded in it; a refresh that changes nothing writes nothing, so
        // the same catalog serves the same bytes and ETags, also after a restart
        if (wrote && source === 'live') {
          const stamp = this.db.$client.prepare("update offerings set last_seen_at = ? where provider_id = ? and source = 'live'")
          for (const o of outcomes) if (o.ok) stamp.run(nowSec, o.provider)
        }
        return wrote
      },
      (version) => {
        this.db
          .update(refreshRuns)
          .set({ finishedAt: now, catalogVersion: version, results: outcomes.map(summarize) })
          .where(eq(refreshRuns.id, runId))
          .run()
        this.db
          .delete(changes)
          .where(lt(changes.at, now - this.changeRetentionMs))
          .run() // retention
      },
    )
    if (this.#changeListeners.length) {
      const recorded = this.db
        .select()
        .from(changes)
        .where(and(eq(changes.catalogVersion, version), gte(changes.at, now)))
        .orderBy(asc(changes.id))
        .all() as ChangeRow[]
      if (recorded.length) for (const l of this.#changeListeners) l(recorded)
    }
    if (plan) [this.#committedGeneration, this.#committedNovelty] = [plan.generation, plan.novelty]
    return { runId, version }
  }

  /**
   * Writes one provider's list: new and changed offerings are upserted with their filled values and prices,
   * unchanged ones (same content hash) are not written at all, vanished ones are deleted (prices cascade).
   * first_seen_at survives; a changed row's last_seen_at moves.
   */
  private replaceProviderOfferings(
    providerId: string,
    items: OfferingInput[],
    canonicalIds: string[] | undefined,
    canonicalBases: CanonicalBasis[] | undefined,
    runId: number,
    nowSec: number,
    fill: ReturnType<Enricher['load']>,
    source: 'live' | 'bootstrap',
    guard: string | null = null,
  ): number {
    let changes = 0
    const st = this.statements()
    const writePrices = pricingWriter(this.db)
    const existing = new Map((st.hashes.all(providerId) as ExistingRow[]).map((r) => [r.id, r]))
    // The change feed: only against a live list this provider gave before (a first list, or the bootstrap
    // snapshot, is a baseline, not news).
    const recordChanges = source === 'live' && [...existing.values()].some((r) => r.source === 'live')
    const version = this.readVersion() + 1 // the version this commit will have when anything changes
    const now = this.now()
    const record = (type: ChangeType, id: string, canonicalId: string, name: string, detail: Record<string, unknown>) =>
      st.change.run(version, now, providerId, id, canonicalId, name, type, JSON.stringify(detail))
    const seen = new Set<string>()
    for (const [i, m] of items.entries()) {
      const id = `${providerId}/${m.providerModelId}`
      if (seen.has(id)) continue // upstreams occasionally list an id twice; the first wins
      seen.add(id)
      // decided before the commit (prepareIdentity); a caller that did not decide (a test, the bootstrap): decided now
      const given = canonicalIds?.[i] !== undefined && canonicalBases?.[i] !== undefined
      const identity = given ? { id: canonicalIds![i]!, basis: canonicalBases![i]! } : this.#identityOf({ provider: providerId, id: m.providerModelId, ownedBy: m.ownedBy, name: m.name })
      const canonicalId = identity.id
      const canonicalBasis = identity.basis
      const capabilities = deriveCapabilities(m)
      const upstream = {
        contextLength: m.contextLength ?? null,
        maxOutputTokens: m.maxOutputTokens ?? null,
        inputModalities: m.inputModalities ?? null,
        outputModalities: m.outputModalities ?? null,
        capabilities,
        pricing: m.pricing,
        priceTiers: m.priceTiers?.length ? m.priceTiers : null,
        created: m.created && m.created > 0 ? m.created : null,
        deprecation: m.deprecation ?? null,
      }
      const f = fill({ id, providerId, providerModelId: m.providerModelId, canonicalId }, upstream, source === 'bootstrap' ? 'bootstrap' : 'upstream')
      // the identity is compared as stored, not hashed: a re-derivation (prepareIdentity's plan, the reference
      // refresh, startup) writes canonical_id and canonical_basis alone, and the next list must not rewrite the row
      const hash = Bun.hash(JSON.stringify([m, f, source])).toString(36)
      const old = existing.get(id)
      if (old?.content_hash === hash && old.canonical_id === canonicalId && old.canonical_basis === canonicalBasis) continue
      changes++
      if (recordChanges) {
        if (old?.source !== 'live') record('added', id, canonicalId, m.name, { pricing: f.pricing, context_length: f.contextLength, ...(f.deprecation ? { deprecation: f.deprecation } : {}) })
        else {
          const diff = diffTracked(old, {
            pricing: f.pricing,
            context_length: f.contextLength,
            input_modalities: f.inputModalities,
            output_modalities: f.outputModalities,
            deprecation: f.deprecation,
          })
          if (Object.keys(diff).length) record('changed', id, canonicalId, m.name, guard ? { ...diff, guard } : diff)
        }
      }
      st.upsert.run(
        id,
        providerId,
        m.providerModelId,
        canonicalId,
        canonicalBasis,
        m.name,
        m.description ?? null,
        f.created,
        m.ownedBy ?? null,
        f.contextLength,
        f.maxOutputTokens,
        json(f.inputModalities),
        json(f.outputModalities),
        json(m.supportedParameters),
        json(f.capabilities),
        json(f.deprecation),
        json(upstream),
        json(f.sources),
        json(m.extra),
        json(f.priceTiers),
        json(f.conflicts),
        hash,
        f.promptPrice,
        f.completionPrice,
        nowSec,
        nowSec,
        runId,
        source,
      )
      writePrices(id, f)
    }
    for (const [id, old] of existing) {
      if (seen.has(id)) continue
      if (recordChanges && old.source === 'live') record('removed', id, old.canonical_id, old.name, { pricing: parseJson(old.pricing) ?? {}, context_length: old.context_length })
      st.remove.run(id)
      changes++
    }
    return changes
  }

  #statements?: ReturnType<CatalogStore['prepareStatements']>
  private statements() {
    return (this.#statements ??= this.prepareStatements())
  }
  /** Raw prepared statements for the bulk write path (a drizzle builder per row costs ~10× more). */
  private prepareStatements() {
    const c = this.db.$client
    const columns = [
      'id',
      'provider_id',
      'provider_model_id',
      'canonical_id',
      'canonical_basis',
      'name',
      'description',
      'created',
      'owned_by',
      'context_length',
      'max_output_tokens',
      'input_modalities',
      'output_modalities',
      'supported_parameters',
      'capabilities',
      'deprecation',
      'upstream',
      'sources',
      'extra',
      'price_tiers',
      'conflicts',
      'content_hash',
      'prompt_price',
      'completion_price',
      'first_seen_at',
      'last_seen_at',
      'refresh_run_id',
      'source',
    ]
    const updated = columns.filter((col) => col !== 'id' && col !== 'first_seen_at')
    return {
      upsert: c.prepare(
        `insert into offerings (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})
         on conflict(id) do update set ${updated.map((col) => `${col} = excluded.${col}`).join(', ')}`,
      ),
      hashes: c.prepare(
        `select id, content_hash, source, name, canonical_id, canonical_basis, context_length, input_modalities, output_modalities, deprecation,
           (select json_group_object(component, usd) from pricing where offering_id = offerings.id) as pricing
         from offerings where provider_id = ?`,
      ),
      change: c.prepare('insert into changes (catalog_version, at, provider_id, offering_id, canonical_id, name, type, detail) values (?, ?, ?, ?, ?, ?, ?, ?)'),
      remove: c.prepare('delete from offerings where id = ?'),
    }
  }

  /** Offerings ordered by id, optionally of some providers or one page (the query layer's per-offering view). */
  listOfferings(opts: { providers?: string[]; limit?: number; offset?: number } = {}): OfferingRow[] {
    const page = queryOfferings(this.db, { ...opts, sort: 'id', order: 'asc' })
    return page.rows
  }

  /** Offerings of a provider that came from its own list (not the bootstrap snapshot): what the anomaly guard compares with. */
  /** The validators of a provider's last full list (for a conditional fetch), if it has them. */
  upstreamValidators(providerId: string): UpstreamValidators | null {
    return this.db.select({ v: providers.upstreamValidators }).from(providers).where(eq(providers.id, providerId)).get()?.v ?? null
  }

  liveCount(providerId: string): number {
    return (
      this.db
        .select({ n: count() })
        .from(offerings)
        .where(and(eq(offerings.providerId, providerId), eq(offerings.source, 'live')))
        .get()?.n ?? 0
    )
  }

  /**
   * The live offerings of a provider with a prompt or completion price (float sort keys): what the
   * price-sanity guard compares a new list with.
   */
  livePrices(providerId: string): Map<string, { prompt: number | null; completion: number | null }> {
    const rows = this.db.$client
      .prepare(
        "select provider_model_id as id, prompt_price as prompt, completion_price as completion from offerings where provider_id = ? and source = 'live' and (prompt_price is not null or completion_price is not null)",
      )
      .all(providerId) as { id: string; prompt: number | null; completion: number | null }[]
    return new Map(rows.map((r) => [r.id, { prompt: r.prompt, completion: r.completion }]))
  }

  /** Offerings carrying conflicts with a reference catalog, per provider (the /metrics gauge). */
  conflictCounts(): Map<string, number> {
    const rows = this.db.$client.prepare('select provider_id as id, count(*) as n from offerings where conflicts is not null group by provider_id').all() as { id: string; n: number }[]
    return new Map(rows.map((r) => [r.id, r.n]))
  }

  countOfferings(providerIds?: string[]): number {
    return (
      this.db
        .select({ n: count() })
        .from(offerings)
        .where(providerIds ? inArray(offerings.providerId, providerIds) : undefined)
        .get()?.n ?? 0
    )
  }

  getOffering(id: string): OfferingRow | undefined {
    return getOffering(this.db, id)
  }

  /** A page of offerings for a list query: filters, sort, keyset cursor (src/catalog/reads.ts). */
  queryOfferings(q: CatalogQuery) {
    return queryOfferings(this.db, q)
  }

  /** A page of canonical models (the unique view): grouped and priced by SQLite. */
  queryCanonical(q: CatalogQuery & { canonicalId?: string }) {
    return queryCanonical(this.db, q)
  }

  /** Every offering read into a query index (src/catalog/engine.ts), in one read transaction, with its version. */
  indexData(serialize: (row: OfferingRow) => string): IndexData {
    const { value, version, updatedAt } = this.readConsistent(() => buildIndexData(this.db, serialize))
    value.version = version
    value.updatedAt = updatedAt
    return value
  }

  /**
   * Runs `read` inside one read transaction and returns what it built with the catalog version it saw (and that
   * version's updated_at):
   * a commit of the refresh thread in between cannot mix two catalogs into one answer.
   */
  readConsistent<T>(read: () => T): { value: T; version: number; updatedAt: number } {
    const c = this.db.$client
    return c
      .transaction(() => {
        const state = c.query('select version, updated_at from catalog_state where id = 1').get() as { version: number; updated_at: number | null } | null
        return { value: read(), version: state?.version ?? 0, updatedAt: state?.updated_at ?? 0 }
      })
      .deferred()
  }

  /** Change-feed entries, oldest first: after a version or a time, after an entry id (cursor), of some providers or one type. */
  listChanges(filter: { sinceVersion?: number; sinceTime?: number; afterId?: number; providers?: string[]; type?: ChangeType; limit: number }): ChangeRow[] {
    const { sinceVersion, sinceTime, afterId, providers, type, limit } = filter
    return this.db
      .select()
      .from(changes)
      .where(
        and(
          sinceVersion !== undefined ? gt(changes.catalogVersion, sinceVersion) : undefined,
          sinceTime !== undefined ? gt(changes.at, sinceTime) : undefined,
          afterId !== undefined ? gt(changes.id, afterId) : undefined,
          providers ? inArray(changes.providerId, providers) : undefined,
          type ? eq(changes.type, type) : undefined,
        ),
      )
      .orderBy(asc(changes.id))
      .limit(limit)
      .all()
  }

  /** The latest change-feed entries of one type, newest first (the Atom feed). */
  latestChanges(type: ChangeType, limit: number): ChangeRow[] {
    return this.db.select().from(changes).where(eq(changes.type, type)).orderBy(desc(changes.id)).limit(limit).all()
  }

  /**
   * Runtime state of every provider with stored rows or attempts, and its gateway counts: offerings,
   * distinct canonical models, and canonical models no other provider (of `among`) offers.
   */
  providerStates(among?: string[], opts: { models?: boolean; counts?: Map<string, { total: number; bootstrap: number }> } = {}): Map<string, ProviderState> {
    const others = among ? sql`and x.provider_id in ${among}` : sql``
    // models: false skips the distinct/exclusive model counts (0 then): what a status needs costs one grouped scan
    const models =
      opts.models === false
        ? sql`0 as unique_models, 0 as exclusive_models`
        : sql`count(distinct o.canonical_id) as unique_models,
             count(distinct case when not exists (
               select 1 from offerings x where x.canonical_id = o.canonical_id and x.provider_id != o.provider_id ${others}
             ) then o.canonical_id end) as exclusive_models`
    // counts given (the query index knows them): no scan of the offerings at all
    const counts = opts.counts
      ? [...opts.counts].map(([id, c]) => ({ id, total: c.total, bootstrap_models: c.bootstrap, unique_models: 0, exclusive_models: 0 }))
      : this.db.all<{ id: string; total: number; unique_models: number; exclusive_models: number; bootstrap_models: number }>(sql`
      select o.provider_id as id, count(*) as total, sum(o.source = 'bootstrap') as bootstrap_models, ${models}
      from offerings o group by o.provider_id`)
    const byId = new Map(counts.map((c) => [c.id, c]))
    const empty = { lastAttemptAt: null, lastSuccessAt: null, lastError: null, lastDurationMs: null, skippedItems: 0, lastWarning: null }
    const out = new Map<string, ProviderState>()
    const ids = new Set([
      ...this.db
        .select({ id: providers.id })
        .from(providers)
        .all()
        .map((r) => r.id),
      ...byId.keys(),
    ])
    const states = new Map(
      this.db
        .select()
        .from(providers)
        .all()
        .map((s) => [s.id, s]),
    )
    for (const id of ids) {
      const c = byId.get(id)
      out.set(id, {
        ...empty,
        ...states.get(id),
        id,
        modelCount: c?.total ?? 0,
        uniqueModels: c?.unique_models ?? 0,
        exclusiveModels: c?.exclusive_models ?? 0,
        bootstrapModels: c?.bootstrap_models ?? 0,
      })
    }
    return out
  }
}

function summarize(o: ProviderOutcome) {
  return o.ok
    ? { provider: o.provider, status: 'ok', model_count: o.offerings.length, skipped: o.skipped, duration_ms: o.durationMs, warning: o.warning, ...(o.unchanged ? { not_modified: true } : {}) }
    : { provider: o.provider, status: 'failed', error: o.error, duration_ms: o.durationMs }
}
