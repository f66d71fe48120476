import { z } from 'zod'

/**
 * The words every layer shares, each declared once (TypeScript types are inferred from the zod schemas,
 * which the API documents as they are): kinds of change, breaker states, refresh outcomes, the refresh report.
 */

/** What the change feed records for an offering. */
export const ChangeType = z.enum(['added', 'removed', 'changed'])
export type ChangeType = z.infer<typeof ChangeType>
export const CHANGE_TYPES = ChangeType.options

/** A provider's circuit breaker (src/refresh/breakers.ts). */
export const BreakerState = z.enum(['closed', 'open', 'half_open', 'misconfigured'])
export type BreakerState = z.infer<typeof BreakerState>
export const BREAKER_STATES = BreakerState.options

/** A breaker as the registry keeps it and the store saves it (times in ms). */
export interface BreakerSnapshot {
  provider: string
  state: BreakerState
  consecutiveFailures: number
  /** Consecutive openings (drives the backoff); 0 after a success or a reset. */
  opens: number
  openedAt: number | null
  /** When an open or misconfigured breaker lets the next probe through (ms). */
  retryAt: number | null
  lastError: string | null
  lastFailureAt: number | null
  lastSuccessAt: number | null
}

/** How one provider's part of a refresh ended. */
export const ProviderResultStatus = z.enum(['ok', 'failed', 'needs_key', 'disabled', 'skipped_breaker'])
export type ProviderResultStatus = z.infer<typeof ProviderResultStatus>

export const ProviderResult = z.object({
  provider: z.string(),
  status: ProviderResultStatus,
  model_count: z.number().int(),
  skipped: z.number().int(),
  duration_ms: z.number().int(),
  error: z.string().nullable(),
  /** Set on success when the list is incomplete (page cap) or was forced past the anomaly guard. */
  warning: z.string().nullable(),
  not_modified: z.boolean().optional().describe('true: the upstream answered 304 to a conditional request (If-None-Match / If-Modified-Since): the stored list was kept, nothing parsed'),
})
export type ProviderResult = z.infer<typeof ProviderResult>

/** What a refresh did: the admin API's answer, the CLI's summary, the metrics' input. */
export const RefreshReport = z.object({
  trigger: z.string(),
  started_at: z.string(),
  duration_ms: z.number().int(),
  catalog_version: z.number().int(),
  results: z.array(ProviderResult),
  /** Circuit-breaker state changes during this refresh. */
  breaker_transitions: z.array(z.object({ provider: z.string(), from: z.string(), to: z.string() })).optional(),
})
export type RefreshReport = z.infer<typeof RefreshReport>

/** A provider's status in every view (/v1/providers, /health/providers, the unique view's providers, the CLI). */
export const ProviderStatus = z.enum(['ok', 'stale', 'failing', 'disabled', 'never_refreshed', 'needs_key', 'misconfigured', 'bootstrap'])
export type ProviderStatus = z.infer<typeof ProviderStatus>
