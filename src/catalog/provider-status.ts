import type { ResolvedProvider } from '../config'
import type { BreakerSnapshot, ProviderStatus } from '../domain/vocabulary'
import type { ProviderState } from './rows'

/** One provider's status, the one computation every view uses (its refresh state and its breaker's state). */
export function providerStatus(p: ResolvedProvider, s: ProviderState | undefined, breaker?: string): ProviderStatus {
  if (!p.enabled) return 'disabled'
  if (p.keyRequired && !p.apiKey) return 'needs_key'
  if (breaker === 'misconfigured') return 'misconfigured'
  // serving only the embedded snapshot and not yet tried: bootstrap (tried and failed: stale, below)
  if (!s?.lastAttemptAt && s?.modelCount && s.bootstrapModels === s.modelCount) return 'bootstrap'
  if (!s?.lastAttemptAt) return s?.modelCount ? 'stale' : 'never_refreshed'
  if (!s.lastError) return 'ok'
  return s.modelCount > 0 ? 'stale' : 'failing'
}

/**
 * A provider's status and last error, for every view (/v1/providers, /health/providers, `modelcat providers`):
 * the error is the refresh state's (cleared by the next success); the breaker's own last error only counts
 * while the provider is not ok and when it is newer than the last success. A recovered provider shows none.
 */
export function providerHealth(
  p: ResolvedProvider,
  s: ProviderState | undefined,
  b: Pick<BreakerSnapshot, 'state' | 'lastError' | 'lastFailureAt'> | undefined,
): { status: ProviderStatus; lastError: string | null; lastErrorAt: number | null } {
  const status = providerStatus(p, s, b?.state)
  if (status === 'ok' || status === 'disabled' || status === 'needs_key') return { status, lastError: null, lastErrorAt: null }
  if (s?.lastError) return { status, lastError: s.lastError, lastErrorAt: s.lastAttemptAt }
  const breakerNewer = b?.lastError && (b.lastFailureAt ?? 0) > (s?.lastSuccessAt ?? 0)
  return breakerNewer ? { status, lastError: b.lastError, lastErrorAt: b.lastFailureAt ?? null } : { status, lastError: null, lastErrorAt: null }
}
