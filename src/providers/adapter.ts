import type { z } from 'zod'
import type { OfferingInput } from '../catalog/types'

/** What a refresh hands an adapter: where to go, the key, and a bounded JSON GET (refresh/fetch.ts). */
export interface AdapterContext {
  baseUrl: string
  apiKey?: string
  /** GET a URL and parse its JSON body under the refresh's timeout, byte cap and abort signal. */
  getJson(url: string, headers?: Record<string, string>): Promise<unknown>
}

/**
 * One upstream list format. Every adapter has the same surface: fetch the raw items, a zod schema for
 * one item (checked with safeParse; a bad item is skipped and counted, never fatal), and a pure
 * normalize() that maps a valid item to an offering.
 */
export interface Adapter<Item = any> {
  id: string
  list(ctx: AdapterContext): Promise<unknown[]>
  item: z.ZodType<Item>
  normalize(item: Item): OfferingInput
}

export class UpstreamError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message)
    this.name = 'UpstreamError'
  }
}

export const bearer = (apiKey?: string): Record<string, string> =>
  apiKey ? { authorization: `Bearer ${apiKey}` } : {}

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
