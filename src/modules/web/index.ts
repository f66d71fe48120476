import { Elysia } from 'elysia'
import { CachedBody } from '../../serving/cached-body'
import { pageAssets } from './assets.macro' with { type: 'macro' }

/**
 * Nothing the page loads may come from elsewhere (no CDN, no fonts), and it talks to this service's
 * public API only: the browser enforces both.
 */
export const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

/** The page's three files, bundled at build time, each a CachedBody (strong ETag, 304, gzip/br once). */
function buildBodies() {
  const assets = pageAssets()
  const started = new Date()
  const js = new CachedBody(assets.js, 0, started, undefined, 'text/javascript; charset=utf-8')
  const css = new CachedBody(assets.css, 0, started, undefined, 'text/css; charset=utf-8')
  // the asset URLs carry their ETag, so a new build is fetched at once, never mixed with a cached old one
  const tag = (b: CachedBody) => encodeURIComponent(b.etag.replaceAll('"', '').slice(0, 16))
  const html = new CachedBody(assets.html.replace('%JS%', `/assets/app.js?v=${tag(js)}`).replace('%CSS%', `/assets/app.css?v=${tag(css)}`), 0, started, undefined, 'text/html; charset=utf-8')
  return { js, css, html }
}

/** Headers of the page's answers: no catalog version (the files do not follow the catalog); the CSP on the HTML. */
function finish(response: Response, html: boolean): Response {
  response.headers.delete('x-catalog-version')
  response.headers.delete('access-control-allow-origin')
  response.headers.delete('access-control-expose-headers')
  if (html) {
    response.headers.set('content-security-policy', PAGE_CSP)
    response.headers.set('referrer-policy', 'no-referrer')
  }
  return response
}
const send = (body: CachedBody, request: Request, html = false) => {
  const r = body.respond(request)
  return r instanceof Response ? finish(r, html) : r.then((x) => finish(x, html))
}

/**
 * The catalog page at `/`: a client of the public API (/v1/models, /v1/providers, /v1/changes), its
 * state in the URL's query. Hidden from the OpenAPI document, which describes the API only.
 */
export const webModule = () => {
  const bodies = buildBodies()
  return new Elysia({ name: 'web' })
    .get('/', ({ request }) => send(bodies.html, request, true), { detail: { hide: true } })
    .get('/assets/app.js', ({ request }) => send(bodies.js, request), { detail: { hide: true } })
    .get('/assets/app.css', ({ request }) => send(bodies.css, request), { detail: { hide: true } })
}
