import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test'
import { join } from 'node:path'
import { tempDir } from './helpers/harness'
import { spawnGroup } from './helpers/process'

/**
 * Every line of the README's "Using it" block, run as written against `bun run demo` (placeholders filled in),
 * each answer checked against what its comment says; and the README's sample model checked against the
 * demo's answer. A line this test does not know fails it: a new README line needs its check here.
 */
setDefaultTimeout(120_000)
const ROOT = join(import.meta.dir, '..')
const readme = await Bun.file(join(ROOT, 'README.md')).text()
const section = (heading: string) => readme.slice(readme.indexOf(heading))
const block = (text: string, lang: string) => {
  const start = text.indexOf(`\`\`\`${lang}\n`) + lang.length + 4
  return text.slice(start, text.indexOf('```', start))
}

let demo: ReturnType<typeof spawnGroup>
let dir: string
let MC: string
beforeAll(async () => {
  dir = tempDir('modelcat-demo-')
  demo = spawnGroup(['bun', 'run', 'demo', '--dir', dir], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir }, stdout: 'pipe', stderr: 'pipe' })
  const reader = (demo.stdout as ReadableStream<Uint8Array>).getReader()
  let out = ''
  while (!out.includes('Ctrl-C stops both.')) {
    const { value, done } = await reader.read()
    if (done) throw new Error(`the demo did not start: ${out}${await new Response(demo.stderr).text()}`)
    out += new TextDecoder().decode(value)
  }
  MC = out.match(/export MC=(\S+)/)![1]!
})
afterAll(() => demo?.kill('SIGKILL'))

type Json = Record<string, any>
const eachOf = <T>(xs: T[], check: (x: T) => unknown) => {
  for (const x of xs) check(x)
}
const json = (out: string): Json => JSON.parse(out)
const list = (out: string) => json(out).data as Json[]
const nonEmpty = (out: string) => {
  const data = list(out)
  expect(data.length).toBeGreaterThan(0)
  return data
}

/** What each line's comment promises, by the command's shape. */
const CHECKS: [RegExp, (out: string) => void | Promise<void>][] = [
  [/^curl -s \$MC\/v1\/models$/, (o) => void (nonEmpty(o), expect(json(o).total).toBeUndefined())],
  [/limit=50&offset=100/, (o) => void (expect(list(o)).toHaveLength(50), expect(json(o)).toMatchObject({ has_more: true, next_cursor: expect.any(String), total: expect.any(Number) }))],
  [/\?gateway=groq"$/, (o) => expect(new Set(nonEmpty(o).map((m) => m.provider))).toEqual(new Set(['groq']))],
  [/gateway=hug,togetherai/, (o) => expect(new Set(nonEmpty(o).map((m) => m.provider))).toEqual(new Set(['huggingface', 'together']))],
  [/\?unique=true"$/, (o) => eachOf(nonEmpty(o), (m) => expect(m.provider_count).toBeGreaterThan(0))],
  [
    /q=llama&input_modalities=image/,
    (o) => {
      const data = nonEmpty(o)
      for (const m of data) {
        expect(`${m.id} ${m.name} ${m.description ?? ''}`.toLowerCase()).toContain('llama')
        expect(m.architecture.input_modalities).toContain('image')
        expect(m.context_length).toBeGreaterThanOrEqual(100_000)
      }
      const prices = data.map((m) => Number(m.pricing.prompt ?? Number.POSITIVE_INFINITY))
      expect(prices).toEqual([...prices].sort((a, b) => a - b))
    },
  ],
  [
    /free=true&exclude_gateway=openrouter&unique=true/,
    (o) => eachOf(nonEmpty(o), (m) => expect(m.providers.some((p: Json) => p.provider !== 'openrouter' && Number(p.pricing.prompt) === 0 && Number(p.pricing.completion) === 0)).toBe(true)),
  ],
  [
    /limit=100&sort=context_length&order=desc/,
    (o) => {
      const lengths = nonEmpty(o).map((m) => m.context_length ?? -1)
      expect(lengths).toHaveLength(100)
      expect(lengths).toEqual([...lengths].sort((a, b) => b - a))
      expect(json(o).next_cursor).toEqual(expect.any(String))
    },
  ],
  [
    /Accept-Encoding: br/,
    async (o) => {
      const plain = (await (await fetch(`${MC}/v1/models`)).arrayBuffer()).byteLength
      expect(Number(o.trim())).toBeGreaterThan(0)
      expect(Number(o.trim())).toBeLessThan(plain / 3)
    },
  ],
  [/If-None-Match/, (o) => expect(o.trim()).toBe('304')],
  [
    /models\/together\/meta-llama\/Llama-3.3-70B-Instruct-Turbo$/,
    (o) => void (expect(json(o).id).toBe('together/meta-llama/Llama-3.3-70B-Instruct-Turbo'), expect(json(o).providers.length).toBeGreaterThan(1)),
  ],
  [/models\/meta\/llama-3.3-70b-instruct$/, (o) => void (expect(json(o).id).toBe('meta/llama-3.3-70b-instruct'), expect(json(o).provider_count).toBeGreaterThan(1))],
  [/\/v1\/providers$/, (o) => expect(nonEmpty(o).find((p) => p.id === 'groq')).toMatchObject({ status: 'ok', last_error: null })],
  [/\/health$/, (o) => expect(json(o)).toEqual({ status: 'ok' })],
  [/\/ready$/, (o) => expect(json(o)).toMatchObject({ status: 'ready' })],
  [/refresh\?wait=true"$/, (o) => expect(json(o).results.length).toBeGreaterThan(0)],
  [/refresh\?provider=groq"$/, (o) => expect(json(o)).toEqual({ status: 'accepted', providers: ['groq'] })],
  [/provider=groq&force=true&wait=true/, (o) => expect(json(o).results).toEqual([expect.objectContaining({ provider: 'groq', status: 'ok' })])],
  [/\/admin\/refresh\/groq$/, (o) => expect(json(o)).toEqual({ status: 'accepted', providers: ['groq'] })],
  [/circuit-breakers$/, (o) => expect(nonEmpty(o).map((b) => b.provider)).toContain('groq')],
  [/circuit-breakers\/groq$/, (o) => expect(json(o)).toMatchObject({ provider: 'groq' })],
  [/circuit-breakers\/groq\/reset$/, (o) => expect(json(o)).toMatchObject({ provider: 'groq', state: 'closed' })],
  [/circuit-breakers\/reset$/, (o) => eachOf(nonEmpty(o), (b) => expect(b.state).toBe('closed'))],
  [/\/health\/providers$/, (o) => expect(nonEmpty(o).find((p) => p.provider === 'groq')).toMatchObject({ status: 'ok', last_error: null })],
  [/\/metrics$/, (o) => expect(o).toMatch(/^modelcat_catalog_version \d+$/m)],
  [/^bun run demo:change$/, (o) => expect(o).toMatch(/change feed: [1-9]\d* added, [1-9]\d* removed, [1-9]\d* changed/)],
  [/since=2026-11-01T00:00:00Z&type=added/, (o) => eachOf(nonEmpty(o), (c) => expect(c.type).toBe('added'))],
  [/gateway=openrouter&type=changed/, (o) => eachOf(nonEmpty(o), (c) => expect(c).toMatchObject({ type: 'changed', provider: 'openrouter' }))],
  [/changes\.atom$/, (o) => void (expect(o).toStartWith('<?xml'), expect(o).toContain('<entry>'))],
  [/sort=newest&limit=20/, (o) => expect(list(o)).toHaveLength(20)],
  [/^open \$MC\/swagger$/, (o) => expect(o).toContain('swagger-ui')],
]

test('every line of "Using it" runs against the demo and answers as its comment says', async () => {
  const lines = block(section('## Using it'), 'sh')
    .split('\n')
    .filter((l) => l.trim())
  expect(lines.length).toBeGreaterThan(20)
  const used = new Set<number>()
  const etag = (await fetch(`${MC}/v1/models`, { headers: { 'accept-encoding': 'identity' } })).headers.get('etag')! // curl's request asks for no encoding
  for (const line of lines) {
    const command = line.replace(/\s{2,}#.*$/, '').trim()
    const i = CHECKS.findIndex(([shape]) => shape.test(command))
    expect({ command, known: i >= 0 }).toEqual({ command, known: true })
    used.add(i)
    let run = command.replace('<etag>', etag.replaceAll('"', ''))
    if (run.startsWith('bun run demo:change'))
      run = `${run} --dir '${dir}'` // this demo's directory
    else if (run.startsWith('open ')) run = `curl -sL ${run.slice(5)}` // the browser's view of it
    const p = spawnGroup(['bash', '-c', run], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, MC }, stdout: 'pipe', stderr: 'pipe' })
    const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited])
    expect({ command, code, err: code ? err : '' }).toEqual({ command, code: 0, err: '' })
    try {
      await CHECKS[i]![1](out)
    } catch (e) {
      throw new Error(`${command}\n→ ${out.slice(0, 400)}\n${(e as Error).message}`)
    }
  }
  // every check was used: no README line went missing unnoticed
  expect(CHECKS.filter((_, i) => !used.has(i)).map(([shape]) => String(shape))).toEqual([])
})

test("the README's sample model is the demo's answer for it (times aside)", async () => {
  const sample = JSON.parse(block(section('A model:'), 'json')) as Json
  const served = ((await (await fetch(`${MC}/v1/models?gateway=together`)).json()) as { data: Json[] }).data.find((m) => m.id === sample.id) as Json
  expect(served).toBeDefined()
  for (const key of ['first_seen_at', 'last_seen_at']) {
    expect(served[key]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    expect(sample[key]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    served[key] = sample[key]
  }
  expect(JSON.stringify(sample)).toBe(JSON.stringify(served)) // the same fields, values and order
})

test('the demo and the fixture server take their ports (0: any free one) and a busy port is one line', async () => {
  const busy = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response('taken') })
  try {
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir }
    const fixtures = spawnGroup(['bun', 'test/helpers/serve-fixtures.ts', '--port', String(busy.port), '--config-out', join(dir, 'x.toml')], { cwd: ROOT, env })
    const [err, code] = await Promise.all([new Response(fixtures.stderr).text(), fixtures.exited])
    expect(code).toBe(2)
    expect(err.trim()).toBe(`serve-fixtures: port ${busy.port} is in use: pass --port <port> (or FAKE_UPSTREAM_PORT), 0 for any free port`)
    const viaEnv = spawnGroup(['bun', 'test/helpers/serve-fixtures.ts', '--config-out', join(dir, 'x.toml')], { cwd: ROOT, env: { ...env, FAKE_UPSTREAM_PORT: String(busy.port) } })
    expect(await viaEnv.exited).toBe(2)
    const demoBusy = spawnGroup(['bun', 'run', 'demo', '--port', String(busy.port), '--dir', join(dir, 'busy')], { cwd: ROOT, env })
    const [demoErr, demoCode] = await Promise.all([new Response(demoBusy.stderr).text(), demoBusy.exited])
    expect(demoCode).toBe(1)
    expect(demoErr).toContain(`cannot listen on 127.0.0.1:${busy.port}: the port is in use`)
    expect(demoErr).not.toMatch(/EADDRINUSE|\bat \S+ \(/)
    // port 0: a free port, and the config written for it
    const free = spawnGroup(['bun', 'test/helpers/serve-fixtures.ts', '--port', '0', '--config-out', join(dir, 'free.toml')], { cwd: ROOT, env })
    const reader = (free.stdout as ReadableStream<Uint8Array>).getReader()
    let out = ''
    while (!out.includes('bun run start')) out += new TextDecoder().decode((await reader.read()).value)
    free.kill('SIGKILL')
    const url = out.match(/fake upstream on (http:\/\/127\.0\.0\.1:\d+)/)![1]!
    expect(url).not.toEndWith(`:${busy.port}`)
    expect(await Bun.file(join(dir, 'free.toml')).text()).toContain(`base_url = "${url}/groq/openai/v1"`)
  } finally {
    busy.stop(true)
  }
})
