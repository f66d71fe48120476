import { afterEach, describe, expect, test } from 'bun:test'
import { FakeUpstream } from '../helpers/fake-upstream'
import { makeHarness, tempDir, tomlFor, type Harness } from '../helpers/harness'

/** Breakers inside the service: refreshes through a fake upstream, a fake clock for the registry. */
const GROQ = '/groq/openai/v1'
const TOGETHER = '/together/v1'
let up: FakeUpstream
let h: Harness | undefined
let clock = 1_800_000_000_000
afterEach(async () => {
  await h?.close()
  up?.stop()
  h = undefined
})

const setup = (dir?: string) => {
  up ??= new FakeUpstream()
  h = makeHarness({
    toml: `${tomlFor(up.url, { groq: GROQ, together: TOGETHER })}`,
    env: { MODELCAT_ADMIN_TOKEN: 't' },
    breakers: { now: () => clock, random: () => 0.5 },
    dir,
  })
  return h
}
const auth = { authorization: 'Bearer t' }
const status = (r: { results: { provider: string; status: string }[] }, p: string) => r.results.find((x) => x.provider === p)!.status

describe('circuit breakers in the refresh', () => {
  test('three consecutive failures open the breaker: fetches stop, last good rows stay, /v1/providers and /metrics show it', async () => {
    up = new FakeUpstream().replay(`${GROQ}/models`, 'groq/groq_models_2026-01-22.json').replay(`${TOGETHER}/models`, 'together/together_v1_models_2026-01-23.json')
    const h = setup()
    await h.worker.refresh()
    const rows = h.store.countOfferings(['groq'])
    up.set(`${GROQ}/models`, { kind: 'body', body: 'boom', status: 500, contentType: 'text/plain' })
    for (let i = 0; i < 3; i++) expect(status(await h.worker.refresh(), 'groq')).toBe('failed')
    expect(up.count(`${GROQ}/models`)).toBe(4)
    const skipped = await h.worker.refresh()
    expect(status(skipped, 'groq')).toBe('skipped_breaker')
    expect(status(skipped, 'together')).toBe('ok')
    expect(up.count(`${GROQ}/models`)).toBe(4) // not fetched while open
    expect(h.store.countOfferings(['groq'])).toBe(rows)
    const p = ((await (await h.get('/v1/providers')).json()) as any).data.find((x: any) => x.id === 'groq')
    expect(p.breaker).toBe('open')
    expect(p.status).toBe('stale')
    const metrics = await (await h.get('/metrics')).text()
    expect(metrics).toMatch(/^modelcat_breaker_state\{provider="groq",state="open"\} 1$/m)
    expect(metrics).toMatch(/^modelcat_breaker_transitions_total\{provider="groq",from="closed",to="open"\} 1$/m)
    expect(metrics).toMatch(/^modelcat_refresh_skipped_by_breaker_total\{provider="groq"\} 1$/m)
  })

  test('after the open time the next refresh is the probe; its success closes the breaker', async () => {
    up = new FakeUpstream().set(`${GROQ}/models`, { kind: 'body', body: 'boom', status: 502, contentType: 'text/plain' }).replay(`${TOGETHER}/models`, 'together/together_v1_models_2026-01-23.json')
    const h = setup()
    for (let i = 0; i < 3; i++) await h.worker.refresh()
    expect(status(await h.worker.refresh(), 'groq')).toBe('skipped_breaker')
    clock += 2 * 60_000 // past the first open time (60 s ± 20 %)
    up.replay(`${GROQ}/models`, 'groq/groq_models_2026-01-22.json')
    expect(status(await h.worker.refresh(), 'groq')).toBe('ok')
    const b = (await (await h.get('/admin/circuit-breakers/groq', auth)).json()) as any
    expect(b).toMatchObject({ provider: 'groq', state: 'closed', consecutive_failures: 0 })
  })

  test('401 makes the provider misconfigured at once: not retried every interval, shown loudly, reset by an admin', async () => {
    up = new FakeUpstream()
      .replay(`${GROQ}/models`, 'errors/xai_models_error_invalid-api-key_2026-02-27.json', { status: 401 })
      .replay(`${TOGETHER}/models`, 'together/together_v1_models_2026-01-23.json')
    const h = setup()
    await h.worker.refresh()
    expect(status(await h.worker.refresh(), 'groq')).toBe('skipped_breaker')
    expect(up.count(`${GROQ}/models`)).toBe(1)
    const p = ((await (await h.get('/v1/providers')).json()) as any).data.find((x: any) => x.id === 'groq')
    expect(p).toMatchObject({ status: 'misconfigured', breaker: 'misconfigured' })
    expect(p.last_error).toContain('Incorrect API key')
    const health = ((await (await h.get('/health/providers')).json()) as any).data.find((x: any) => x.provider === 'groq')
    expect(health.breaker).toBe('misconfigured')
    // the operator fixes the key and resets
    up.replay(`${GROQ}/models`, 'groq/groq_models_2026-01-22.json')
    const reset = await h.post('/admin/circuit-breakers/groq/reset', auth)
    expect(((await reset.json()) as any).state).toBe('closed')
    expect(status(await h.worker.refresh(), 'groq')).toBe('ok')
  })

  test('429 honours Retry-After: open for that long, then probed', async () => {
    up = new FakeUpstream()
      .set(`${GROQ}/models`, { kind: 'body', body: '{"error":"slow down"}', status: 429, headers: { 'retry-after': '120' } })
      .replay(`${TOGETHER}/models`, 'together/together_v1_models_2026-01-23.json')
    const h = setup()
    await h.worker.refresh()
    const b = (await (await h.get('/admin/circuit-breakers/groq', auth)).json()) as any
    expect(b.state).toBe('open')
    expect(Date.parse(b.retry_at)).toBe(clock + 120_000)
    clock += 119_000
    expect(status(await h.worker.refresh(), 'groq')).toBe('skipped_breaker')
    clock += 2_000
    up.replay(`${GROQ}/models`, 'groq/groq_models_2026-01-22.json')
    expect(status(await h.worker.refresh(), 'groq')).toBe('ok')
  })

  test('breaker state survives a restart', async () => {
    up = new FakeUpstream().set(`${GROQ}/models`, { kind: 'body', body: 'x', status: 500, contentType: 'text/plain' }).replay(`${TOGETHER}/models`, 'together/together_v1_models_2026-01-23.json')
    const dir = tempDir()
    let h = setup(dir)
    for (let i = 0; i < 3; i++) await h.worker.refresh()
    await h.close(false)
    h = setup(dir)
    expect(status(await h.worker.refresh(), 'groq')).toBe('skipped_breaker')
    const all = (await (await h.get('/admin/circuit-breakers', auth)).json()) as any
    expect(all.data.find((b: any) => b.provider === 'groq').state).toBe('open')
    expect(all.data.find((b: any) => b.provider === 'together').state).toBe('closed')
    const resetAll = (await (await h.post('/admin/circuit-breakers/reset', auth)).json()) as any
    expect(resetAll.data.every((b: any) => b.state === 'closed')).toBe(true)
  })
})

describe('admin refresh endpoints', () => {
  test('POST /admin/refresh/{provider} refreshes one provider; the same scope again within the cooldown is a 429 with Retry-After', async () => {
    up = new FakeUpstream().replay(`${GROQ}/models`, 'groq/groq_models_2026-01-22.json').replay(`${TOGETHER}/models`, 'together/together_v1_models_2026-01-23.json')
    const h = setup()
    const first = await h.post('/admin/refresh/groq?wait=true', auth)
    expect(first.status).toBe(200)
    expect(((await first.json()) as any).results.map((r: any) => r.provider)).toEqual(['groq'])
    expect(up.count(`${TOGETHER}/models`)).toBe(0)
    const again = await h.post('/admin/refresh/groq', auth)
    expect(again.status).toBe(429)
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0)
    expect((await h.post('/admin/refresh/togetherai', auth)).status).toBe(202) // another scope: allowed
    expect((await h.post('/admin/refresh/nope', auth)).status).toBe(404)
  })
})
