import { afterEach, describe, expect, test } from 'bun:test'
import { FakeUpstream } from '../helpers/fake-upstream'
import { makeHarness, tempDir, tomlFor, type Harness } from '../helpers/harness'

/** One truth per status: every view shows a provider's status and last error from one function. */
const GROQ = '/groq/openai/v1'
const TOGETHER = '/together/v1'
let up: FakeUpstream | undefined
let hs: Harness[] = []
afterEach(async () => {
  for (const h of hs) await h.close()
  up?.stop()
  hs = []
  up = undefined
})

type View = { status: string; last_error: string | null }
const views = async (h: Harness, id: string) => {
  const providers = (await (await h.get('/v1/providers')).json()) as { data: (View & { id: string })[] }
  const health = (await (await h.get('/health/providers')).json()) as { data: (View & { provider: string })[] }
  const p = providers.data.find((x) => x.id === id)
  const hp = health.data.find((x) => x.provider === id)
  return { providers: p && { status: p.status, last_error: p.last_error }, health: hp && { status: hp.status, last_error: hp.last_error } }
}

describe('one status and last error for every view', () => {
  test('a failing provider shows the same error in /v1/providers and /health/providers; once recovered, neither shows one', async () => {
    up = new FakeUpstream().set(`${GROQ}/models`, { kind: 'body', body: 'upstream down', status: 503, contentType: 'text/plain' })
    const h = makeHarness({ toml: tomlFor(up.url, { groq: GROQ }), env: {} })
    hs.push(h)
    await h.worker.refresh()
    const failing = await views(h, 'groq')
    expect(failing.providers).toEqual(failing.health!)
    expect(failing.providers!.status).toBe('failing')
    expect(failing.providers!.last_error).toContain('HTTP 503')
    // the breaker keeps the failure in its own record (admin view): the status views must not resurrect it
    up.replay(`${GROQ}/models`, 'groq/groq_models_2026-01-22.json')
    await h.worker.refresh()
    const breaker = h.store.loadBreakers().find((b) => b.provider === 'groq')
    const recovered = await views(h, 'groq')
    expect(recovered.providers).toEqual({ status: 'ok', last_error: null })
    expect(recovered.health).toEqual({ status: 'ok', last_error: null })
    // the near miss this guards: the breaker's own record still holds the old error, older than the success
    expect(breaker?.lastError).toContain('HTTP 503')
    expect(breaker!.lastFailureAt!).toBeLessThan(breaker!.lastSuccessAt!)
  })

  test('a provider the current config disables leaves no breaker in /admin/circuit-breakers/reset or /metrics (state from an earlier run on the same DB)', async () => {
    up = new FakeUpstream().set(`${GROQ}/models`, { kind: 'body', body: 'nope', status: 500, contentType: 'text/plain' }).replay(`${TOGETHER}/models`, 'together/together_v1_models_2026-01-23.json')
    const dir = tempDir()
    const breakers = { failureThreshold: 1 }
    const first = makeHarness({ toml: tomlFor(up.url, { groq: GROQ, together: TOGETHER }), dir, env: { MODELCAT_ADMIN_TOKEN: 't' }, breakers })
    await first.worker.refresh()
    expect(first.store.loadBreakers().find((b) => b.provider === 'groq')?.state).toBe('open')
    expect(await (await first.get('/metrics')).text()).toContain('modelcat_breaker_state{provider="groq",state="open"} 1')
    await first.close(false)
    // the same DB, groq no longer enabled
    const second = makeHarness({ toml: tomlFor(up.url, { together: TOGETHER }), dir, env: { MODELCAT_ADMIN_TOKEN: 't' }, breakers })
    hs.push(second)
    expect(second.store.loadBreakers().some((b) => b.provider === 'groq')).toBe(true) // the leftover is there
    const metrics = await (await second.get('/metrics')).text()
    expect(metrics).not.toContain('provider="groq"')
    expect(metrics).toContain('modelcat_models{provider="together"}') // near miss: enabled providers still have series
    const reset = (await (await second.post('/admin/circuit-breakers/reset', { authorization: 'Bearer t' })).json()) as { data: { provider: string }[] }
    expect(reset.data.map((b) => b.provider)).not.toContain('groq')
    const listed = (await (await second.get('/admin/circuit-breakers', { authorization: 'Bearer t' })).json()) as { data: { provider: string }[] }
    expect(listed.data.map((b) => b.provider)).toEqual(['together'])
    const providers = (await (await second.get('/v1/providers')).json()) as { data: { id: string; status: string; last_error: string | null; breaker: string }[] }
    expect(providers.data.find((p) => p.id === 'groq')).toMatchObject({ status: 'disabled', last_error: null, breaker: 'closed' })
  })
})
