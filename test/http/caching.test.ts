import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { brotliDecompressSync } from 'node:zlib'
import { capturedToml, capturedUpstream, GROQ, openCapturedCatalog } from '../helpers/captured-catalog'
import type { FakeUpstream } from '../helpers/fake-upstream'
import { makeHarness, tempDir, type Harness } from '../helpers/harness'
import { applySnapshot, exportSnapshot } from '../../src/catalog/snapshot'

/** HTTP caching of /v1/models: ETag / If-None-Match, Cache-Control, Vary, compression, versions. */

let up: FakeUpstream
let h: Harness
beforeAll(async () => {
  ;({ up, h } = await openCapturedCatalog())
})
afterAll(async () => {
  await h.close()
  up.stop()
})

const CACHING_HEADERS = ['etag', 'cache-control', 'last-modified', 'vary', 'x-catalog-version'] as const
const bytes = async (res: Response) => new Uint8Array(await res.arrayBuffer())
const etagOf = async (harness: Harness, path: string, headers: Record<string, string> = {}) => {
  const res = await harness.get(path, headers)
  expect(res.status).toBe(200)
  return res.headers.get('etag')!
}
const sameBytes = (a: Uint8Array, b: Uint8Array) => a.byteLength === b.byteLength && Buffer.compare(a, b) === 0

describe('ETag', () => {
  test('a strong quoted tag; the same query twice → same ETag and identical bytes', async () => {
    for (const path of ['/v1/models', '/v1/models?gateway=groq&sort=name', '/v1/models?unique=true&limit=20']) {
      const a = await h.get(path)
      const b = await h.get(path)
      const etag = a.headers.get('etag')!
      expect(etag).toMatch(/^"[^"\s]+"$/)
      expect(etag.startsWith('W/')).toBe(false)
      expect(b.headers.get('etag')).toBe(etag)
      expect(sameBytes(await bytes(a), await bytes(b))).toBe(true)
    }
  })

  test('different answers have different ETags', async () => {
    const tags = await Promise.all(['/v1/models', '/v1/models?gateway=groq', '/v1/models?gateway=together', '/v1/models?unique=true', '/v1/models?gateway=groq&order=desc'].map((p) => etagOf(h, p)))
    expect(new Set(tags).size).toBe(tags.length)
  })

  test('parameter order and unknown extra parameters do not change the ETag', async () => {
    const base = await etagOf(h, '/v1/models?gateway=groq,together&sort=context_length&order=desc&limit=10')
    expect(await etagOf(h, '/v1/models?order=desc&limit=10&sort=context_length&gateway=groq,together')).toBe(base)
    expect(await etagOf(h, '/v1/models?limit=10&gateway=groq,together&order=desc&sort=context_length')).toBe(base)
    expect(await etagOf(h, '/v1/models?gateway=groq,together&foo=bar&sort=context_length&order=desc&limit=10&api-version=1')).toBe(base)
    const u = await etagOf(h, '/v1/models?unique=true&input_modalities=text&min_context=8000')
    expect(await etagOf(h, '/v1/models?min_context=8000&x=1&input_modalities=text&unique=true')).toBe(u)
  })

  test('If-None-Match with the ETag → 304, empty body, the same caching headers', async () => {
    for (const path of ['/v1/models', '/v1/models?unique=true&gateway=openrouter']) {
      const full = await h.get(path)
      const etag = full.headers.get('etag')!
      const res = await h.get(path, { 'if-none-match': etag })
      expect(res.status).toBe(304)
      expect((await bytes(res)).byteLength).toBe(0)
      for (const name of CACHING_HEADERS) {
        expect(full.headers.get(name)).not.toBeNull()
        expect([name, res.headers.get(name)]).toEqual([name, full.headers.get(name)])
      }
    }
  })

  test('If-None-Match: W/ prefix, a list containing the tag, or * → 304; a stale or unrelated tag → 200', async () => {
    const path = '/v1/models?gateway=together'
    const etag = await etagOf(h, path)
    const other = await etagOf(h, '/v1/models?gateway=groq')
    for (const inm of [`W/${etag}`, `"nope", ${etag}`, `${other},${etag}`, `"a", W/${etag}, "b"`, '*']) {
      const res = await h.get(path, { 'if-none-match': inm })
      expect([inm, res.status]).toEqual([inm, 304])
      expect(res.headers.get('etag')).toBe(etag)
    }
    for (const inm of ['"stale"', other, `"x", ${other}`, `${etag.slice(0, -2)}"`]) {
      const res = await h.get(path, { 'if-none-match': inm })
      expect([inm, res.status]).toEqual([inm, 200])
      expect((await res.json()) as unknown).toMatchObject({ object: 'list' })
    }
  })

  test('Cache-Control, Vary, Last-Modified and X-Catalog-Version on every answer', async () => {
    const res = await h.get('/v1/models?gateway=groq')
    const cc = res.headers.get('cache-control')!
    expect(cc).toContain('public')
    expect(cc).toMatch(/(^|[ ,])max-age=\d+/)
    expect(cc).toMatch(/stale-while-revalidate=\d+/)
    expect(cc).toMatch(/stale-if-error=\d+/)
    expect(res.headers.get('vary')).toBe('Accept-Encoding')
    expect(Number.isNaN(Date.parse(res.headers.get('last-modified')!))).toBe(false)
    expect(res.headers.get('x-catalog-version')).toBe(String(h.store.version))
  })

  test('GET /v1/models/<id> carries an ETag and answers 304', async () => {
    for (const id of ['groq/llama-3.3-70b-versatile', 'meta/llama-3.3-70b-instruct']) {
      const res = await h.get(`/v1/models/${id}`)
      expect(res.status).toBe(200)
      const etag = res.headers.get('etag')!
      expect(etag).toMatch(/^"[^"\s]+"$/)
      expect(res.headers.get('cache-control')).toContain('max-age=')
      const again = await h.get(`/v1/models/${id}`, { 'if-none-match': etag })
      expect(again.status).toBe(304)
      expect((await bytes(again)).byteLength).toBe(0)
      expect(again.headers.get('etag')).toBe(etag)
      expect((await h.get(`/v1/models/${id}`, { 'if-none-match': '"stale"' })).status).toBe(200)
    }
  })
})

describe('compression', () => {
  const path = '/v1/models?gateway=together,openrouter'
  let identity: Uint8Array
  beforeAll(async () => {
    const res = await h.get(path)
    expect(res.headers.get('content-encoding')).toBeNull()
    identity = await bytes(res)
    expect(identity.byteLength).toBeGreaterThan(10_000)
  })

  test('no Accept-Encoding → identity', async () => {
    const res = await h.get(path)
    expect(res.headers.get('content-encoding')).toBeNull()
    expect(sameBytes(await bytes(res), identity)).toBe(true)
  })

  test('gzip → content-encoding gzip, gunzips to exactly the identity bytes, same ETag', async () => {
    const res = await h.get(path, { 'accept-encoding': 'gzip' })
    expect(res.headers.get('content-encoding')).toBe('gzip')
    expect(res.headers.get('vary')).toBe('Accept-Encoding')
    const body = await bytes(res)
    expect(body.byteLength).toBeLessThan(identity.byteLength)
    expect(sameBytes(Bun.gunzipSync(body), identity)).toBe(true)
    expect(res.headers.get('etag')).toBe((await h.get(path)).headers.get('etag'))
  })

  test('br → content-encoding br, decompresses to exactly the identity bytes; preferred when both are accepted', async () => {
    for (const ae of ['br', 'gzip, deflate, br', 'br, gzip', 'gzip;q=1.0, br;q=0.9']) {
      const res = await h.get(path, { 'accept-encoding': ae })
      expect([ae, res.headers.get('content-encoding')]).toEqual([ae, 'br'])
      const body = await bytes(res)
      expect(body.byteLength).toBeLessThan(identity.byteLength)
      expect(sameBytes(new Uint8Array(brotliDecompressSync(body)), identity)).toBe(true)
    }
  })

  test('an encoding refused with q=0 is not used', async () => {
    const res = await h.get(path, { 'accept-encoding': 'br;q=0, gzip' })
    expect(res.headers.get('content-encoding')).toBe('gzip')
    expect(sameBytes(Bun.gunzipSync(await bytes(res)), identity)).toBe(true)
    const none = await h.get(path, { 'accept-encoding': 'br;q=0, gzip;q=0' })
    expect(none.headers.get('content-encoding')).toBeNull()
    expect(sameBytes(await bytes(none), identity)).toBe(true)
  })

  test('a tiny body (a one-model page) is not compressed', async () => {
    const tiny = '/v1/models?gateway=groq&limit=1'
    const plain = await bytes(await h.get(tiny))
    expect(plain.byteLength).toBeLessThan(1000)
    for (const ae of ['gzip', 'br', 'br, gzip']) {
      const res = await h.get(tiny, { 'accept-encoding': ae })
      expect(res.headers.get('content-encoding')).toBeNull()
      expect(sameBytes(await bytes(res), plain)).toBe(true)
    }
  })

  test('a 304 is the same whatever the encoding asked for', async () => {
    const etag = await etagOf(h, path)
    for (const ae of ['gzip', 'br', '']) {
      const res = await h.get(path, { 'accept-encoding': ae, 'if-none-match': etag })
      expect(res.status).toBe(304)
      expect(res.headers.get('etag')).toBe(etag)
    }
  })
})

describe('catalog versions', () => {
  test('a refresh that changes the catalog: new X-Catalog-Version, new ETag, the old ETag → 200', async () => {
    const u = capturedUpstream()
    const hh = makeHarness({ toml: capturedToml(u.url) })
    try {
      await hh.worker.refresh()
      const before = await hh.get('/v1/models')
      const oldTag = before.headers.get('etag')!
      const oldVersion = before.headers.get('x-catalog-version')!
      const oldGroq = await etagOf(hh, '/v1/models?gateway=groq')
      const oldTogether = await etagOf(hh, '/v1/models?gateway=together')
      const oldRetrieve = await etagOf(hh, '/v1/models/meta/llama-3.3-70b-instruct')

      u.replay(`${GROQ}/models`, 'groq/groq_models_2025-10-05.json')
      await Bun.sleep(1010 - (Date.now() % 1000)) // last_seen_at is in seconds: the next refresh falls in a later second
      await hh.worker.refresh({ providers: ['groq'] })
      const after = await hh.get('/v1/models', { 'if-none-match': oldTag })
      expect(after.status).toBe(200)
      expect(after.headers.get('x-catalog-version')).not.toBe(oldVersion)
      expect(Number(after.headers.get('x-catalog-version'))).toBeGreaterThan(Number(oldVersion))
      expect(after.headers.get('etag')).not.toBe(oldTag)
      const ids = ((await after.json()) as { data: { id: string }[] }).data.map((m) => m.id)
      expect(ids).toContain('groq/whisper-large-v3')
      expect(ids).not.toContain('groq/openai/gpt-oss-safeguard-20b')

      const groq = await hh.get('/v1/models?gateway=groq', { 'if-none-match': oldGroq })
      expect(groq.status).toBe(200)
      expect(groq.headers.get('etag')).not.toBe(oldGroq)
      // a model whose offerings did not change: only its last_seen_at moved with the new version
      const retrieve = await hh.get('/v1/models/meta/llama-3.3-70b-instruct', { 'if-none-match': oldRetrieve })
      expect(retrieve.status).toBe(200)
      const fresh = (await retrieve.json()) as Record<string, unknown>
      expect(fresh.last_seen_at).not.toBeNull()
      // an answer the change did not touch keeps its (content) ETag: clients revalidate it with a 304
      const together = await hh.get('/v1/models?gateway=together', { 'if-none-match': oldTogether })
      expect(together.status).toBe(304)
      expect(together.headers.get('x-catalog-version')).toBe(after.headers.get('x-catalog-version'))
    } finally {
      await hh.close()
      u.stop()
    }
  })

  test('the same catalog gives the same ETag and bytes across a restart on the same DB', async () => {
    const u = capturedUpstream()
    let hh = makeHarness({ toml: capturedToml(u.url) })
    const dir = hh.dir
    try {
      await hh.worker.refresh()
      const paths = ['/v1/models', '/v1/models?unique=true', '/v1/models?sort=prompt_price&limit=50', '/v1/models/meta/llama-3.3-70b-instruct']
      const before = await Promise.all(
        paths.map(async (p) => {
          const r = await hh.get(p)
          return { etag: r.headers.get('etag'), body: await bytes(r), version: r.headers.get('x-catalog-version') }
        }),
      )
      await hh.close(false)
      hh = makeHarness({ toml: capturedToml(u.url), dir })
      for (const [i, p] of paths.entries()) {
        const r = await hh.get(p)
        expect([p, r.headers.get('etag')]).toEqual([p, before[i]!.etag])
        expect(r.headers.get('x-catalog-version')).toBe(before[i]!.version)
        expect(sameBytes(await bytes(r), before[i]!.body)).toBe(true)
        expect((await hh.get(p, { 'if-none-match': before[i]!.etag! })).status).toBe(304)
      }
    } finally {
      await hh.close(true)
      u.stop()
    }
  })

  test('the same catalog in another database (as a replica applies it) gives the same bytes and ETag', async () => {
    // Independent databases are not the same catalog: first_seen_at, last_seen_at and a missing `created`
    // come from each one's own refresh times. A replica holds the leader's snapshot: the same catalog.
    const u = capturedUpstream()
    const a = makeHarness({ toml: capturedToml(u.url), dir: tempDir() })
    const b = makeHarness({ toml: capturedToml(u.url), dir: tempDir() })
    try {
      expect(a.dir).not.toBe(b.dir)
      await a.worker.refresh()
      applySnapshot(b.store, exportSnapshot(a.store).data)
      for (const p of ['/v1/models', '/v1/models?gateway=groq', '/v1/models?unique=true', '/v1/models/groq/llama-3.3-70b-versatile']) {
        const [ra, rb] = [await a.get(p), await b.get(p)]
        expect(ra.status).toBe(200)
        expect([p, ra.headers.get('etag'), ra.headers.get('x-catalog-version')]).toEqual([p, rb.headers.get('etag'), rb.headers.get('x-catalog-version')])
        expect(sameBytes(await bytes(ra), await bytes(rb))).toBe(true)
      }
    } finally {
      await a.close(true)
      await b.close(true)
      u.stop()
    }
  })
})
