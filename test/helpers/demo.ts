/**
 * `bun run demo`: the fake upstream (serve-fixtures.ts) and modelcat, each on a free port, with the demo config
 * (every provider the README's examples name) and a fresh DB under ./data/demo; prints the URLs and waits.
 * `bun run demo:change`: the fake upstream's second generation (later Groq and OpenRouter captures), then
 * an admin refresh of the running demo: the change feed gets real entries.
 *
 *   bun test/helpers/demo.ts [--port <port>] [--upstream-port <port>] [--dir <dir>]    (PORT, FAKE_UPSTREAM_PORT)
 *   bun test/helpers/demo.ts change [--dir <dir>]
 */
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { demoConfig, portArg, startFixtures } from './serve-fixtures'

const ENTRY = join(import.meta.dir, '..', '..', 'src', 'index.ts')
const TOKEN = 'dev'

interface DemoState {
  service: string
  upstream: string
  pid: number
}

const fail = (message: string): never => {
  process.stderr.write(`demo: ${message}\n`)
  process.exit(1)
}

async function start(values: { port?: string; 'upstream-port'?: string; dir: string }) {
  const servicePort = portArg(values.port ?? process.env.PORT, values.port !== undefined ? '--port' : 'PORT')
  const upstreamPort = portArg(values['upstream-port'] ?? process.env.FAKE_UPSTREAM_PORT, values['upstream-port'] !== undefined ? '--upstream-port' : 'FAKE_UPSTREAM_PORT')
  const dir = resolve(values.dir)
  mkdirSync(dir, { recursive: true })
  for (const f of ['catalog.db', 'catalog.db-wal', 'catalog.db-shm', 'catalog.db.service.json']) rmSync(join(dir, f), { force: true }) // every demo starts fresh
  const fixtures = startFixtures(upstreamPort)
  const configPath = join(dir, 'demo.toml')
  writeFileSync(configPath, demoConfig(fixtures.url))

  const { PORT: _p, MODELCAT_CONFIG: _c, MODELCAT_DB: _d, ...env } = process.env
  const service = Bun.spawn(['bun', ENTRY, 'serve', '--port', String(servicePort), '--host', '127.0.0.1'], {
    env: { ...env, MODELCAT_CONFIG: configPath, MODELCAT_DB: join(dir, 'catalog.db'), MODELCAT_ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'info' },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const stop = () => {
    service.kill('SIGTERM')
    fixtures.stop()
  }
  process.on('SIGINT', () => (stop(), process.exit(0)))
  process.on('SIGTERM', () => (stop(), process.exit(0)))

  // the service's log goes to a file; its first "modelcat listening" line says where it listens
  const log = createWriteStream(join(dir, 'service.log'))
  let url: string | undefined
  let buffered = ''
  const listening = new Promise<string>((resolveUrl) => {
    void (async () => {
      for await (const chunk of service.stdout) {
        log.write(chunk)
        if (url) continue
        buffered += new TextDecoder().decode(chunk)
        const line = buffered.split('\n').find((l) => l.includes('"modelcat listening"'))
        if (line) resolveUrl((url = (JSON.parse(line) as { url: string }).url.replace(/\/$/, '')))
      }
    })()
  })
  const exited = service.exited.then(async (code) => fail(`modelcat exited (${code}): ${(await new Response(service.stderr).text()).trim()}`))
  const serviceUrl = await Promise.race([listening, exited])
  writeFileSync(join(dir, 'demo.json'), JSON.stringify({ service: serviceUrl, upstream: fixtures.url, pid: process.pid } satisfies DemoState))

  // ready once the first refresh has landed: an admin refresh with wait joins the one in flight (or runs one) and
  // answers after the new version is served (the provider table, read from SQLite, may show it a moment earlier)
  const ready = await fetch(`${serviceUrl}/admin/refresh?wait=true`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })
  if (!ready.ok) fail(`the first refresh did not land: ${ready.status} ${await ready.text()}`)
  // and once the reference catalogs' snapshots have loaded (they fill what lists lack: a new catalog version) and
  // the version holds still (for 1.2 s: the scheduled first refresh, queued behind the snapshots on the refresh
  // thread, may land just after them): the README's examples then answer from a catalog that stays until `demo:change`
  const deadline = Date.now() + 30_000
  for (let seen = '', still = 0; Date.now() < deadline; await Bun.sleep(300)) {
    const { references = [] } = (await (await fetch(`${serviceUrl}/v1/providers`)).json()) as { references?: { enabled: boolean; entries: number }[] }
    // the version served by the hot full list (handed over by the refresh thread once its index is built) and by an
    // answer never asked before (the served index's, or SQLite's before the first handover): equal, and unchanged
    // for four looks
    const served = (await fetch(`${serviceUrl}/v1/models`)).headers.get('x-catalog-version') ?? ''
    const version = (await fetch(`${serviceUrl}/v1/models?limit=1&q=${Math.random()}`)).headers.get('x-catalog-version') ?? ''
    still = version === seen && served === version ? still + 1 : 0
    if (references.every((r) => !r.enabled || r.entries > 0) && still >= 4) break
    seen = version
  }
  console.log(
    [
      'modelcat demo (no network: real provider captures replayed)',
      `  modelcat       ${serviceUrl}   (log: ${join(values.dir, 'service.log')}, DB: ${join(values.dir, 'catalog.db')})`,
      `  fake upstream  ${fixtures.url}   (generation 1 of 2)`,
      `  admin token    ${TOKEN}`,
      '',
      'In another shell:',
      `  export MC=${serviceUrl}`,
      '  curl -s $MC/v1/providers',
      '  bun run demo:change     # the upstream moves on; the change feed gets entries',
      '',
      'Ctrl-C stops both.',
    ].join('\n'),
  )
}

async function change(values: { dir: string }) {
  const file = join(resolve(values.dir), 'demo.json')
  if (!existsSync(file)) fail(`no demo running (no ${file}): start one with \`bun run demo\``)
  const state = JSON.parse(readFileSync(file, 'utf8')) as DemoState
  const switched = await fetch(`${state.upstream}/_demo/generation?to=2`, { method: 'POST' }).catch(() =>
    fail(`the demo's fake upstream (${state.upstream}) does not answer: is \`bun run demo\` still running?`),
  )
  if (!switched.ok) fail(`the fake upstream refused: ${await switched.text()}`)
  const before = ((await (await fetch(`${state.service}/ready`)).json()) as { catalog_version: number }).catalog_version
  const res = await fetch(`${state.service}/admin/refresh?wait=true`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })
  if (!res.ok) fail(`POST /admin/refresh answered ${res.status}: ${await res.text()}`)
  const report = (await res.json()) as { catalog_version: number }
  const changes = (await (await fetch(`${state.service}/v1/changes?since=${before}&limit=1000`)).json()) as { data: { type: string }[] }
  const count = (t: string) => changes.data.filter((c) => c.type === t).length
  console.log(
    `fake upstream: generation 2 (later Groq and OpenRouter captures); refreshed: catalog version ${before} → ${report.catalog_version}\n` +
      `change feed: ${count('added')} added, ${count('removed')} removed, ${count('changed')} changed\n` +
      `  curl -s "$MC/v1/changes?since=${before}"`,
  )
}

const { values, positionals } = parseArgs({
  options: { port: { type: 'string' }, 'upstream-port': { type: 'string' }, dir: { type: 'string', default: './data/demo' } },
  allowPositionals: true,
  strict: true,
})
try {
  if (positionals[0] === 'change') await change(values)
  else if (positionals.length === 0) await start(values)
  else fail(`unknown argument '${positionals[0]}' (expected: change)`)
} catch (err) {
  fail((err as Error).message)
}
