import { afterAll, describe, expect, test } from 'bun:test'
import { gunzipSync } from 'node:zlib'
import { PAGE_CSP } from '../../src/modules/web'
import { makeHarness } from '../helpers/harness'

/** The page's files as the service serves them (in-process, through the front door): no browser needed. */
const h = makeHarness({ toml: '' })
afterAll(() => h.close())

const get = (path: string, headers: Record<string, string> = {}) => h.handler(new Request(`http://localhost${path}`, { headers }))

/** Total JavaScript the page loads, gzipped, at most this (issue 19). */
const JS_BUDGET_GZIP = 60 * 1024

describe('the page at /', () => {
  test('/ is HTML with a CSP that keeps every request on this host; it names its assets by content', async () => {
    const res = await get('/', { accept: 'text/html' })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(res.headers.get('content-security-policy')).toBe(PAGE_CSP)
    for (const directive of ["default-src 'none'", "script-src 'self'", "connect-src 'self'", "style-src 'self'"]) expect(PAGE_CSP).toContain(directive)
    expect(PAGE_CSP).not.toContain('http')
    const html = await res.text()
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)
    expect(assets).toContain(assets.find((a) => a.startsWith('/assets/app.js?v='))!)
    expect(assets).toContain(assets.find((a) => a.startsWith('/assets/app.css?v='))!)
    // nothing from another host: every link and script is a path of this service (or a data: icon)
    expect(assets.filter((a) => !a.startsWith('/') && !a.startsWith('#') && !a.startsWith('data:'))).toEqual([])
    // the catalog version header of API answers does not apply to the page's files
    expect(res.headers.get('x-catalog-version')).toBeNull()
  })

  test('the assets: strong ETag, 304 on revalidation, gzip and br; the JS within budget', async () => {
    for (const [path, type] of [
      ['/assets/app.js', 'text/javascript; charset=utf-8'],
      ['/assets/app.css', 'text/css; charset=utf-8'],
      ['/', 'text/html; charset=utf-8'],
    ] as const) {
      const plain = await get(path)
      expect(plain.headers.get('content-type')).toBe(type)
      const etag = plain.headers.get('etag')!
      expect(etag).toMatch(/^"[\w-]{32}"$/) // strong: no W/
      expect((await get(path, { 'if-none-match': etag })).status).toBe(304)
      // a near miss: another tag is not a match
      expect((await get(path, { 'if-none-match': '"other"' })).status).toBe(200)
      const gz = await get(path, { 'accept-encoding': 'gzip' })
      const bytes = new Uint8Array(await plain.arrayBuffer())
      if (bytes.byteLength >= 1024) {
        expect(gz.headers.get('content-encoding')).toBe('gzip')
        expect(gunzipSync(new Uint8Array(await gz.arrayBuffer()))).toEqual(Buffer.from(bytes))
        expect((await get(path, { 'accept-encoding': 'br, gzip' })).headers.get('content-encoding')).toBe('br')
      }
      expect(plain.headers.get('vary')).toBe('Accept-Encoding')
    }
    const js = await get('/assets/app.js', { 'accept-encoding': 'gzip' })
    const size = (await js.arrayBuffer()).byteLength
    console.log(`page JavaScript: ${size} bytes gzipped (budget ${JS_BUDGET_GZIP})`)
    expect(size).toBeLessThanOrEqual(JS_BUDGET_GZIP)
    expect(size).toBeGreaterThan(5000) // the real bundle (Preact and the views), not an empty file
  })

  test('the asset URL in the HTML changes with the content (the ETag is in it)', async () => {
    const html = await (await get('/')).text()
    const js = await get('/assets/app.js')
    const tag = js.headers.get('etag')!.replaceAll('"', '').slice(0, 16)
    expect(html).toContain(`/assets/app.js?v=${tag}`)
  })

  test('the JSON API is unchanged: unknown paths still answer the JSON error, /v1/models JSON', async () => {
    const miss = await get('/nothing-here', { accept: 'text/html' })
    expect(miss.status).toBe(404)
    expect(miss.headers.get('content-type')).toContain('application/json')
    expect((await get('/v1/models')).headers.get('content-type')).toContain('application/json')
  })

  test('Swagger documents the API only: no page route in the OpenAPI document', async () => {
    const spec = (await (await get('/swagger/json')).json()) as { paths: Record<string, unknown> }
    expect(Object.keys(spec.paths)).not.toContain('/')
    expect(Object.keys(spec.paths).filter((p) => p.startsWith('/assets'))).toEqual([])
    expect(Object.keys(spec.paths)).toContain('/v1/models')
  })

  test('requests for the page are counted under their own route labels, not `other`', async () => {
    await get('/')
    const text = await h.metrics.registry.metrics()
    expect(text).toMatch(/route="\/",method="GET",status="200"/)
  })
})
