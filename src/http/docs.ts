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
          ],
        },
      }),
    )
    .get('/swagger/assets/swagger-ui-bundle.js', () => new Response(Bun.file(uiBundle), { headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=86400' } }), {
      detail: { hide: true },
    })
    .get('/swagger/assets/swagger-ui.css', () => new Response(Bun.file(uiCss), { headers: { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=86400' } }), {
      detail: { hide: true },
    })

/** An OpenAPI response object whose JSON body follows `schema`. */
export const jsonResponse = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema: z.toJSONSchema(schema) as object } } })
