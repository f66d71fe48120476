import type { ChangeRow } from './store'
import type { ChangeType } from '../domain/vocabulary'

/** A change as the API, the feed and webhooks show it. */
export const toChange = (r: ChangeRow) => ({
  id: r.id,
  type: r.type as ChangeType,
  catalog_version: r.catalogVersion,
  at: new Date(r.at).toISOString(),
  provider: r.providerId,
  model: r.offeringId,
  canonical_id: r.canonicalId,
  name: r.name,
  detail: r.detail ?? {},
})
export type Change = ReturnType<typeof toChange>
