import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { ANSWER_CACHE_DEFAULTS, AnswerCache, answerKey, BuildRefused, STREAM_COST, StreamedAnswer, type VersionedCatalog } from '../../src/serving/answer-cache'
import { StreamedBody } from '../../src/serving/streamed-body'
import { capturedToml, capturedUpstream } from '../helpers/captured-catalog'
import type { FakeUpstream } from '../helpers/fake-upstream'
import { type Harness, makeHarness } from '../helpers/harness'

/**
 * Answers larger than the answer cache holds (a quarter of its bound) are not built: they are sent as they are
 * made (src/serving/streamed-body.ts), piece by piece, each on a later turn of the event loop and paced by the
 * build budget. Here with a 1 MiB cache (256 KiB per answer), so that the captured catalog's big answers stream.
 */

let up: FakeUpstream
let h: Harness
beforeAll(async () => {
  up = capturedUpstream()
  h = makeHarness({ toml: capturedToml(up.url), env: { MODELCAT_ANSWER_CACHE_MB: '1' } })
  await h.worker.refresh()
})
afterAll(async () => {
  await h.close()
  up.stop()
})

const get = (path: string, headers: Record<string, string> = {}) => h.handler(new Request(`http://localhost${path}`, { headers }))

describe('answers larger than the cache holds', () => {
  test('are streamed: the same bytes as the built answer, with their length, a stable ETag, gzip and br of the same, 304, HEAD', async () => {
    const built = h.models.list({ min_context: 1 } as never) // list() builds whatever the size
    expect(built.length).toBeGreaterThan(h.models.answers.maxHeldBytes)
    const streamedBefore = h.models.answers.stats.streamed
    const entries = h.models.answers.snapshot().entries
    const identity = await get('/v1/models?min_context=1', { 'accept-encoding': 'identity' })
    expect(identity.status).toBe(200)
    const bytes = Buffer.from(await identity.arrayBuffer())
    expect(Buffer.compare(bytes, Buffer.from(built.bytes))).toBe(0)
    expect(identity.headers.get('content-type')).toBe('application/json')
    expect(identity.headers.get('x-catalog-version')).toBe(String(h.store.version))
    const etag = identity.headers.get('etag')!
    expect(etag).toMatch(/^"[\w-]{32}"$/)
    for (const [encoding, inflate] of [
      ['gzip', gunzipSync],
      ['br', brotliDecompressSync],
    ] as const) {
      const r = await get('/v1/models?min_context=1', { 'accept-encoding': encoding })
      expect(r.headers.get('content-encoding')).toBe(encoding)
      expect(r.headers.get('etag')).toBe(etag) // the same answer, the same validator
      expect(Buffer.compare(inflate(Buffer.from(await r.arrayBuffer())), bytes)).toBe(0)
    }
    const notModified = await get('/v1/models?min_context=1', { 'if-none-match': etag })
    expect(notModified.status).toBe(304)
    expect(await notModified.text()).toBe('')
    // near miss: another ETag is no match
    const other = await get('/v1/models?min_context=1', { 'if-none-match': `"${'x'.repeat(32)}"` })
    expect(other.status).toBe(200)
    await other.body!.cancel() // a client that goes: the stream's slot is free again
    // HEAD: the headers and the identity length, nothing made
    const head = await h.handler(new Request('http://localhost/v1/models?min_context=1', { method: 'HEAD', headers: { 'accept-encoding': 'identity' } }))
    expect(head.status).toBe(200)
    expect(head.headers.get('etag')).toBe(etag)
    expect(head.headers.get('content-length')).toBe(String(bytes.length))
    expect(await head.text()).toBe('')
    // none in flight any more: each slot was freed (read to the end, cancelled, a 304, a HEAD; a stream's end is heard a turn later)
    for (let i = 0; i < 50 && h.models.answers.snapshot().streaming > 0; i++) await Bun.sleep(10)
    expect(h.models.answers.snapshot().streaming).toBe(0)
    // each was streamed, none held (a later request streams it again); /metrics counts them
    expect(h.models.answers.stats.streamed).toBeGreaterThanOrEqual(streamedBefore + 5)
    expect(h.models.answers.snapshot().entries).toBe(entries)
    const metrics = await (await get('/metrics')).text()
    expect(Number(/^modelcat_answers_streamed_total (\d+)/m.exec(metrics)?.[1])).toBe(h.models.answers.stats.streamed)
  })

  test('the ETag is the same for the same catalog and query (another service over the same DB), another for another query or catalog', async () => {
    const etagOf = async (hh: Harness, q: string) => (await hh.handler(new Request(`http://localhost/v1/models?${q}`, { method: 'HEAD' }))).headers.get('etag')
    const before = await etagOf(h, 'min_context=1')
    const other = makeHarness({ toml: capturedToml(up.url), dir: h.dir, env: { MODELCAT_ANSWER_CACHE_MB: '1' } })
    try {
      expect(await etagOf(other, 'min_context=1')).toBe(before)
    } finally {
      await other.close()
    }
    expect(await etagOf(h, 'min_context=2')).not.toBe(before)
    // the catalog changes (a provider's list loses a model): another ETag for the same query
    const groq = JSON.parse(await Bun.file(`${import.meta.dir}/../fixtures/upstream/groq/groq_models_2026-01-22.json`).text()) as { data: unknown[] }
    up.set('/groq/openai/v1/models', { kind: 'body', body: JSON.stringify({ ...groq, data: groq.data.slice(1) }), contentType: 'application/json' })
    await h.worker.refresh({ force: true })
    expect(await etagOf(h, 'min_context=1')).not.toBe(before)
  })

  test('near miss at the bound: the largest page that fits is built and held, one row more is streamed', () => {
    const bound = h.models.answers.maxHeldBytes
    const size = (limit: number) => h.models.list({ limit } as never).length
    // the largest limit whose answer fits (the sizes grow with the limit)
    let lo = 1
    let hi = 5000
    expect(size(lo)).toBeLessThanOrEqual(bound)
    expect(size(hi)).toBeGreaterThan(bound)
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1
      if (size(mid) <= bound) lo = mid
      else hi = mid
    }
    expect(h.models.answer({ limit: lo } as never)).not.toBeInstanceOf(StreamedBody)
    expect(h.models.answer({ limit: lo + 1 } as never)).toBeInstanceOf(StreamedBody)
  })

  test('other requests are answered between two pieces of a stream', async () => {
    const streamed = await get('/v1/models?min_context=3', { 'accept-encoding': 'identity' })
    const reader = streamed.body!.getReader()
    const first = await reader.read()
    expect(first.done).toBe(false)
    // mid-stream: a page and the health check answer
    const page = await get('/v1/models?limit=2')
    expect(page.status).toBe(200)
    expect(((await page.json()) as { data: unknown[] }).data.length).toBe(2)
    expect((await get('/health')).status).toBe(200)
    const rest: Uint8Array[] = [first.value!]
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      rest.push(value)
    }
    const text = Buffer.concat(rest).toString('utf8')
    expect(JSON.parse(text).data.length).toBe(JSON.parse(new TextDecoder().decode(h.models.list({ min_context: 3 } as never).bytes)).data.length)
  })
})

describe('a stream and the build budget', () => {
  test('each piece is charged twice the time it took; once the budget is spent, the next piece waits until it has room', async () => {
    const catalog: VersionedCatalog = { version: 1, generation: 1, updatedAt: 0, readConsistent: (read) => ({ value: read(), version: 1, updatedAt: 0 }) }
    // 10 ms/s, a 30 ms burst
    const cache = new AnswerCache(catalog, { fastPath: '/v1/models', buildMsPerSecond: 10 })
    const budget = cache.budget!
    let charged = 0
    const charge = budget.charge.bind(budget)
    budget.charge = (ms: number) => {
      charged += ms
      charge(ms)
    }
    const made: number[] = []
    const busy = (ms: number) => {
      const until = performance.now() + ms
      while (performance.now() < until) {}
    }
    function* pieces() {
      for (let i = 0; i < 4; i++) {
        made.push(performance.now())
        busy(6) // 6 ms to make: charged 12
        yield new TextEncoder().encode(i ? ',1' : '[1')
      }
      yield new TextEncoder().encode(']')
    }
    const body = cache.getOrStream(answerKey('big'), () => new StreamedAnswer('"e"', 9, 1, pieces))
    expect(body).toBeInstanceOf(StreamedBody)
    expect(cache.snapshot().streaming).toBe(1)
    const text = await (await body.respond(new Request('http://localhost/v1/models', { headers: { 'accept-encoding': 'identity' } }))).text()
    expect(text).toBe('[1,1,1,1]')
    expect(cache.snapshot().streaming).toBe(0)
    // at least twice the pieces' 24 ms (charged once their time, 24: the near miss)
    expect(STREAM_COST).toBe(2)
    expect(charged).toBeGreaterThanOrEqual(4 * 6 * 2)
    // 30 ms of burst, 12 per piece: the third piece leaves it ~6 ms in debt, the fourth waits ~0.6 s for it to refill
    // (charged once their time, the budget would still hold ~12 ms: no wait)
    const gaps = made.slice(1).map((t, i) => t - made[i]!)
    expect(gaps[0]!).toBeLessThan(200)
    expect(gaps[1]!).toBeLessThan(200)
    expect(gaps[2]!).toBeGreaterThan(400)
  })

  test('streams in flight are bounded: past the bound an answer to stream is refused (503 + Retry-After) until one ends', async () => {
    const catalog: VersionedCatalog = { version: 1, generation: 1, updatedAt: 0, readConsistent: (read) => ({ value: read(), version: 1, updatedAt: 0 }) }
    const cache = new AnswerCache(catalog, { fastPath: '/v1/models' })
    const pieces = function* () {
      yield new TextEncoder().encode('[]')
    }
    const open = Array.from({ length: ANSWER_CACHE_DEFAULTS.maxStreams }, (_, i) => cache.getOrStream(answerKey(`big-${i}`), () => new StreamedAnswer('"e"', 2, 1, pieces)))
    expect(cache.snapshot().streaming).toBe(ANSWER_CACHE_DEFAULTS.maxStreams)
    let refused: unknown
    try {
      cache.getOrStream(answerKey('one more'), () => new StreamedAnswer('"e"', 2, 1, pieces))
    } catch (err) {
      refused = err
    }
    expect(refused).toBeInstanceOf(BuildRefused)
    expect((refused as BuildRefused).retryAfterSeconds).toBe(1)
    // a small answer is still built and held
    expect(cache.getOrStream(answerKey('small'), () => ({ ok: true }))).not.toBeInstanceOf(StreamedBody)
    // one ends (read to its end): one more may stream
    await (await (open[0] as StreamedBody).respond(new Request('http://localhost/v1/models'))).text()
    expect(cache.snapshot().streaming).toBe(ANSWER_CACHE_DEFAULTS.maxStreams - 1)
    expect(cache.getOrStream(answerKey('one more'), () => new StreamedAnswer('"e"', 2, 1, pieces))).toBeInstanceOf(StreamedBody)
  })
})
