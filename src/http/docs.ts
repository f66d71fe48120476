import { openapi } from '@elysiajs/openapi'
import { Elysia } from 'elysia'
import uiBundle from 'swagger-ui-dist/swagger-ui-bundle.js' with { type: 'file' }
import uiCss from 'swagger-ui-dist/swagger-ui.css' with { type: 'file' }
import { z } from 'zod'
import pkg from '../../package.json'
import { CanonicalModel, Model } from '../modules/models/model'
import { ErrorBody } from './errors'

/**
 * Swagger UI at /swagger and the OpenAPI document at /swagger/json, with the UI's assets served by
 * the service itself (a sidecar often has no internet). A factory: one shared plugin instance breaks
 * the next app built in the same process.
 */
export const docs = () =>
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
              'Every provider\'s model list, refreshed in the background and served from a local SQLite catalog. ' +
              'Prices are decimal strings in USD per token (per request for `request`, per image for `image`).',
          },
          components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'MODELCAT_ADMIN_TOKEN' } } },
          paths: { '/v1/models/{id}': { get: retrieveDoc }, '/v1/changes.atom': { get: atomDoc } },
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
    .get('/swagger/assets/swagger-ui-bundle.js', () => new Response(Bun.file(uiBundle), { headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=86400' } }), { detail: { hide: true } })
    .get('/swagger/assets/swagger-ui.css', () => new Response(Bun.file(uiCss), { headers: { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=86400' } }), { detail: { hide: true } })

const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema: z.toJSONSchema(schema) as object } } })

const retrieveDoc = {
  tags: ['models'],
  summary: 'Retrieve a model',
  description:
    'An offering id (`groq/llama-3.3-70b-versatile`): the same object as in the list, plus `providers` (every offering of the same underlying model). A canonical id (`meta/llama-3.3-70b-instruct`): the canonical model with all its offerings, as in `unique=true`. Ids contain slashes: send them as they are or percent-encoded.',
  operationId: 'retrieveModel',
  parameters: [{ name: 'id', in: 'path' as const, required: true, schema: { type: 'string' as const }, description: 'e.g. `groq/llama-3.1-8b-instant`' }],
  responses: { 200: json(z.union([Model, CanonicalModel]), 'The model'), 404: json(ErrorBody, 'Neither an offering id nor a canonical id') },
}

// the generator leaves out paths with a dot: documented by hand
const atomDoc = {
  tags: ['changes'],
  summary: 'New models (Atom feed)',
  description: 'The 100 latest models that appeared in the catalog, as an Atom feed for feed readers.',
  operationId: 'newModelsFeed',
  responses: { 200: { description: 'Atom feed', content: { 'application/atom+xml': { schema: { type: 'string' as const } } } } },
}
