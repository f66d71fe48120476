import type { z } from 'zod'
import type { OfferingInput } from '../domain/types'

/** What a refresh hands an adapter: where to go, the key, and a bounded JSON GET (refresh/fetch.ts). */
export interface AdapterContext {
  baseUrl: string
  apiKey?: string
  /** Most pages an adapter may follow; past it the list is kept and reported as truncated. */
  maxPages: number
  /** GET a URL and parse its JSON body under the refresh's timeout, byte cap and abort signal. */
  getJson(url: string, headers?: Record<string, string>): Promise<unknown>
  /** Models declared in the TOML config (`models = [...]`), for the `static` adapter. */
  staticModels?: unknown[]
}

/** A list, and why it is incomplete when it is (page cap reached, upstream looping). */
export interface ListResult {
  items: unknown[]
  truncated?: string
}

/**
 * One upstream list format. Every adapter has the same surface: fetch the raw items, a zod schema for
 * one item (checked with safeParse; a bad item is skipped and counted, never fatal), and a pure
 * normalize() that maps a valid item to an offering.
 */
// biome-ignore lint/suspicious/noExplicitAny: the registry holds adapters of every item type; each adapter's own Item is checked by its zod schema
export interface Adapter<Item = any> {
  id: string
  list(ctx: AdapterContext): Promise<unknown[] | ListResult>
  item: z.ZodType<Item>
  normalize(item: Item): OfferingInput
}

export class UpstreamError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    /** The Retry-After header of a 429/503 answer. */
    readonly retryAfter?: string | null,
  ) {
    super(message)
    this.name = 'UpstreamError'
  }
}

export const bearer = (apiKey?: string): Record<string, string> => (apiKey ? { authorization: `Bearer ${apiKey}` } : {})

/**
 * Items of an OpenAI-style list: `{object:"list", data:[...]}`, `{data:[...]}` or a bare array
 * (Together, and captures that kept only the array).
 */
export function listItems(body: unknown): unknown[] {
  if (Array.isArray(body)) return body
  if (body && typeof body === 'object' && Array.isArray((body as { data?: unknown }).data)) {
    return (body as { data: unknown[] }).data
  }
  throw new UpstreamError('unexpected response shape: neither a JSON array nor an object with a "data" array')
}

/** `${baseUrl}${path}` without doubled slashes. */
export const joinUrl = (baseUrl: string, path: string) => `${baseUrl.replace(/\/+$/, '')}${path}`

/**
 * Follows a paged list from `first` until `page()` returns no next URL, at most `ctx.maxPages` pages.
 * Hitting the cap, or an upstream that hands out the same page twice, keeps what was read and says so.
 */
export async function paginate(ctx: AdapterContext, first: string, page: (body: unknown) => { items: unknown[]; next: string | null }, headers?: Record<string, string>): Promise<ListResult> {
  const items: unknown[] = []
  const seen = new Set<string>()
  let url: string | null = first
  while (url) {
    if (seen.size >= ctx.maxPages) return { items, truncated: `stopped at the page cap (${ctx.maxPages} pages): the upstream has more models` }
    if (seen.has(url)) return { items, truncated: `the upstream returned the same page twice after ${seen.size} pages: stopped` }
    seen.add(url)
    const p = page(await ctx.getJson(url, headers))
    items.push(...p.items)
    url = p.next
  }
  return { items }
}

/** `url` with query parameters set (existing ones kept). */
export function withQuery(url: string, params: Record<string, string | number | undefined>): string {
  const u = new URL(url)
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, String(v))
  return u.toString()
}
