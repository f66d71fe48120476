import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test'
import OpenAI from 'openai'
import { FakeUpstream } from '../helpers/fake-upstream'
import { checkContract } from '../helpers/contracts'
import { makeHarness, tomlFor, type Harness } from '../helpers/harness'

/** The official OpenAI SDK against the service over real HTTP. */
const GROQ = '/groq/openai/v1'
const TOGETHER = '/together/v1'
const OPENROUTER = '/openrouter/api/v1'

let up: FakeUpstream
let h: Harness
let server: { stop(): void; url: URL }
let client: OpenAI
const broken: string[] = []

beforeAll(async () => {
  up = new FakeUpstream()
    .replay(`${GROQ}/models`, 'groq/groq_models_2026-01-22.json')
    .replay(`${TOGETHER}/models`, 'together/together_v1_models_2026-01-23.json')
    .replay(`${OPENROUTER}/models`, 'openrouter/roo-code_openrouter-models_2025-05-12.DECODED_BODY.json')
  h = makeHarness({ toml: tomlFor(up.url, { groq: GROQ, together: TOGETHER, openrouter: OPENROUTER }) })
  await h.worker.refresh()
  // every answer is checked against the schema its route declares; one that breaks it fails the test that caused it
  server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: async (req) => {
      const res = await h.app.handle(req)
      const { pathname, search } = new URL(req.url)
      await checkContract(h.app, req.method, pathname + search, res).catch((err) => broken.push((err as Error).message))
      return res
    },
  })
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
