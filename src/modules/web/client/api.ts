/** The public API as the page sees it: only /v1 routes, the same JSON any client gets. Fields added later pass through. */

export type Pricing = Record<string, unknown> & { prompt?: string; completion?: string; request?: string; image?: string; input_cache_read?: string; input_cache_write?: string }

export interface Offering {
  id: string
  canonical_id: string
  provider: string
  provider_model_id: string
  name: string
  owned_by: string
  created: number
  context_length: number | null
  max_output_tokens: number | null
  architecture: { input_modalities: string[] | null; output_modalities: string[] | null }
  pricing: Pricing
  supported_parameters: string[] | null
  capabilities: Record<string, boolean | undefined>
  deprecation: { date: string | null; end_of_life: string | null; replacement: string | null } | null
  first_seen_at: string
  last_seen_at: string | null
  source: string
  sources: Record<string, string>
  [extra: string]: unknown
}

export interface CanonicalOffering {
  id: string
  provider: string
  provider_model_id: string
  context_length: number | null
  pricing: Pricing
  status: string
  [extra: string]: unknown
}

export interface CanonicalModel {
  id: string
  name: string
  owned_by: string
  created: number
  context_length: number | null
  max_output_tokens: number | null
  architecture: { input_modalities: string[] | null; output_modalities: string[] | null }
  pricing: Pricing
  provider_count: number
  first_seen_at: string
  last_seen_at: string | null
  providers: CanonicalOffering[]
  cheapest: { provider: string; id: string; pricing: Pricing } | null
  [extra: string]: unknown
}

export interface ModelList<T> {
  data: T[]
  total?: number
  has_more?: boolean
  next_cursor?: string | null
}

export interface Provider {
  id: string
  name: string
  enabled: boolean
  status: string
  breaker: string
  breaker_retry_at: string | null
  total: number
  unique: number
  exclusive: number
  last_success_at: string | null
  last_attempt_at: string | null
  last_error: string | null
  last_warning: string | null
  key_required: boolean
  has_key: boolean
  [extra: string]: unknown
}

export interface Change {
  id: number
  type: string
  catalog_version: number
  at: string
  provider: string
  model: string
  canonical_id: string
  name: string
  detail: Record<string, unknown>
}

export class ApiFailure extends Error {}

/** A busy service (503: its budget for uncached answers is spent) says when to come back: asked again up to this often. */
const BUSY_RETRIES = 3

/** GET a /v1 path; an error answer becomes an ApiFailure carrying the API's own message. */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  let res = await fetch(path, { signal, headers: { accept: 'application/json' } })
  for (let attempt = 0; res.status === 503 && attempt < BUSY_RETRIES; attempt++) {
    const seconds = Math.min(5, Math.max(1, Number(res.headers.get('retry-after')) || 1))
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
    res = await fetch(path, { signal, headers: { accept: 'application/json' } })
  }
  const body = await res.json().catch(() => null)
  if (!res.ok) throw new ApiFailure((body as { error?: { message?: string } } | null)?.error?.message ?? `${res.status} ${res.statusText}`)
  return body as T
}

/** A model id as a path: each segment percent-encoded, slashes kept (the API decodes). */
export const modelPath = (id: string) => `/v1/models/${id.split('/').map(encodeURIComponent).join('/')}`
