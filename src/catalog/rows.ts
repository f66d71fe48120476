import type { changes } from '../db/schema'
import type { CanonicalBasis } from './canonical'
import type { Capabilities, Conflict, Deprecation, FieldSources, OfferingInput, PriceTier, Pricing } from '../domain/types'

/** The shapes of what the catalog hands out and takes in (its reads and its refresh input). */

export type ChangeRow = typeof changes.$inferSelect

/** The outcome of fetching one provider, as the refresh worker hands it to the store. */
export type ProviderOutcome =
  | {
      provider: string
      ok: true
      offerings: OfferingInput[]
      /** canonicalIds[i] is offerings[i]'s, when the caller computed them before the commit (else the store does, inside it). */
      canonicalIds?: string[]
      /** canonicalBases[i] is how canonicalIds[i] was reached (both decided together, before the commit: store.prepareIdentity). */
      canonicalBases?: CanonicalBasis[]
      skipped: number
      durationMs: number
      warning: string | null
      /** Set when an admin forced the list past a guard (price sanity): recorded on each change it made. */
      guard?: string | null
      /** The validators of this list (null: none to keep, e.g. a paged list); absent: leave the stored ones. */
      validators?: UpstreamValidators | null
      /** The upstream answered 304 to a conditional request: its rows stay as they are, only its state moves. */
      unchanged?: boolean
    }
  | { provider: string; ok: false; error: string; durationMs: number }

/**
 * A provider's validators: the request (hash of URL, headers, adapter, version) they answered, its ETag and
 * Last-Modified, and the digest of the body the stored rows came from (the same bytes again are not parsed).
 */
export interface UpstreamValidators {
  request: string
  etag: string | null
  lastModified: string | null
  /** Absent in rows written before it existed. */
  digest?: string | null
}

export interface OfferingRow {
  id: string
  providerId: string
  providerModelId: string
  canonicalId: string
  /** How the canonical id was reached: override | rule | learned:<source> | own (null until maintenance derives it). */
  canonicalBasis: string | null
  name: string
  description: string | null
  created: number | null
  ownedBy: string | null
  contextLength: number | null
  maxOutputTokens: number | null
  inputModalities: string[] | null
  outputModalities: string[] | null
  supportedParameters: string[] | null
  capabilities: Capabilities | null
  deprecation: Deprecation | null
  extra: Record<string, unknown> | null
  sources: FieldSources | null
  /** `live` or `bootstrap` */
  source?: string
  firstSeenAt: number
  lastSeenAt: number
  /** ms: the provider's last successful refresh (every offering it holds was in that list). */
  providerSeenAt?: number | null
  pricing: Pricing
  priceTiers: PriceTier[] | null
  conflicts: Conflict[] | null
}

export interface ProviderState {
  id: string
  lastAttemptAt: number | null
  lastSuccessAt: number | null
  lastError: string | null
  lastDurationMs: number | null
  skippedItems: number
  lastWarning: string | null
  modelCount: number
  /** Distinct canonical models among this provider's offerings. */
  uniqueModels: number
  /** Canonical models no other provider offers. */
  exclusiveModels: number
  /** Offerings still from the bootstrap snapshot. */
  bootstrapModels: number
}
