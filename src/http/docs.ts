import { openapi } from '@elysiajs/openapi'
import { Elysia } from 'elysia'
import uiBundle from 'swagger-ui-dist/swagger-ui-bundle.js' with { type: 'file' }
import uiCss from 'swagger-ui-dist/swagger-ui.css' with { type: 'file' }
import { z } from 'zod'
import pkg from '../../package.json'

/**
 * Swagger UI at /swagger and the OpenAPI document at /swagger/json, with the UI's assets served by
 * the service itself (a sidecar often has no internet). `paths` documents routes the generator cannot
 * (a wildcard, a path with a dot): each feature module declares its own. A factory: one shared plugin instance breaks
 * the next app built in the same process.
 */
export const docs = (paths: Record<string, unknown> = {}) =>
  new Elysia({ name: 'docs' })
    // the generator inlines each zod schema with its own `$defs`; clients need them shared from the root
    .onAfterHandle(({ path, responseValue }) =>
      path === '/swagger/json' && responseValue && typeof responseValue === 'object' && !(responseValue instanceof Response) ? shareSchemas(responseValue as Record<string, unknown>) : undefined,
    )
    .use(
      openapi({
        path: '/swagger',
        specPath: '/swagger/json',
        provider: 'swagger-ui',
        swagger: { cdn: '/swagger/assets/swagger-ui-bundle.js', theme: '/swagger/assets/swagger-ui.css' } as never,
        // The retrieve route is a wildcard (ids contain slashes); it is documented by hand as {id}, which
        // Swagger UI sends percent-encoded and the route decodes.
        exclude: { paths: ['/swagger/assets/swagger-ui-bundle.js', '/swagger/assets/swagger-ui.css', '/v1/models/*'] },
        documentation: {
          info: {
            title: 'modelcat',
            version: pkg.version,
            description:
              "Every provider's model list, refreshed in the background and served from a local SQLite catalog. " +
              'Prices are decimal strings in USD per token (per request for `request`, per image for `image`).',
          },
          components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'MODELCAT_ADMIN_TOKEN' } } },
          paths: paths as never,
          tags: [
            { name: 'models', description: 'The catalog (OpenAI-compatible)' },
            { name: 'providers', description: 'Upstream providers and their refresh state' },
            { name: 'changes', description: 'What appeared, vanished or changed, and when' },
            { name: 'health', description: 'Liveness and readiness' },
            { name: 'admin', description: 'Operations (Bearer MODELCAT_ADMIN_TOKEN)' },
            { name: 'quotes', description: 'The exact cost of a request on every offering' },
            { name: 'exports', description: 'The catalog in the formats other tools read (LiteLLM, models.dev)' },
            { name: 'openrouter', description: "OpenRouter's own path and list schema" },
          ],
        },
      }),
    )
    .get('/swagger/assets/swagger-ui-bundle.js', () => new Response(Bun.file(uiBundle), { headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=86400' } }), {
      detail: { hide: true },
    })
    // Swagger UI's page names no icon: a browser asks for /favicon.ico, and a 404 is an error in its console
    .get('/favicon.ico', () => new Response(null, { status: 204, headers: { 'cache-control': 'public, max-age=86400' } }), { detail: { hide: true } })
    .get('/swagger/assets/swagger-ui.css', () => new Response(Bun.file(uiCss), { headers: { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=86400' } }), {
      detail: { hide: true },
    })

/** An OpenAPI response object whose JSON body follows `schema`. */
export const jsonResponse = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema: z.toJSONSchema(schema) as object } } })

/** A schema object's shared definitions move to `components/schemas`; refs to them are rewritten to match. */
const DEFS = '#/$defs/'
const COMPONENTS = '#/components/schemas/'

/**
 * The OpenAPI document with every zod `$defs` (nested anywhere: a schema generated on its own carries its
 * definitions inside) hoisted into `components/schemas`, and every `#/$defs/X` ref pointing there: refs
 * that resolve from the document root, as OpenAPI 3.1 clients and generators resolve them. Idempotent.
 */
export function shareSchemas<T extends Record<string, unknown>>(doc: T): T {
  const out = structuredClone(doc) as Record<string, unknown> & { components?: { schemas?: Record<string, unknown> } }
  out.components ??= {}
  const shared = (out.components.schemas ??= {})
  const visit = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(visit)
    if (!v || typeof v !== 'object') return v
    const o: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k === '$defs' && x && typeof x === 'object') {
        for (const [name, def] of Object.entries(x as Record<string, unknown>)) if (!(name in shared)) shared[name] = visit(def)
      } else if (k === '$ref' && typeof x === 'string' && x.startsWith(DEFS)) o[k] = COMPONENTS + x.slice(DEFS.length)
      else if (k === '$schema') continue
      else o[k] = visit(x)
    }
    return o
  }
  const { components, ...rest } = out
  const visited = visit(rest) as Record<string, unknown>
  const { schemas: _s, ...otherComponents } = components
  return { ...visited, components: { ...(visit(otherComponents) as object), schemas: Object.fromEntries(Object.entries(shared).map(([k, v]) => [k, visit(v)])) } } as unknown as T
}
