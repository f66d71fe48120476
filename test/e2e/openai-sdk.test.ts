import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test'
import OpenAI from 'openai'
import { openCapturedCatalog } from '../helpers/captured-catalog'
import { serveChecked } from '../helpers/contracts'
import type { FakeUpstream } from '../helpers/fake-upstream'
import type { Harness } from '../helpers/harness'

/** The official OpenAI SDK against the service over real HTTP. */

let up: FakeUpstream
let h: Harness
let server: { stop(): void; url: URL }
let client: OpenAI
const broken: string[] = []

beforeAll(async () => {
  ;({ up, h } = await openCapturedCatalog())
  // every answer is checked against the schema its route declares; one that breaks it fails the test that caused it
  server = serveChecked(h.app, (req) => h.app.handle(req), broken)
  client = new OpenAI({ baseURL: `${server.url.href}v1`, apiKey: 'unused', maxRetries: 0 })
})
afterEach(() => {
  if (broken.length) throw new Error(broken.splice(0).join('\n'))
})
afterAll(async () => {
  server.stop()
  await h.close()
  up.stop()
})

describe('the openai npm SDK', () => {
  test('models.list() yields every model of the catalog', async () => {
    const ids: string[] = []
    for await (const m of client.models.list()) ids.push(m.id)
    expect(ids.length).toBe(h.store.countOfferings())
    expect(new Set(ids)).toEqual(new Set(h.store.listOfferings().map((r) => r.id)))
  })

  test('models.retrieve() works for an offering id (slashes and colons included)', async () => {
    const m = await client.models.retrieve('openrouter/meta-llama/llama-3.3-70b-instruct:free')
    expect(m.id).toBe('openrouter/meta-llama/llama-3.3-70b-instruct:free')
    expect(m.object).toBe('model')
    expect(typeof m.created).toBe('number')
    expect((m as any).canonical_id).toBe('meta/llama-3.3-70b-instruct')
  })

  test('models.retrieve() works for a canonical id and lists its providers', async () => {
    const m = (await client.models.retrieve('meta/llama-3.3-70b-instruct')) as any
    expect(m.id).toBe('meta/llama-3.3-70b-instruct')
    expect(new Set(m.providers.map((p: any) => p.provider))).toEqual(new Set(['groq', 'together', 'openrouter']))
  })

  test('an unknown id raises the SDK NotFoundError carrying our error body', async () => {
    const err = await client.models.retrieve('nobody/nothing').catch((e) => e)
    expect(err).toBeInstanceOf(OpenAI.NotFoundError)
    expect(err.status).toBe(404)
    expect(err.error?.code ?? err.code).toBe('model_not_found')
  })
})
