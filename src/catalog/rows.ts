import type { changes } from '../db/schema'
import type { Capabilities, Deprecation, FieldSources, OfferingInput, Pricing } from '../domain/types'

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
      skipped: number
      durationMs: number
      warning: string | null
    }
  | { provider: string; ok: false; error: string; durationMs: number }

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
