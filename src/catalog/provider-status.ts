import type { ResolvedProvider } from '../config'
import type { ProviderStatus } from '../domain/vocabulary'
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
