import { afterEach, expect, setDefaultTimeout, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { FakeUpstream } from '../helpers/fake-upstream'
import { NO_REFERENCES, tempDir, tomlFor } from '../helpers/harness'
import { listeningUrl, spawnGroup } from '../helpers/process'

/** The same catalog gives the same ETag after a restart: the service as a process, stopped and started again on its DB. */
setDefaultTimeout(60_000)
const ENTRY = join(import.meta.dir, '..', '..', 'src', 'index.ts')
const GROQ = '/groq/openai/v1'
const TOGETHER = '/together/v1'
let up: FakeUpstream | undefined
let proc: ReturnType<typeof spawnGroup> | undefined
afterEach(() => {
  proc?.kill('SIGKILL')
  up?.stop()
  proc = up = undefined
})

async function serve(dir: string) {
  proc = spawnGroup(['bun', ENTRY, 'serve', '--port', '0', '--host', '127.0.0.1'], {
    env: { PATH: process.env.PATH ?? '', MODELCAT_DB: join(dir, 'catalog.db'), MODELCAT_CONFIG: join(dir, 'modelcat.toml'), MODELCAT_ADMIN_TOKEN: 't', LOG_LEVEL: 'info' },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const { url } = await listeningUrl(proc, 60_000)
  if (url) return url
  throw new Error(`the service did not start: ${await new Response(proc.stderr).text()}`)
}

/** Waits until every provider was tried after `since` (the refresh at start has committed, or changed nothing). */
async function refreshedSince(url: string, since: number) {
  for (let i = 0; i < 300; i++) {
    const { data } = (await (await fetch(`${url}/v1/providers`, { keepalive: false })).json()) as { data: { enabled: boolean; last_attempt_at: string | null }[] }
    if (data.filter((p) => p.enabled).every((p) => p.last_attempt_at && Date.parse(p.last_attempt_at) >= since)) return
    await Bun.sleep(100)
  }
  throw new Error('no refresh after the start')
}

const answer = async (url: string, path: string) => {
  const res = await fetch(`${url}${path}`, { keepalive: false })
  return { etag: res.headers.get('etag'), version: res.headers.get('x-catalog-version'), body: await res.text() }
}

test('an unchanged catalog keeps its ETags, version and bytes across a restart, also when its providers last succeeded in different commits', async () => {
  up = new FakeUpstream().replay(`${GROQ}/models`, 'groq/groq_models_2025-10-05.json').replay(`${TOGETHER}/models`, 'together/together_v1_models_2026-01-23.json')
  const dir = tempDir('modelcat-restart-')
  writeFileSync(join(dir, 'modelcat.toml'), `${tomlFor(up.url, { groq: GROQ, together: TOGETHER })}\n${NO_REFERENCES}`)

  let started = Date.now()
  let url = await serve(dir)
  await refreshedSince(url, started)
  // groq moves on alone: the newest version is committed after together's last success (the case that broke)
  up.replay(`${GROQ}/models`, 'groq/groq_models_2026-01-22.json')
  await Bun.sleep(20) // a later millisecond than together's success
  const r = await fetch(`${url}/admin/refresh?provider=groq&wait=true`, { method: 'POST', headers: { authorization: 'Bearer t' } })
  expect(r.status).toBe(200)
  const paths = ['/v1/models', '/v1/models?unique=true', '/v1/models?gateway=together&limit=5', '/v1/models/together/meta-llama/Llama-3.3-70B-Instruct-Turbo']
  const before = await Promise.all(paths.map((p) => answer(url, p)))
  expect(before[0]!.etag).toBeTruthy()

  proc!.kill('SIGTERM')
  expect(await proc!.exited).toBe(0)
  await Bun.sleep(1100) // the next refresh is at least a second later (stored times have whole seconds)
  started = Date.now()
  url = await serve(dir)
  await refreshedSince(url, started) // both providers answered again, with the same lists
  const after = await Promise.all(paths.map((p) => answer(url, p)))
  for (const [i, a] of after.entries()) {
    expect(a.version).toBe(before[i]!.version)
    expect(a.etag).toBe(before[i]!.etag)
    expect(a.body).toBe(before[i]!.body)
  }

  // near miss: a catalog that did change gets a new version and a new ETag
  up.replay(`${TOGETHER}/models`, 'together/together_v1_models_2026-01-23.json', { status: 200 }).replay(`${GROQ}/models`, 'groq/groq_models_2025-10-05.json')
  await fetch(`${url}/admin/refresh?wait=true`, { method: 'POST', headers: { authorization: 'Bearer t' } })
  const changed = await answer(url, '/v1/models')
  expect(changed.version).not.toBe(before[0]!.version)
  expect(changed.etag).not.toBe(before[0]!.etag)
})
