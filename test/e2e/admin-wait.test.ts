import { afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { FakeUpstream } from '../helpers/fake-upstream'
import { checkedFetch, NO_REFERENCES, routeTable, tempDir, tomlFor } from '../helpers/harness'
import { listeningUrl, spawnGroup } from '../helpers/process'

/**
 * Long admin waits over real HTTP against a started service: Bun.serve closes a connection idle for 10 s by
 * default, so a refresh that takes longer used to end with no answer although it landed.
 */
setDefaultTimeout(90_000)

const ROOT = join(import.meta.dir, '..', '..')
const GROQ = '/groq/openai/v1'
const ADMIN = { authorization: 'Bearer tok' }

let get: ReturnType<typeof checkedFetch>
beforeAll(async () => {
  get = checkedFetch(await routeTable())
})

let up: FakeUpstream | undefined
let proc: ReturnType<typeof spawnGroup> | undefined
afterEach(() => {
  proc?.kill('SIGKILL')
  up?.stop()
  proc = up = undefined
})

/** `bun run start` (PORT=0) until its "listening" line. */
async function startService(toml: string) {
  const dir = tempDir('modelcat-e2e-wait-')
  writeFileSync(join(dir, 'modelcat.toml'), `${toml}\n${NO_REFERENCES}`)
  proc = spawnGroup(['bun', 'run', 'start'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? dir,
      PORT: '0',
      HOST: '127.0.0.1',
      MODELCAT_ADMIN_TOKEN: 'tok',
      MODELCAT_DB: join(dir, 'catalog.db'),
      MODELCAT_CONFIG: join(dir, 'modelcat.toml'),
    },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const { url, text } = await listeningUrl(proc, 20_000)
  if (url) return url
  throw new Error(`service did not start: ${text}`)
}

async function waitRefreshed(url: string, provider: string) {
  for (let i = 0; i < 400; i++) {
    const body = (await (await get(`${url}/v1/providers`)).json()) as { data: { id: string; status: string }[] }
    if (body.data.find((p) => p.id === provider)?.status === 'ok') return
    await Bun.sleep(25)
  }
  throw new Error('provider never refreshed')
}

const FIXTURE = 'groq/groq_models_2026-01-22.json'

describe('POST /admin/refresh?wait=true over real HTTP', () => {
  test('a refresh that takes 15 s (past the 10 s idle timeout) answers 200 with its results', async () => {
    up = new FakeUpstream().replay(`${GROQ}/models`, FIXTURE)
    const url = await startService(tomlFor(up.url, { groq: GROQ }, 'provider_timeout_ms = 60000'))
    await waitRefreshed(url, 'groq')
    // from now on the upstream answers after 15 s
    up.replay(`${GROQ}/models`, FIXTURE, { delayMs: 15_000 })
    const before = up.count(`${GROQ}/models`)
    const res = await get(`${url}/admin/refresh?wait=true`, { method: 'POST', headers: ADMIN })
    expect(res.status).toBe(200)
    const report = (await res.json()) as { trigger: string; duration_ms: number; results: { provider: string; status: string; model_count: number }[] }
    expect(report.trigger).toBe('admin')
    expect(report.results).toEqual([expect.objectContaining({ provider: 'groq', status: 'ok' })])
    expect(report.results[0]!.model_count).toBeGreaterThan(0)
    // the premise: this answer did wait for the slow fetch (longer than the server's idle timeout)
    expect(up.count(`${GROQ}/models`)).toBe(before + 1)
    expect(report.duration_ms).toBeGreaterThanOrEqual(14_000)
  })

  test('past [http] admin_wait_max_seconds the answer is 202 and the refresh goes on and lands', async () => {
    up = new FakeUpstream().replay(`${GROQ}/models`, FIXTURE)
    const url = await startService(`${tomlFor(up.url, { groq: GROQ }, 'provider_timeout_ms = 60000')}\n[http]\nadmin_wait_max_seconds = 1\n`)
    await waitRefreshed(url, 'groq')
    const first = (await (await get(`${url}/v1/providers`)).json()) as { data: { id: string; last_success_at: string }[] }
    up.replay(`${GROQ}/models`, FIXTURE, { delayMs: 3_000 })
    const res = await get(`${url}/admin/refresh?wait=true`, { method: 'POST', headers: ADMIN })
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ status: 'accepted', providers: ['groq'] })
    // it lands after the answer
    for (let i = 0; i < 400; i++) {
      const now = (await (await get(`${url}/v1/providers`)).json()) as { data: { id: string; last_success_at: string }[] }
      if (now.data.find((p) => p.id === 'groq')!.last_success_at !== first.data.find((p) => p.id === 'groq')!.last_success_at) return
      await Bun.sleep(25)
    }
    throw new Error('the refresh never landed')
  })
})
