import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Adapter, AdapterContext } from '../../src/upstream/adapter'
import { ADAPTERS } from '../../src/upstream/adapters'

/**
 * "A newer upstream schema must not break a refresh": for every real capture of an OpenAI-style list,
 * adding a field to every item, or removing any optional field from every item, keeps every model
 * (same ids, none skipped). Captures of the other formats are covered in adapters-paged/-extras tests.
 */
const FIX = join(import.meta.dir, '..', 'fixtures', 'upstream')
const CAPTURES: [keyof typeof ADAPTERS, string][] = [
  ['openai', 'groq/groq_models_2025-01-14.json'],
  ['openai', 'groq/groq_models_2025-10-05.json'],
  ['openai', 'groq/groq_models_2026-01-22.json'],
  ['openai', 'openai/openai_models_2025-05-23.json'],
  ['openai', 'openai/openai_models_data-array_2024-04.json'],
  ['openai', 'openai/openai_models_legacy-permission_2023-05-26.json'],
  ['openai', 'cerebras/cerebras_models_data-array_2025-09-03.json'],
  ['openai', 'nebius/nebius_models_2026-03-01.json'],
  ['openai', 'deepseek/deepseek_models_2025-11-06.json'],
  ['openai', 'portkey/portkey_v1_models_2025-10-05.json'],
  ['openrouter', 'openrouter/openrouter_models_data-array_2024-09.json'],
  ['openrouter', 'openrouter/roo-code_openrouter-models_2025-04-24.DECODED_BODY.json'],
  ['openrouter', 'openrouter/roo-code_openrouter-models_2025-05-12.DECODED_BODY.json'],
  ['together', 'together/together_v1_models_2026-01-23.json'],
]

const read = (rel: string) => JSON.parse(readFileSync(join(FIX, rel), 'utf8').replace(/^\uFEFF/, ''))
const itemsOf = (body: any): any[] => (Array.isArray(body) ? body : body.data)
const withItems = (body: any, items: any[]) => (Array.isArray(body) ? items : { ...body, data: items })

async function refreshResult(adapter: Adapter, body: unknown) {
  const ctx: AdapterContext = { baseUrl: 'https://upstream.test/v1', maxPages: 10, getJson: async () => body }
  const listed = await adapter.list(ctx)
  const items = Array.isArray(listed) ? listed : listed.items
  const ids: string[] = []
  let skipped = 0
  for (const raw of items) {
    const parsed = adapter.item.safeParse(raw)
    if (parsed.success) ids.push(adapter.normalize(parsed.data).providerModelId)
    else skipped++
  }
  return { ids, skipped }
}

describe.each(CAPTURES)('%s adapter on %s', (adapterId, file) => {
  const adapter = ADAPTERS[adapterId] as Adapter
  const body = read(file)
  const items = itemsOf(body)
  const optionalKeys = [...new Set(items.flatMap((i) => Object.keys(i)))].filter((k) => k !== 'id')

  test('the capture itself refreshes with no item skipped', async () => {
    const r = await refreshResult(adapter, body)
    expect(r.skipped).toBe(0)
    expect(r.ids).toEqual(items.map((i) => i.id))
  })

  test('an unknown field added to every item changes nothing', async () => {
    const before = await refreshResult(adapter, body)
    const grown = withItems(
      body,
      items.map((i) => ({ ...i, brand_new_field: { nested: [1, 'x'] }, reasoning: 'sometimes' })),
    )
    const after = await refreshResult(adapter, grown)
    expect(after).toEqual(before)
    // and the normalized offerings are identical field by field
    const norm = (b: unknown) => itemsOf(b).map((i: unknown) => adapter.normalize(adapter.item.parse(i)))
    expect(norm(grown)).toEqual(norm(body))
  })

  test.each(optionalKeys.length ? optionalKeys : ['(none)'])('removing "%s" from every item keeps every model', async (key) => {
    const before = await refreshResult(adapter, body)
    const shrunk = withItems(
      body,
      items.map(({ [key]: _gone, ...rest }) => rest),
    )
    expect(await refreshResult(adapter, shrunk)).toEqual(before)
  })
})
