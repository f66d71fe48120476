import { afterEach, describe, expect, test } from 'bun:test'
import type { Server } from 'bun'
import { FIXTURES } from '../helpers/fake-upstream'
import { makeHarness, tempDir, tomlFor, type Harness } from '../helpers/harness'
import { rmSync } from 'node:fs'

/**
 * Conditional upstream requests: a provider that answered with ETag / Last-Modified is asked with
 * If-None-Match / If-Modified-Since next time; a 304 (or, without validators, the very bytes of the stored list)
 * costs no parse, keeps the provider's rows, moves its
 * last_success_at and keeps the catalog version. Real captures (test/fixtures/PROVENANCE.md).
 */

const GROQ_A = 'groq/groq_models_2026-01-22.json'
const TOGETHER = 'together/together_v1_models_2026-01-23.json'
const GEMINI_PAGE1 = 'gemini/gemini_v1beta_models_page1_with_nextPageToken_2025-11-18.json'

/** An upstream that answers 304 when the request's validator matches the current one, 200 with it otherwise. */
class ConditionalUpstream {
  current: { file: string; etag?: string; lastModified?: string /** served instead of the file */; body?: string } = { file: GROQ_A }
  /** Every request: its path, the validators it sent, the status answered. */
  readonly log: { path: string; ifNoneMatch: string | null; ifModifiedSince: string | null; status: number }[] = []
  readonly server: Server<undefined>
  /** A second page for paged lists (Gemini's pageToken). */
  secondPage = '{"models":[]}'
  constructor() {
    this.server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: (req) => this.#handle(req) })
  }
  get url() {
    return `http://127.0.0.1:${this.server.port}`
  }
  #handle(req: Request): Response {
    const url = new URL(req.url)
    const ifNoneMatch = req.headers.get('if-none-match')
    const ifModifiedSince = req.headers.get('if-modified-since')
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (this.current.etag) headers.etag = this.current.etag
    if (this.current.lastModified) headers['last-modified'] = this.current.lastModified
    const fresh = (this.current.etag && ifNoneMatch === this.current.etag) || (!this.current.etag && this.current.lastModified && ifModifiedSince === this.current.lastModified)
    const status = fresh ? 304 : 200
    this.log.push({ path: url.pathname + url.search, ifNoneMatch, ifModifiedSince, status })
    if (fresh) return new Response(null, { status, headers })
    if (url.searchParams.has('pageToken')) return new Response(this.secondPage, { headers })
    return new Response(this.current.body ?? Bun.file(`${FIXTURES}/${this.current.file}`), { headers })
  }
  stop() {
    this.server.stop(true)
  }
}

let up: ConditionalUpstream | undefined
let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  up?.stop()
  h = up = undefined
})

const stateOf = (harness: Harness, id: string) => harness.store.providerStates().get(id)!
const count = (harness: Harness, id: string) => harness.store.liveCount(id)
/** The captured groq list as its text and parsed. */
async function groqList() {
  const text = await Bun.file(`${FIXTURES}/${GROQ_A}`).text()
  return { text, parsed: JSON.parse(text) as { data: Record<string, unknown>[] } }
}

describe('conditional upstream requests', () => {
  test('ETag: the next fetch sends If-None-Match; the 304 keeps the rows and the version, and last_success_at moves', async () => {
    up = new ConditionalUpstream()
    up.current = { file: GROQ_A, etag: '"v1"' }
    h = makeHarness({ toml: tomlFor(up.url, { groq: '/groq' }) })
    await h.worker.refresh()
    expect(up.log[0]!.ifNoneMatch).toBeNull() // nothing stored yet
    const rows = count(h, 'groq')
    expect(rows).toBeGreaterThan(0)
    const version = h.store.version
    const before = stateOf(h, 'groq')
    await Bun.sleep(5)

    const report = await h.worker.refresh()
    expect(up.log[1]).toEqual({ path: '/groq/models', ifNoneMatch: '"v1"', ifModifiedSince: null, status: 304 })
    expect(report.results[0]).toMatchObject({ provider: 'groq', status: 'ok', not_modified: true, model_count: rows })
    expect(count(h, 'groq')).toBe(rows)
    expect(h.store.version).toBe(version)
    const after = stateOf(h, 'groq')
    expect(after.lastSuccessAt!).toBeGreaterThan(before.lastSuccessAt!)
    expect(after.lastError).toBeNull()
    // the provider reads as refreshed just now over HTTP too
    const providers = (await (await h.get('/v1/providers')).json()) as { data: { id: string; status: string; last_success_at: string }[] }
    const groq = providers.data.find((p) => p.id === 'groq')!
    expect(groq.status).toBe('ok')
    expect(Date.parse(groq.last_success_at)).toBe(after.lastSuccessAt!)
  })

  test('near miss: a changed ETag gets the full answer (new rows, new version), and its validator is used next', async () => {
    up = new ConditionalUpstream()
    up.current = { file: GROQ_A, etag: '"v1"' }
    h = makeHarness({ toml: tomlFor(up.url, { groq: '/groq' }), env: {} })
    await h.worker.refresh()
    const version = h.store.version
    // the upstream's list changed (another capture under the same path) and so did its ETag
    up.current = { file: TOGETHER, etag: '"v2"' }
    const report = await h.worker.refresh()
    expect(up.log[1]).toMatchObject({ ifNoneMatch: '"v1"', status: 200 })
    expect(report.results[0]!.not_modified).toBeUndefined()
    expect(h.store.version).toBeGreaterThan(version)
    expect(h.store.getOffering('groq/llama-3.1-8b-instant')).toBeFalsy() // the new list replaced the old one
    await h.worker.refresh()
    expect(up.log[2]).toMatchObject({ ifNoneMatch: '"v2"', status: 304 })
  })

  test('Last-Modified alone: If-Modified-Since; a provider without validators is asked without them', async () => {
    up = new ConditionalUpstream()
    up.current = { file: GROQ_A, lastModified: 'Tue, 20 Jan 2026 10:00:00 GMT' }
    h = makeHarness({ toml: tomlFor(up.url, { groq: '/groq' }) })
    await h.worker.refresh()
    await h.worker.refresh()
    expect(up.log[1]).toMatchObject({ ifNoneMatch: null, ifModifiedSince: 'Tue, 20 Jan 2026 10:00:00 GMT', status: 304 })
    // no validators answered: none sent
    up.current = { file: GROQ_A }
    await h.worker.refresh() // the 304 kept the stored validators; this 200 has none: they are cleared
    await h.worker.refresh()
    expect(up.log[3]).toMatchObject({ ifNoneMatch: null, ifModifiedSince: null, status: 200 })
  })

  test('no validators: the very bytes of the stored list again are not parsed (kept as a 304 keeps them); one byte more is parsed', async () => {
    up = new ConditionalUpstream()
    const { text, parsed } = await groqList()
    up.current = { file: GROQ_A, body: text }
    h = makeHarness({ toml: tomlFor(up.url, { groq: '/groq' }) })
    const first = await h.worker.refresh()
    expect(first.results[0]!.not_modified).toBeUndefined()
    const rows = count(h, 'groq')
    expect(rows).toBe(parsed.data.length)
    const version = h.store.version
    const before = stateOf(h, 'groq')
    await Bun.sleep(5)

    const again = await h.worker.refresh()
    expect(again.results[0]).toMatchObject({ provider: 'groq', status: 'ok', not_modified: true, model_count: rows })
    expect(up.log[1]).toMatchObject({ ifNoneMatch: null, ifModifiedSince: null, status: 200 }) // a plain 200: nothing to ask with
    expect(h.store.version).toBe(version)
    expect(stateOf(h, 'groq').lastSuccessAt!).toBeGreaterThan(before.lastSuccessAt!)

    // near miss: the same list and one space more is another body: parsed (same rows, so the version stays)
    up.current = { file: GROQ_A, body: `${text} ` }
    const spaced = await h.worker.refresh()
    expect(spaced.results[0]!.not_modified).toBeUndefined()
    expect(spaced.results[0]!.model_count).toBe(rows)
    // and a list with one model fewer is parsed and lands
    up.current = { file: GROQ_A, body: JSON.stringify({ ...parsed, data: parsed.data.slice(1) }) }
    const fewer = await h.worker.refresh()
    expect(fewer.results[0]!.not_modified).toBeUndefined()
    expect(count(h, 'groq')).toBe(rows - 1)
    expect(h.store.version).toBeGreaterThan(version)
  })

  test('the digest is kept with the rows it describes: it holds across a restart, and rows another process wrote from other bytes are never mistaken for it', async () => {
    up = new ConditionalUpstream()
    const { text, parsed } = await groqList()
    const other = JSON.stringify({ ...parsed, data: parsed.data.slice(1) })
    const dir = tempDir()
    const run = async (body: string) => {
      up!.current = { file: GROQ_A, body }
      const harness = makeHarness({ toml: tomlFor(up!.url, { groq: '/groq' }), dir })
      try {
        return (await harness.worker.refresh()).results[0]!
      } finally {
        await harness.close(false)
      }
    }
    try {
      expect((await run(text)).not_modified).toBeUndefined()
      // a new process (same DB): the same bytes are known
      expect(await run(text)).toMatchObject({ status: 'ok', not_modified: true })
      // another process writes the rows from other bytes; the first bytes again are then parsed, and land
      expect((await run(other)).not_modified).toBeUndefined()
      const back = await run(text)
      expect(back.not_modified).toBeUndefined()
      expect(back.model_count).toBe(parsed.data.length)
      expect(await run(text)).toMatchObject({ status: 'ok', not_modified: true })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('the same bytes as a list the guard refused are parsed again (and refused again): only a committed list is remembered', async () => {
    up = new ConditionalUpstream()
    const { text, parsed } = await groqList()
    up.current = { file: GROQ_A, body: text }
    h = makeHarness({ toml: tomlFor(up.url, { groq: '/groq' }) })
    await h.worker.refresh()
    const rows = count(h, 'groq')
    // a collapse to one model: the anomaly guard refuses it, twice (never mistaken for the stored list)
    up.current = { file: GROQ_A, body: JSON.stringify({ ...parsed, data: parsed.data.slice(0, 1) }) }
    for (let i = 0; i < 2; i++) {
      const r = await h.worker.refresh()
      expect(r.results[0]).toMatchObject({ provider: 'groq', status: 'failed' })
      expect(r.results[0]!.error).toContain('kept the last good list')
      expect(count(h, 'groq')).toBe(rows)
    }
    // the stored list's bytes again: not parsed
    up.current = { file: GROQ_A, body: text }
    expect((await h.worker.refresh()).results[0]).toMatchObject({ status: 'ok', not_modified: true })
  })

  test('a paged list (more than one request) keeps no validators: its next fetch is unconditional', async () => {
    up = new ConditionalUpstream()
    up.current = { file: GEMINI_PAGE1, etag: '"page1"' }
    h = makeHarness({ toml: tomlFor(up.url, { gemini: '/gemini' }) })
    await h.worker.refresh()
    expect(up.log.map((l) => l.path)).toEqual(['/gemini/models?pageSize=1000', expect.stringContaining('pageToken=')])
    expect(count(h, 'gemini')).toBeGreaterThan(0)
    await h.worker.refresh()
    expect(up.log[2]).toMatchObject({ path: '/gemini/models?pageSize=1000', ifNoneMatch: null, status: 200 })
  })
})
