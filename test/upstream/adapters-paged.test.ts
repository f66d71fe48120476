import { afterAll, afterEach, describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Server } from 'bun'
import type { OfferingInput } from '../../src/domain/types'
import { UpstreamError, type Adapter, type AdapterContext, type ListResult } from '../../src/upstream/adapter'
import { anthropicAdapter } from '../../src/upstream/adapters/anthropic'
import { cohereAdapter } from '../../src/upstream/adapters/cohere'
import { geminiAdapter } from '../../src/upstream/adapters/gemini'
import { ollamaAdapter } from '../../src/upstream/adapters/ollama'
import { getJson } from '../../src/upstream/fetch'
import { normalizeAll, normalizeOne } from '../helpers/adapter-run'
import { FakeUpstream } from '../helpers/fake-upstream'

// Real upstream captures, see test/fixtures/PROVENANCE.md
const FIXTURES = join(import.meta.dir, '..', 'fixtures', 'upstream')
const ANTHROPIC = 'anthropic/anthropic_models_2025-05-23.json'
const GEMINI = 'gemini/gemini_v1beta_models_page1_with_nextPageToken_2025-11-18.json'
const OLLAMA = 'ollama/ollama_api_tags_2026-02-18.json'
const fixturePath = (rel: string) => join(FIXTURES, rel)
const readFixture = (rel: string): any => JSON.parse(readFileSync(fixturePath(rel), 'utf8'))

type Raw = Record<string, any>
const anthropicRaw = (): Raw[] => readFixture(ANTHROPIC).data
const geminiRaw = (): Raw[] => readFixture(GEMINI).models
const ollamaRaw = (): Raw[] => readFixture(OLLAMA).models

/**
 * HAND-WRITTEN, NOT A CAPTURE: there is no real Cohere capture in the fixture set. Two pages written
 * from Cohere's documented List Models response (GET https://api.cohere.com/v1/models:
 * `{models:[{name, is_deprecated, endpoints, finetuned, context_length, tokenizer_url,
 * default_endpoints, features, supports_vision}], next_page_token}`). Values are illustrative.
 */
const COHERE_HAND_WRITTEN = {
  page1: {
    models: [
      {
        name: 'command-a-03-2025',
        is_deprecated: false,
        endpoints: ['generate', 'chat', 'summarize'],
        finetuned: false,
        context_length: 256000,
        tokenizer_url: 'https://storage.googleapis.com/cohere-public/tokenizers/command-a-03-2025.json',
        default_endpoints: ['chat'],
        features: ['json_mode', 'json_schema', 'safety_modes', 'strict_tools', 'tool_choice', 'tools'],
        supports_vision: false,
      },
      {
        name: 'command-a-vision-07-2025',
        is_deprecated: false,
        endpoints: ['chat'],
        finetuned: false,
        context_length: 128000,
        tokenizer_url: 'https://storage.googleapis.com/cohere-public/tokenizers/command-a-vision-07-2025.json',
        default_endpoints: [],
        features: ['json_mode'],
        supports_vision: true,
      },
    ],
    next_page_token: 'hand-written-token-page-2',
  },
  page2: {
    models: [
      {
        name: 'embed-v4.0',
        is_deprecated: false,
        endpoints: ['embed'],
        finetuned: false,
        context_length: 128000,
        default_endpoints: ['embed'],
        features: null,
        supports_vision: true,
      },
      { name: 'my-command-r-finetune', endpoints: ['chat'], finetuned: true, context_length: 128000, features: ['tools'] },
      { name: 'command-light', is_deprecated: true, endpoints: ['generate', 'chat'], finetuned: false, context_length: 4096 },
    ],
  },
}
const cohereRaw = (): Raw[] => structuredClone([...COHERE_HAND_WRITTEN.page1.models, ...COHERE_HAND_WRITTEN.page2.models])

/** A real AdapterContext: bounded GETs over HTTP through refresh/fetch.ts. */
function httpContext(baseUrl: string, apiKey?: string, maxPages = 50): AdapterContext {
  return {
    baseUrl,
    apiKey,
    maxPages,
    getJson: (url, h = {}) => getJson(url, h, { signal: AbortSignal.timeout(5000), maxBytes: 10_000_000 }),
  }
}

async function listOf(adapter: Adapter, ctx: AdapterContext): Promise<ListResult> {
  const listed = await adapter.list(ctx)
  return Array.isArray(listed) ? { items: listed } : listed
}

interface Seen {
  url: URL
  headers: Headers
}

/**
 * A paged upstream on 127.0.0.1 that answers by path AND query string (FakeUpstream routes by path
 * only). `answer` returns a JSON value, a Response, or undefined for a 404. Records every request.
 */
class QueryUpstream {
  readonly requests: Seen[] = []
  readonly server: Server<undefined>

  constructor(answer: (url: URL) => unknown) {
    this.server = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: (req) => {
        const url = new URL(req.url)
        this.requests.push({ url, headers: req.headers })
        const out = answer(url)
        if (out instanceof Response) return out
        if (out === undefined) return Response.json({ error: `no page for ${url.pathname}${url.search}` }, { status: 404 })
        return Response.json(out)
      },
    })
  }

  get url() {
    return `http://127.0.0.1:${this.server.port}`
  }

  stop() {
    this.server.stop(true)
  }
}

const servers: { stop(): void }[] = []
function serve(answer: (url: URL) => unknown) {
  const s = new QueryUpstream(answer)
  servers.push(s)
  return s
}
afterEach(() => {
  for (const s of servers.splice(0)) s.stop()
})

/** The real Gemini page 1, byte for byte, as a response. */
const geminiPage1 = () => new Response(Bun.file(fixturePath(GEMINI)), { headers: { 'content-type': 'application/json' } })

// ---------------------------------------------------------------------------------------------

describe('anthropic adapter on the real capture (2025-05-23)', () => {
  test('the file is one complete page: has_more false, first_id/last_id are the first and last data ids', () => {
    const body = readFixture(ANTHROPIC)
    expect(body.has_more).toBe(false)
    expect(body.first_id).toBe(body.data[0].id)
    expect(body.last_id).toBe(body.data.at(-1).id)
  })

  test('all 11 items are valid and keep file order', () => {
    const r = normalizeAll(anthropicAdapter, anthropicRaw())
    expect(r.invalid).toEqual([])
    expect(r.offerings).toHaveLength(11)
    expect(r.offerings.map((o) => o.providerModelId)).toEqual(anthropicRaw().map((i) => i.id))
  })

  test('claude-opus-4-20250514: display_name → name, created_at 2025-05-22T00:00:00Z → unix seconds, owner anthropic, nothing else stated', () => {
    const r = normalizeAll(anthropicAdapter, anthropicRaw())
    expect(r.byId.get('claude-opus-4-20250514')).toEqual({
      providerModelId: 'claude-opus-4-20250514',
      name: 'Claude Opus 4',
      description: null,
      created: Date.UTC(2025, 4, 22) / 1000,
      ownedBy: 'anthropic',
      contextLength: null,
      maxOutputTokens: null,
      inputModalities: null,
      outputModalities: null,
      pricing: {},
      capabilities: null, // the 2025 schema states no capabilities (the 2026 one does: test/catalog/prices.test.ts)
      extra: null,
    })
    expect(r.byId.get('claude-2.0')).toMatchObject({ name: 'Claude 2.0', created: Date.UTC(2023, 6, 11) / 1000 })
    expect(r.byId.get('claude-3-5-sonnet-20241022')!.name).toBe('Claude Sonnet 3.5 (New)')
  })

  test('every item: name is display_name, created is created_at in seconds', () => {
    const r = normalizeAll(anthropicAdapter, anthropicRaw())
    for (const raw of anthropicRaw()) {
      const o = r.byId.get(raw.id)!
      expect({ id: raw.id, name: o.name, created: o.created }).toEqual({ id: raw.id, name: raw.display_name, created: new Date(raw.created_at).getTime() / 1000 })
    }
  })

  test('created_at that is not RFC 3339 (or an impossible date) is unknown, not a guess', () => {
    const base = anthropicRaw()[0]!
    for (const bad of ['May 22 2025', '2025-05-22', '2025-02-30T00:00:00Z', 1747872000]) {
      expect(normalizeOne(anthropicAdapter, { ...base, created_at: bad }).created).toBeNull()
    }
    expect(normalizeOne(anthropicAdapter, { ...base, created_at: '2025-05-22T09:00:00+09:00' }).created).toBe(Date.UTC(2025, 4, 22) / 1000)
  })
})

describe('gemini adapter on the real capture (v1beta page 1, 2025-11-18)', () => {
  test('50 models, all valid; the page carries a nextPageToken', () => {
    const body = readFixture(GEMINI)
    expect(typeof body.nextPageToken).toBe('string')
    expect(body.nextPageToken.length).toBeGreaterThan(0)
    const r = normalizeAll(geminiAdapter, geminiRaw())
    expect(r.invalid).toEqual([])
    expect(r.offerings).toHaveLength(50)
  })

  test('ids lose the "models/" prefix, nothing else', () => {
    const r = normalizeAll(geminiAdapter, geminiRaw())
    expect(geminiRaw().every((i) => i.name.startsWith('models/'))).toBe(true)
    expect(r.offerings.map((o) => o.providerModelId)).toEqual(geminiRaw().map((i) => i.name.slice('models/'.length)))
    expect(r.byId.has('gemini-2.5-flash')).toBe(true)
    expect(r.byId.has('models/gemini-2.5-flash')).toBe(false)
  })

  test('gemini-2.5-flash: name, description, limits, thinking → reasoning, version and methods in extra', () => {
    const r = normalizeAll(geminiAdapter, geminiRaw())
    const o = r.byId.get('gemini-2.5-flash')!
    expect(o).toMatchObject({
      name: 'Gemini 2.5 Flash',
      contextLength: 1048576,
      maxOutputTokens: 65536,
      capabilities: { reasoning: true },
      extra: { version: '001', supported_generation_methods: ['generateContent', 'countTokens', 'createCachedContent', 'batchGenerateContent'] },
      pricing: {},
    })
    expect(o.description).toStartWith('Stable version of Gemini 2.5 Flash, our mid-size multimodal model')
  })

  test('embedding-gecko-001 (no thinking field): capabilities not stated; 1024 / 1 tokens; embedText in extra', () => {
    const r = normalizeAll(geminiAdapter, geminiRaw())
    expect(r.byId.get('embedding-gecko-001')).toMatchObject({
      name: 'Embedding Gecko',
      description: 'Obtain a distributed representation of a text.',
      contextLength: 1024,
      maxOutputTokens: 1,
      capabilities: null,
      extra: { version: '001', supported_generation_methods: ['embedText', 'countTextTokens'] },
    })
  })

  test('every item: limits, version and methods as sent; the 21 thinking models and only they are reasoning', () => {
    const r = normalizeAll(geminiAdapter, geminiRaw())
    for (const raw of geminiRaw()) {
      const o = r.byId.get(raw.name.slice('models/'.length))!
      expect({ id: raw.name, ctx: o.contextLength, max: o.maxOutputTokens, name: o.name, version: o.extra?.version, methods: o.extra?.supported_generation_methods }).toEqual({
        id: raw.name,
        ctx: raw.inputTokenLimit,
        max: raw.outputTokenLimit,
        name: raw.displayName,
        version: raw.version,
        methods: raw.supportedGenerationMethods,
      })
    }
    const thinking = geminiRaw().filter((i) => i.thinking === true)
    expect(thinking).toHaveLength(21)
    expect(r.offerings.filter((o) => o.capabilities?.reasoning === true)).toHaveLength(21)
  })

  test('the 6 items without a description get description null', () => {
    const r = normalizeAll(geminiAdapter, geminiRaw())
    const without = geminiRaw().filter((i) => !('description' in i))
    expect(without).toHaveLength(6)
    for (const raw of without) expect(r.byId.get(raw.name.slice('models/'.length))!.description).toBeNull()
  })

  test('a name that is only "models/" (or missing) fails the item', () => {
    const base = geminiRaw()[0]!
    expect(geminiAdapter.item.safeParse({ ...base, name: 'models/' }).success).toBe(false)
    const { name: _drop, ...noName } = base
    expect(geminiAdapter.item.safeParse(noName).success).toBe(false)
  })
})

describe('ollama adapter on the real capture (/api/tags, 2026-02-18)', () => {
  test('7 models, all valid, ids are the names in file order', () => {
    const r = normalizeAll(ollamaAdapter, ollamaRaw())
    expect(r.invalid).toEqual([])
    expect(r.offerings.map((o) => o.providerModelId)).toEqual(ollamaRaw().map((i) => i.name))
    expect(r.offerings).toHaveLength(7)
  })

  test('llava:7b (families include "clip"): text+image input, vision; details in extra; modified_at with +09:00 → unix seconds', () => {
    const raw = ollamaRaw().find((i) => i.name === 'llava:7b')!
    expect(raw.details.families).toContain('clip')
    expect(raw.modified_at).toBe('2026-02-16T17:44:55.533434954+09:00')
    const o = normalizeOne(ollamaAdapter, raw)
    expect(o).toMatchObject({
      providerModelId: 'llava:7b',
      name: 'llava:7b',
      created: Date.UTC(2026, 1, 16, 8, 44, 55) / 1000,
      inputModalities: ['text', 'image'],
      outputModalities: null,
      capabilities: { vision: true },
      pricing: {},
    })
    expect(o.extra).toMatchObject({ family: 'llama', families: ['llama', 'clip'], parameter_size: '7B', quantization_level: 'Q4_0', format: 'gguf', size: 4733363377 })
  })

  test('nomic-embed-text:latest: output embeddings, no vision', () => {
    const r = normalizeAll(ollamaAdapter, ollamaRaw())
    expect(r.byId.get('nomic-embed-text:latest')).toMatchObject({ outputModalities: ['embeddings'], inputModalities: null, capabilities: null })
    expect(r.byId.get('nomic-embed-text:latest')!.extra).toMatchObject({ family: 'nomic-bert', parameter_size: '137M', quantization_level: 'F16' })
  })

  test('only llava has vision and only nomic-embed-text outputs embeddings; codellama (families null) still valid', () => {
    const r = normalizeAll(ollamaAdapter, ollamaRaw())
    expect(r.offerings.filter((o) => o.capabilities?.vision).map((o) => o.providerModelId)).toEqual(['llava:7b'])
    expect(r.offerings.filter((o) => o.outputModalities?.includes('embeddings')).map((o) => o.providerModelId)).toEqual(['nomic-embed-text:latest'])
    expect(ollamaRaw().find((i) => i.name === 'codellama:latest')!.details.families).toBeNull()
    expect(r.byId.get('codellama:latest')).toMatchObject({ inputModalities: null, extra: { family: 'llama', parameter_size: '7B', quantization_level: 'Q4_0' } })
  })

  test('every item: created is modified_at in whole seconds; extra has the item details', () => {
    const r = normalizeAll(ollamaAdapter, ollamaRaw())
    for (const raw of ollamaRaw()) {
      const o = r.byId.get(raw.name)!
      const d = raw.details
      expect({ id: raw.name, created: o.created, family: o.extra?.family, p: o.extra?.parameter_size, q: o.extra?.quantization_level, f: o.extra?.format }).toEqual({
        id: raw.name,
        created: Math.floor(new Date(raw.modified_at).getTime() / 1000),
        family: d.family,
        p: d.parameter_size,
        q: d.quantization_level,
        f: d.format,
      })
    }
  })
})

describe('cohere adapter on a hand-written body (no real capture exists)', () => {
  const r = () => normalizeAll(cohereAdapter, cohereRaw())

  test('all 5 hand-written items are valid; name is the id', () => {
    expect(r().invalid).toEqual([])
    expect(r().offerings.map((o) => o.providerModelId)).toEqual(cohereRaw().map((m) => m.name))
  })

  test('features tools/strict_tools → tools, json_mode/json_schema → structured_output, supports_vision → vision (false when stated false)', () => {
    expect(r().byId.get('command-a-03-2025')).toMatchObject({
      contextLength: 256000,
      ownedBy: 'cohere',
      capabilities: { tools: true, structured_output: true, vision: false },
      deprecation: null,
      extra: { endpoints: ['generate', 'chat', 'summarize'], default_endpoints: ['chat'] },
    })
    expect(r().byId.get('command-a-vision-07-2025')!.capabilities).toEqual({ structured_output: true, vision: true })
    expect(r().byId.get('embed-v4.0')!.capabilities).toEqual({ vision: true })
    expect(r().byId.get('embed-v4.0')!.extra).toMatchObject({ endpoints: ['embed'] })
  })

  test('features without tools do not claim "no tools"; a fine-tune has no cohere owner; is_deprecated → deprecation without dates', () => {
    expect(r().byId.get('command-a-vision-07-2025')!.capabilities).not.toHaveProperty('tools')
    expect(r().byId.get('my-command-r-finetune')).toMatchObject({ ownedBy: null, capabilities: { tools: true } })
    expect(r().byId.get('command-light')).toMatchObject({ deprecation: { date: null, end_of_life: null, replacement: null }, capabilities: null, contextLength: 4096 })
  })
})

// ---------------------------------------------------------------------------------------------

describe('requests and paging over real HTTP', () => {
  let fake: FakeUpstream | null = null
  afterEach(() => {
    fake?.stop()
    fake = null
  })

  test('gemini: page 1 (real capture) then the hand-written page 2 asked for with the real nextPageToken', async () => {
    const token: string = readFixture(GEMINI).nextPageToken
    // HAND-WRITTEN page 2, served only for pageToken=<the capture's token>.
    const page2 = {
      models: [
        { name: 'models/imagen-hand-written-page-2', version: '001', displayName: 'Hand-written page 2 model', inputTokenLimit: 480, outputTokenLimit: 8192, supportedGenerationMethods: ['predict'] },
        {
          name: 'models/veo-hand-written-page-2',
          version: '2.0',
          displayName: 'Hand-written page 2 model B',
          inputTokenLimit: 480,
          outputTokenLimit: 8192,
          supportedGenerationMethods: ['predictLongRunning'],
        },
      ],
    }
    const up = serve((url) => {
      if (url.pathname !== '/v1beta/models') return undefined
      const t = url.searchParams.get('pageToken')
      if (t === null) return geminiPage1()
      if (t === token) return page2
      return undefined
    })
    const res = await listOf(geminiAdapter, httpContext(`${up.url}/v1beta`, 'AIza-test-key'))
    expect(res.truncated).toBeUndefined()
    expect(res.items).toHaveLength(52)
    expect((res.items as Raw[]).map((i) => i.name)).toEqual([...geminiRaw().map((i) => i.name), ...page2.models.map((m) => m.name)])
    const norm = normalizeAll(geminiAdapter, res.items)
    expect(norm.invalid).toEqual([])
    expect(norm.byId.get('veo-hand-written-page-2')!.contextLength).toBe(480)

    expect(up.requests).toHaveLength(2)
    const [first, second] = up.requests
    expect(first!.url.searchParams.get('pageSize')).toBe('1000')
    expect(first!.url.searchParams.has('pageToken')).toBe(false)
    expect(second!.url.searchParams.get('pageToken')).toBe(token)
    expect(second!.url.searchParams.get('pageSize')).toBe('1000')
    for (const req of up.requests) {
      expect(req.headers.get('x-goog-api-key')).toBe('AIza-test-key')
      expect(req.headers.has('authorization')).toBe(false)
      expect(req.url.searchParams.has('key')).toBe(false) // the key never goes into the URL
    }
  })

  test('anthropic: page 1 (real capture, has_more set true) then the hand-written page 2 via after_id=<last_id>', async () => {
    const capture = readFixture(ANTHROPIC)
    const lastId: string = capture.data.at(-1).id
    // The real page 1, modified only to announce more: has_more true, last_id = its last item.
    const page1 = { ...capture, has_more: true, last_id: lastId }
    // HAND-WRITTEN page 2.
    const page2 = {
      data: [{ type: 'model', id: 'claude-instant-1.2', display_name: 'Hand-written page 2 model', created_at: '2023-08-09T00:00:00Z' }],
      has_more: false,
      first_id: 'claude-instant-1.2',
      last_id: 'claude-instant-1.2',
    }
    const up = serve((url) => {
      if (url.pathname !== '/v1/models') return undefined
      const after = url.searchParams.get('after_id')
      if (after === null) return page1
      if (after === lastId) return page2
      return undefined
    })
    const res = await listOf(anthropicAdapter, httpContext(`${up.url}/v1`, 'sk-ant-test'))
    expect(res.truncated).toBeUndefined()
    expect((res.items as Raw[]).map((i) => i.id)).toEqual([...capture.data.map((i: Raw) => i.id), 'claude-instant-1.2'])
    expect(normalizeAll(anthropicAdapter, res.items).byId.get('claude-instant-1.2')!.created).toBe(Date.UTC(2023, 7, 9) / 1000)

    expect(up.requests).toHaveLength(2)
    expect(up.requests[0]!.url.searchParams.get('limit')).toBe('1000')
    expect(up.requests[0]!.url.searchParams.has('after_id')).toBe(false)
    expect(up.requests[1]!.url.searchParams.get('after_id')).toBe('claude-2.0')
    expect(up.requests[1]!.url.searchParams.get('limit')).toBe('1000')
    for (const req of up.requests) {
      expect(req.headers.get('x-api-key')).toBe('sk-ant-test')
      expect(req.headers.get('anthropic-version')).toBe('2023-06-01')
      expect(req.headers.has('authorization')).toBe(false)
    }
  })

  test('anthropic: the real capture as served (has_more false) is one request to {base}/models', async () => {
    fake = new FakeUpstream().replay('/v1/models', ANTHROPIC)
    const res = await listOf(anthropicAdapter, httpContext(`${fake.url}/v1/`, 'sk-ant-test'))
    expect(res.items).toHaveLength(11)
    expect(res.truncated).toBeUndefined()
    expect(fake.count('/v1/models')).toBe(1)
    expect(fake.lastHeaders.get('/v1/models')!.get('x-api-key')).toBe('sk-ant-test')
  })

  test('anthropic: without a key no x-api-key is sent, anthropic-version still is', async () => {
    fake = new FakeUpstream().replay('/v1/models', ANTHROPIC)
    await listOf(anthropicAdapter, httpContext(`${fake.url}/v1`))
    const h = fake.lastHeaders.get('/v1/models')!
    expect(h.has('x-api-key')).toBe(false)
    expect(h.get('anthropic-version')).toBe('2023-06-01')
  })

  test('anthropic: has_more true without a last_id is an UpstreamError, not a silent short list', async () => {
    fake = new FakeUpstream().set('/v1/models', { kind: 'body', body: JSON.stringify({ ...readFixture(ANTHROPIC), has_more: true, last_id: null }) })
    await expect(listOf(anthropicAdapter, httpContext(`${fake.url}/v1`, 'k'))).rejects.toBeInstanceOf(UpstreamError)
  })

  test('cohere: both hand-written pages, page_token=<next_page_token>, Bearer key', async () => {
    const up = serve((url) => {
      if (url.pathname !== '/v1/models') return undefined
      const t = url.searchParams.get('page_token')
      if (t === null) return COHERE_HAND_WRITTEN.page1
      if (t === COHERE_HAND_WRITTEN.page1.next_page_token) return COHERE_HAND_WRITTEN.page2
      return undefined
    })
    const res = await listOf(cohereAdapter, httpContext(`${up.url}/v1`, 'co-test'))
    expect(res.truncated).toBeUndefined()
    expect((res.items as Raw[]).map((m) => m.name)).toEqual(cohereRaw().map((m) => m.name))
    expect(up.requests).toHaveLength(2)
    expect(up.requests[0]!.url.searchParams.get('page_size')).toBe('1000')
    expect(up.requests[1]!.url.searchParams.get('page_token')).toBe('hand-written-token-page-2')
    for (const req of up.requests) expect(req.headers.get('authorization')).toBe('Bearer co-test')
  })

  test('cohere: an empty next_page_token ends the list', async () => {
    const up = serve(() => ({ ...COHERE_HAND_WRITTEN.page2, next_page_token: '' }))
    const res = await listOf(cohereAdapter, httpContext(`${up.url}/v1`, 'co-test'))
    expect(res.items).toHaveLength(3)
    expect(up.requests).toHaveLength(1)
  })

  test('ollama: GET {base}/api/tags (no /v1), no authorization without a key, all 7 real items', async () => {
    fake = new FakeUpstream().replay('/api/tags', OLLAMA)
    const res = await listOf(ollamaAdapter, httpContext(`${fake.url}/`))
    expect((res.items as Raw[]).map((i) => i.name)).toEqual(ollamaRaw().map((i) => i.name))
    expect(fake.count('/api/tags')).toBe(1)
    expect(fake.lastHeaders.get('/api/tags')!.has('authorization')).toBe(false)
  })

  test.each([
    ['gemini', geminiAdapter, { foo: 1 }],
    ['gemini', geminiAdapter, [{ name: 'models/x' }]],
    ['cohere', cohereAdapter, { data: [] }],
    ['ollama', ollamaAdapter, { data: [] }],
    ['anthropic', anthropicAdapter, { models: [] }],
  ] as const)('%s: a body of the wrong shape is an UpstreamError', async (_id, adapter, body) => {
    fake = new FakeUpstream().set('/v1/models', { kind: 'body', body: JSON.stringify(body) }).set('/v1/api/tags', { kind: 'body', body: JSON.stringify(body) })
    await expect(listOf(adapter, httpContext(`${fake.url}/v1`, 'k'))).rejects.toBeInstanceOf(UpstreamError)
  })

  test('gemini: an empty list is `{}` in proto3 JSON: zero models, no error', async () => {
    fake = new FakeUpstream().set('/v1beta/models', { kind: 'body', body: '{}' })
    const res = await listOf(geminiAdapter, httpContext(`${fake.url}/v1beta`, 'k'))
    expect(res).toEqual({ items: [] })
  })
})

/** Upstreams that never end: every page points to a new next page (cursor = request count). */
const endless = {
  gemini: {
    adapter: geminiAdapter,
    base: '/v1beta',
    page: (n: number, cursor: string) => ({ models: [{ name: `models/m-${n}` }], nextPageToken: cursor }),
    cursorParam: 'pageToken',
  },
  anthropic: {
    adapter: anthropicAdapter,
    base: '/v1',
    page: (n: number, cursor: string) => ({ data: [{ type: 'model', id: `m-${n}` }], has_more: true, first_id: `m-${n}`, last_id: cursor }),
    cursorParam: 'after_id',
  },
  cohere: {
    adapter: cohereAdapter,
    base: '/v1',
    page: (n: number, cursor: string) => ({ models: [{ name: `m-${n}` }], next_page_token: cursor }),
    cursorParam: 'page_token',
  },
}
const ENDLESS = Object.entries(endless)

describe('page cap and looping upstreams', () => {
  test.each(ENDLESS)('%s: an upstream that never stops → the first maxPages pages are kept and the list is reported truncated at the cap', async (_id, e) => {
    let n = 0
    const up = serve(() => {
      const page = e.page(n, `cursor-${n + 1}`)
      n++
      return page
    })
    const res = await listOf(e.adapter, httpContext(`${up.url}${e.base}`, 'k', 3))
    expect(up.requests).toHaveLength(3)
    expect(res.items).toHaveLength(3)
    expect(normalizeAll(e.adapter, res.items).offerings.map((o) => o.providerModelId)).toEqual(['m-0', 'm-1', 'm-2'])
    expect(res.truncated).toContain('page cap')
    expect(res.truncated).toContain('3')
    expect(up.requests.map((r) => r.url.searchParams.get(e.cursorParam))).toEqual([null, 'cursor-1', 'cursor-2'])
  })

  test.each(ENDLESS)('%s: an upstream that hands out the same cursor forever → stops at the repeat and reports it', async (_id, e) => {
    let n = 0
    const up = serve(() => e.page(n++, 'SAME'))
    const res = await listOf(e.adapter, httpContext(`${up.url}${e.base}`, 'k', 50))
    expect(up.requests).toHaveLength(2)
    expect(res.items).toHaveLength(2)
    expect(res.truncated).toBeDefined()
    expect(res.truncated).toContain('same page')
    expect(res.truncated).not.toContain('page cap')
  })
})

// ---------------------------------------------------------------------------------------------

/** An offering as a flat map; `extra` and `capabilities` flattened to `extra.<key>` / `capabilities.<key>`. */
function flat(o: OfferingInput): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(o)) {
    if ((k === 'extra' || k === 'capabilities') && v && typeof v === 'object') for (const [ek, ev] of Object.entries(v)) out[`${k}.${ek}`] = ev
    else if (k !== 'extra' && k !== 'capabilities') out[k] = v
  }
  return out
}

/**
 * For each optional field of an item: the flat output paths it feeds, with the value they take when
 * the field is absent (undefined = the path disappears). All other paths must not move.
 */
type Effects = Record<string, (raw: Raw) => Record<string, unknown>>
interface RobustCase {
  adapter: Adapter
  idKey: string
  items: () => Raw[]
  optional: Effects
}

const ROBUST: Record<string, RobustCase> = {
  'anthropic (real capture)': {
    adapter: anthropicAdapter,
    idKey: 'id',
    items: anthropicRaw,
    optional: {
      type: () => ({}),
      display_name: (raw) => ({ name: raw.id }),
      created_at: () => ({ created: null }),
    },
  },
  'gemini (real capture)': {
    adapter: geminiAdapter,
    idKey: 'name',
    items: geminiRaw,
    optional: {
      version: () => ({ 'extra.version': undefined }),
      displayName: (raw) => ({ name: raw.name.slice('models/'.length) }),
      description: () => ({ description: null }),
      inputTokenLimit: () => ({ contextLength: null }),
      outputTokenLimit: () => ({ maxOutputTokens: null }),
      supportedGenerationMethods: () => ({ 'extra.supported_generation_methods': undefined }),
      thinking: () => ({ 'capabilities.reasoning': undefined }),
      temperature: () => ({}),
      topP: () => ({}),
      topK: () => ({}),
      maxTemperature: () => ({}),
    },
  },
  'ollama (real capture)': {
    adapter: ollamaAdapter,
    idKey: 'name',
    items: ollamaRaw,
    optional: {
      model: () => ({}),
      modified_at: () => ({ created: null }),
      size: () => ({ 'extra.size': undefined }),
      digest: () => ({ 'extra.digest': undefined }),
      details: () => ({
        'extra.family': undefined,
        'extra.families': undefined,
        'extra.parameter_size': undefined,
        'extra.quantization_level': undefined,
        'extra.format': undefined,
        'extra.parent_model': undefined,
        inputModalities: null,
        'capabilities.vision': undefined,
      }),
    },
  },
  'cohere (hand-written)': {
    adapter: cohereAdapter,
    idKey: 'name',
    items: cohereRaw,
    optional: {
      is_deprecated: () => ({ deprecation: null }),
      endpoints: () => ({ 'extra.endpoints': undefined }),
      default_endpoints: () => ({ 'extra.default_endpoints': undefined }),
      finetuned: () => ({ ownedBy: 'cohere', 'extra.finetuned': undefined }),
      context_length: () => ({ contextLength: null }),
      tokenizer_url: () => ({ 'extra.tokenizer_url': undefined }),
      features: () => ({ 'capabilities.tools': undefined, 'capabilities.structured_output': undefined, 'extra.features': undefined }),
      supports_vision: () => ({ 'capabilities.vision': undefined }),
    },
  },
}
const ROBUST_CASES = Object.entries(ROBUST)

describe('robustness: unknown fields and missing or wrong-typed optional fields', () => {
  test.each(ROBUST_CASES)('%s: the table covers every field the items carry', (_label, c) => {
    const seen = new Set(c.items().flatMap((i) => Object.keys(i)))
    seen.delete(c.idKey)
    expect([...seen].sort()).toEqual(Object.keys(c.optional).sort())
  })

  test.each(ROBUST_CASES)('%s: an unknown field on every item changes no normalized offering', (_label, c) => {
    const plain = normalizeAll(c.adapter, c.items())
    const noisy = normalizeAll(
      c.adapter,
      c.items().map((i) => ({ ...i, x_future_field: { nested: [1, 2, 3] }, capabilities: 'anything', pricing: 'n/a', extra: 7 })),
    )
    expect(noisy.invalid).toEqual([])
    expect(noisy.offerings).toEqual(plain.offerings)
  })

  test.each(ROBUST_CASES)('%s: deleting one optional field from every item moves only what that field feeds', (_label, c) => {
    const plain = c.items().map((raw) => flat(normalizeOne(c.adapter, raw)))
    for (const [field, effects] of Object.entries(c.optional)) {
      c.items().forEach((raw, i) => {
        const { [field]: _drop, ...without } = raw
        const expected: Record<string, unknown> = { ...plain[i] }
        for (const [path, value] of Object.entries(effects(raw))) {
          if (value === undefined) delete expected[path]
          else expected[path] = value
        }
        expect({ field, id: raw[c.idKey], out: flat(normalizeOne(c.adapter, without)) }).toEqual({ field, id: raw[c.idKey], out: expected })
      })
    }
  })

  test.each(ROBUST_CASES)('%s: a wrong-typed optional field never fails the item; it counts as absent', (_label, c) => {
    for (const field of Object.keys(c.optional)) {
      for (const raw of c.items()) {
        const { [field]: _drop, ...without } = raw
        const wrong = normalizeOne(c.adapter, { ...raw, [field]: [[7]] })
        expect({ field, id: raw[c.idKey], out: wrong }).toEqual({ field, id: raw[c.idKey], out: normalizeOne(c.adapter, without) })
      }
    }
  })

  test.each(ROBUST_CASES)('%s: an item without its id, or with a non-string id, fails', (_label, c) => {
    const raw = c.items()[0]!
    const { [c.idKey]: _drop, ...noId } = raw
    expect(c.adapter.item.safeParse(noId).success).toBe(false)
    expect(c.adapter.item.safeParse({ ...raw, [c.idKey]: '' }).success).toBe(false)
    expect(c.adapter.item.safeParse({ ...raw, [c.idKey]: 42 }).success).toBe(false)
    expect(c.adapter.item.safeParse(raw).success).toBe(true)
  })
})

afterAll(() => {
  for (const s of servers.splice(0)) s.stop()
})
