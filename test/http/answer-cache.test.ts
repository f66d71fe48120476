import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { FakeUpstream } from '../helpers/fake-upstream'
import { makeHarness, tomlFor, type Harness } from '../helpers/harness'
import { AnswerCache, answerKey, BUILD_BURST_SECONDS, BuildBudget, BuildRefused, type VersionedCatalog } from '../../src/serving/answer-cache'
import { CachedBody } from '../../src/serving/cached-body'

/** The answer cache's bounds (bytes, entries, raw queries; pinned hot views) and admission control of uncached builds. */

class FakeCatalog implements VersionedCatalog {
  version = 1
  generation = 1
  updatedAt = 1
  readConsistent<T>(read: () => T) {
    return { value: read(), version: this.version, updatedAt: this.updatedAt }
  }
}

/** A JSON body of about `n` bytes. */
const sized = (n: number, tag: string) => ({ tag, pad: 'x'.repeat(Math.max(0, n - 20 - tag.length)) })
const req = (q: string) => new Request(`http://localhost/v1/models${q}`)

describe('the answer cache is bounded by bytes', () => {
  test('a flood of distinct answers evicts the oldest at the bound; under it nothing is evicted', () => {
    const cache = new AnswerCache(new FakeCatalog(), { fastPath: '/v1/models', maxBytes: 10_000, maxEntries: 1000 })
    for (let i = 0; i < 9; i++) cache.get(answerKey({ i }), () => sized(1000, `a${i}`))
    // near miss: 9 × ~1000 bytes fit in 10 000
    expect(cache.stats.evictions).toBe(0)
    expect(cache.snapshot().bytes).toBeLessThanOrEqual(10_000)
    for (let i = 9; i < 100; i++) cache.get(answerKey({ i }), () => sized(1000, `a${i}`))
    const s = cache.snapshot()
    expect(s.bytes).toBeLessThanOrEqual(10_000)
    expect(s.evictions).toBeGreaterThanOrEqual(90)
    expect(s.entries).toBeLessThanOrEqual(10)
    // the newest is still there (a hit builds nothing), the oldest was evicted (built again)
    let built = 0
    cache.get(answerKey({ i: 99 }), () => (built++, sized(1000, 'again')))
    expect(built).toBe(0)
    cache.get(answerKey({ i: 0 }), () => (built++, sized(1000, 'again')))
    expect(built).toBe(1)
  })

  test('an answer used since it was built outlives a flood that evicts unused ones (second chance)', () => {
    const cache = new AnswerCache(new FakeCatalog(), { fastPath: '/v1/models', maxBytes: 5_000, maxEntries: 1000 })
    const hot = answerKey({ hot: true })
    cache.get(hot, () => sized(1000, 'hot'))
    for (let i = 0; i < 50; i++) {
      cache.get(hot, () => sized(1000, 'rebuilt')) // a client keeps asking for it
      cache.get(answerKey({ i }), () => sized(1000, `f${i}`))
    }
    let rebuilt = 0
    cache.get(hot, () => (rebuilt++, sized(1000, 'rebuilt')))
    expect(rebuilt).toBe(0)
  })

  test('the entry bound holds for tiny answers', () => {
    const cache = new AnswerCache(new FakeCatalog(), { fastPath: '/v1/models', maxBytes: 1e9, maxEntries: 20 })
    for (let i = 0; i < 500; i++) cache.get(answerKey({ i }), () => ({ i }))
    expect(cache.snapshot().entries).toBe(20)
    expect(cache.stats.evictions).toBe(480)
  })

  test('compressed variants count once they exist, and can push the cache over its bound into eviction', async () => {
    // incompressible-ish bodies: random hex (gzip keeps about half)
    const random = (n: number) => ({ r: Buffer.from(crypto.getRandomValues(new Uint8Array(n / 2))).toString('hex') })
    const roomy = new AnswerCache(new FakeCatalog(), { fastPath: '/v1/models', maxBytes: 1_000_000, maxEntries: 1000 })
    const a = roomy.get(answerKey({ a: 1 }), () => random(25_000))
    const before = roomy.snapshot().bytes
    const gz = await a.gzip()
    expect(roomy.snapshot().bytes).toBe(before + gz.byteLength)
    // near the bound: four bodies (each under a quarter of it) fit, the first one's gzip variant does not
    const tight = new AnswerCache(new FakeCatalog(), { fastPath: '/v1/models', maxBytes: 100_000, maxEntries: 1000 })
    const b = tight.get(answerKey({ b: 1 }), () => random(24_000))
    for (const c of [1, 2, 3]) tight.get(answerKey({ c }), () => random(24_000))
    expect(tight.stats.evictions).toBe(0)
    expect(tight.snapshot().entries).toBe(4)
    await b.gzip()
    expect(tight.stats.evictions).toBe(1)
    expect(tight.snapshot().bytes).toBeLessThanOrEqual(100_000)
  })

  test('an answer larger than the whole bound is served but not held', () => {
    const cache = new AnswerCache(new FakeCatalog(), { fastPath: '/v1/models', maxBytes: 2_000, maxEntries: 10 })
    const body = cache.get(answerKey({ big: 1 }), () => sized(5_000, 'big'))
    expect(body.bytes.byteLength).toBeGreaterThan(2_000)
    expect(cache.snapshot().entries).toBe(0)
    cache.remember(req('?big=1'), body)
    expect(cache.fastPath(req('?big=1'))).toBeUndefined()
  })

  test('an answer over a quarter of the bound is served but not held: it evicts nothing; one just under it is held', () => {
    const cache = new AnswerCache(new FakeCatalog(), { fastPath: '/v1/models', maxBytes: 8_000, maxEntries: 100 })
    for (let i = 0; i < 5; i++) cache.get(answerKey({ small: i }), () => sized(1_000, `s${i}`))
    // alternating large answers (each over 2,000 bytes) are built each time, and the small ones stay
    for (let round = 0; round < 4; round++) for (const big of [1, 2]) cache.get(answerKey({ big }), () => sized(2_300, `big${big}`))
    expect(cache.stats.evictions).toBe(0)
    expect(cache.snapshot().entries).toBe(5)
    let built = 0
    for (let i = 0; i < 5; i++) cache.get(answerKey({ small: i }), () => (built++, sized(1_000, 'again')))
    expect(built).toBe(0)
    // near miss: just under a quarter is held
    cache.get(answerKey({ quarter: 1 }), () => sized(1_900, 'q'))
    expect(cache.snapshot().entries).toBe(6)
  })

  test('pinned (adopted) hot views survive any flood of built answers and do not count against the bound', () => {
    const catalog = new FakeCatalog()
    const cache = new AnswerCache(catalog, { fastPath: '/v1/models', maxBytes: 4_000, maxEntries: 3 })
    const key = answerKey({ full: true })
    const bytes = new TextEncoder().encode(JSON.stringify(sized(10_000, 'full')))
    cache.adopt(catalog.version, [{ key, bytes, ...CachedBody.compressSync(bytes) }])
    const hot = cache.get(key, () => {
      throw new Error('a pinned body is never rebuilt')
    })
    cache.remember(req(''), hot)
    for (let i = 0; i < 200; i++) cache.get(answerKey({ i }), () => sized(1000, `f${i}`))
    expect(cache.get(key, () => sized(1, 'no'))).toBe(hot)
    expect(cache.fastPath(req(''))).toBeDefined()
    expect(cache.snapshot().bytes).toBeLessThanOrEqual(4_000)
    expect(cache.snapshot().pinnedBytes).toBeGreaterThan(10_000)
  })

  test('the raw-query map is bounded, and a raw query whose answer was evicted goes the full path again', () => {
    const cache = new AnswerCache(new FakeCatalog(), { fastPath: '/v1/models', maxBytes: 3_000, maxEntries: 2 })
    for (let i = 0; i < 100; i++) {
      const body = cache.get(answerKey({ i }), () => sized(500, `r${i}`))
      cache.remember(req(`?q=${i}`), body)
    }
    expect(cache.fastPath(req('?q=99'))).toBeDefined()
    expect(cache.fastPath(req('?q=0'))).toBeUndefined() // evicted answer: not served from the raw map
    // 4 × entries raw queries at most (each the key of a held or evicted answer)
    expect(cache.snapshot().bytes).toBeLessThan(3_000 + 8 * 10)
  })

  test('a new generation drops everything, pinned included', () => {
    const catalog = new FakeCatalog()
    const cache = new AnswerCache(catalog, { fastPath: '/v1/models' })
    cache.get(answerKey({ a: 1 }), () => ({ a: 1 }))
    catalog.generation++
    catalog.version++
    let built = 0
    cache.get(answerKey({ a: 1 }), () => (built++, { a: 2 }))
    expect(built).toBe(1)
    expect(cache.snapshot().entries).toBe(1)
  })
})

describe('the build budget (a token bucket of build milliseconds)', () => {
  test('an uncached answer is charged its build and, when a client asks for it, its compression', async () => {
    const cache = new AnswerCache(new FakeCatalog(), { fastPath: '/v1/models', buildMsPerSecond: 1000, now: () => 0 })
    const full = cache.budget!.tokens
    const body = cache.get(answerKey({ big: 1 }), () => ({ r: 'x'.repeat(2_000_000) }))
    const afterBuild = cache.budget!.tokens
    expect(afterBuild).toBeLessThan(full)
    await body.br()
    expect(cache.budget!.tokens).toBeLessThan(afterBuild)
    // near miss: a hit costs nothing
    const beforeHit = cache.budget!.tokens
    cache.get(answerKey({ big: 1 }), () => ({}))
    expect(cache.budget!.tokens).toBe(beforeHit)
  })

  test('admits while it has time, refuses with the wait once overdrawn, admits again as time passes', () => {
    let now = 0
    const budget = new BuildBudget(100, () => now)
    expect(budget.tokens).toBe(100 * BUILD_BURST_SECONDS) // a quiet server holds a burst
    expect(budget.admit()).toBe(0)
    budget.charge(100 * BUILD_BURST_SECONDS + 250) // one long build may overdraw it
    expect(budget.admit()).toBe(2500) // 250 ms of debt at 100 ms/s
    now = 2000
    expect(budget.admit()).toBeGreaterThan(0) // near miss: 50 ms of debt left
    now = 2501
    expect(budget.admit()).toBe(0)
    now = 1e9
    expect(budget.tokens).toBe(100 * BUILD_BURST_SECONDS) // it fills up to the burst, no more
  })
})

const GROQ = '/groq/openai/v1'
const TOGETHER = '/together/v1'

describe('admission control over HTTP', () => {
  let up: FakeUpstream
  let h: Harness
  let now = 0
  beforeAll(async () => {
    up = new FakeUpstream().replay(`${GROQ}/models`, 'groq/groq_models_2026-01-22.json').replay(`${TOGETHER}/models`, 'together/together_v1_models_2026-01-23.json')
    // 1 ms of builds per second and a clock that stands still: real builds overdraw it within a few queries
    h = makeHarness({ toml: tomlFor(up.url, { groq: GROQ, together: TOGETHER }, ''), env: { MODELCAT_BUILD_BUDGET_MS: '1' }, clock: () => now })
    await h.worker.refresh()
    await Bun.sleep(0)
    await h.models.warm() // the hot views of the new version, built and compressed (and charged) before the tests drive the clock
    now += 3_600_000 // whatever that cost, the budget is full again
  })
  afterAll(async () => {
    await h.close()
    up.stop()
  })

  test('saturated: a never-seen query gets 503 + Retry-After in the error shape; cached answers and /health still 200; then it recovers', async () => {
    const cached = await h.get('/v1/models?gateway=groq')
    expect(cached.status).toBe(200)
    let refused: Response | undefined
    let i = 0
    for (; i < 2000 && !refused; i++) {
      const r = await h.get(`/v1/models?q=never-seen-${i}`)
      if (r.status === 503) refused = r
      else expect(r.status).toBe(200)
    }
    expect(refused).toBeDefined()
    expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    const body = (await refused!.json()) as { error: { type: string; code: string; message: string } }
    expect(body.error.type).toBe('service_unavailable_error')
    expect(body.error.code).toBe('overloaded')
    // still refused while the clock stands still (retrieves too: their build is a build)
    expect((await h.get('/v1/models?q=another-never-seen')).status).toBe(503)
    expect((await h.get('/v1/models/groq/not-a-model-at-all')).status).toBe(503)
    // never refused: what is cached (the full path and the fast path), /health
    expect((await h.get('/v1/models?gateway=groq')).status).toBe(200)
    expect((await h.get('/v1/models?gateway=groq', { 'accept-encoding': 'gzip' })).status).toBe(200)
    expect((await h.get('/health')).status).toBe(200)
    const metrics = await (await h.get('/metrics')).text()
    expect(metrics).toMatch(/modelcat_answer_builds_refused_total [1-9]/)
    expect(metrics).toMatch(/modelcat_answer_cache_hits_total [1-9]/)
    expect(metrics).toMatch(/modelcat_answer_cache_misses_total [1-9]/)
    expect(metrics).toContain('modelcat_answer_build_seconds_count')
    expect(metrics).toMatch(/modelcat_answer_cache_bytes\{kind="built"\} [1-9]/)
    // time passes: the budget fills again and the same query is answered
    now += (Number(refused!.headers.get('retry-after')) + 60) * 1000
    expect((await h.get('/v1/models?q=another-never-seen')).status).toBe(200)
  })

  test('a refusal whose budget is back within the brief wait waits instead of failing', async () => {
    const cache = h.models.answers
    // overdraw by a little: back within 250 ms at 1 ms/s is < 0.25 ms of debt
    now += 10 * 60_000
    cache.budget!.charge(cache.budget!.tokens + 0.1)
    let refused: unknown
    try {
      cache.get(answerKey({ probe: 1 }), () => ({}))
    } catch (err) {
      refused = err
    }
    expect(refused).toBeInstanceOf(BuildRefused)
    // the clock moves while the request waits (the test's clock is driven by hand: move it now)
    now += 1000
    const body = await cache.waitFor(refused, () => cache.get(answerKey({ probe: 1 }), () => ({ ok: true })))
    expect(new TextDecoder().decode(body.bytes)).toBe('{"ok":true}')
    // near miss: a debt longer than the brief wait is refused at once
    cache.budget!.charge(cache.budget!.tokens + 5)
    let long: unknown
    try {
      cache.get(answerKey({ probe: 2 }), () => ({}))
    } catch (err) {
      long = err
    }
    await expect(cache.waitFor(long, () => 'never')).rejects.toBeInstanceOf(BuildRefused)
  })
})
