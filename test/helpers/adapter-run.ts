import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { OfferingInput } from '../../src/domain/types'
import type { Adapter, AdapterContext } from '../../src/upstream/adapter'
import { FIXTURES } from './fake-upstream'

/**
 * An adapter driven as the refresh worker drives it, without the network: its list() against a context whose
 * getJson answers a given body, then safeParse + normalize per item. Bodies come from the real captures under
 * test/fixtures/upstream (see test/fixtures/PROVENANCE.md).
 */

export type Raw = Record<string, any>

/** A capture's text (`rel`: relative to test/fixtures/upstream). */
export const readText = (rel: string) => readFileSync(join(FIXTURES, rel), 'utf8')
export const readFixture = (rel: string): unknown => JSON.parse(readText(rel))
/** The items of a list body: a bare array, or `{data: [...]}`. */
export const itemsOf = (body: unknown): Raw[] => (Array.isArray(body) ? body : (body as { data: Raw[] }).data)
/** The fixture's items, read straight from the file (the expected side of every assertion). */
export const rawItems = (rel: string): Raw[] => itemsOf(readFixture(rel))

/** The item of `items` whose `key` is `id`; throws when the fixture has none. */
export const find = (items: Raw[], id: string, key = 'id'): Raw => {
  const item = items.find((i) => i[key] === id)
  if (!item) throw new Error(`fixture has no item ${id}`)
  return item
}

/** A price as the catalog stores it: a canonical decimal string (no exponent, no trailing zeros). */
export const CANONICAL_DECIMAL = /^(0|[1-9]\d*)(\.\d*[1-9])?$/

export interface Call {
  url: string
  headers: Record<string, string> | undefined
}

/** An AdapterContext whose getJson returns `body` and records how it was called. */
export function fakeContext(body: unknown, baseUrl: string, apiKey?: string) {
  const calls: Call[] = []
  const ctx: AdapterContext = {
    baseUrl,
    apiKey,
    maxPages: 50,
    async getJson(url, headers) {
      calls.push({ url, headers })
      return body
    },
  }
  return { ctx, calls }
}

/** What the refresh worker does with a list: safeParse + normalize per item (an item that does not parse: `invalid`). */
export function normalizeAll(adapter: Adapter, items: unknown[]) {
  const offerings: OfferingInput[] = []
  const invalid: unknown[] = []
  for (const raw of items) {
    const parsed = adapter.item.safeParse(raw)
    if (parsed.success) offerings.push(adapter.normalize(parsed.data))
    else invalid.push(raw)
  }
  /** byId: offerings of valid items, by providerModelId. */
  return { offerings, invalid, byId: new Map(offerings.map((o) => [o.providerModelId, o])) }
}

/** Normalizes one raw item, failing the test if it does not parse. */
export function normalizeOne(adapter: Adapter, raw: unknown): OfferingInput {
  const parsed = adapter.item.safeParse(raw)
  if (!parsed.success) throw new Error(`item did not parse: ${parsed.error.message}`)
  return adapter.normalize(parsed.data)
}

export interface Run extends ReturnType<typeof normalizeAll> {
  calls: Call[]
  items: unknown[]
}

/** What the refresh worker does with one provider: list() (getJson answering `body`), then normalizeAll. */
export async function run(adapter: Adapter, body: unknown, opts: { baseUrl?: string; apiKey?: string } = {}): Promise<Run> {
  const { ctx, calls } = fakeContext(body, opts.baseUrl ?? 'https://upstream.test/v1', opts.apiKey)
  const listed = await adapter.list(ctx)
  const items = Array.isArray(listed) ? listed : listed.items
  return { calls, items, ...normalizeAll(adapter, items) }
}
