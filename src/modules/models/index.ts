import { Elysia } from 'elysia'
import { z } from 'zod'
import { jsonResponse } from '../../http/docs'
import { ApiError, ErrorBody } from '../../http/errors'
import { CanonicalModel, ListModelsQuery, Model, ModelList } from './model'
import type { ModelsService } from './service'
import { StreamedBody } from '../../serving/streamed-body'

/** The id of the path, percent-decoded (Swagger UI encodes its slashes); a malformed escape is no id: 404. */
function decodeId(raw: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    throw new ApiError(404, `model '${raw}' not found: malformed percent-encoding`, { param: 'id', code: 'model_not_found' })
  }
}

export const modelsModule = (service: ModelsService) =>
  new Elysia({ name: 'models', prefix: '/v1/models' })
    .onRequest(({ request }) => service.answers.fastPath(request))
    .get(
      '',
      ({ query, request }) => {
        const answer = () => {
          const body = service.answer(query)
          // a streamed answer is not held: its query string is not remembered either
          if (!(body instanceof StreamedBody)) service.answers.remember(request, body)
          return body.respond(request)
        }
        // synchronous unless the build budget refuses (then a brief wait, or 503 + Retry-After)
        return service.answers.orWait(answer)
      },
      {
        query: ListModelsQuery,
        response: { 200: ModelList, 400: ErrorBody, 503: ErrorBody },
        detail: {
          tags: ['models'],
          summary: 'List models',
          description: 'One entry per provider × model, ordered by id. Without `limit` every model is returned; with `limit`/`offset` the body also carries `total` and `has_more`.',
        },
      },
    )
    // HEAD answers from the answer's headers and length: Elysia's own HEAD would make the whole body to count it
    // (a streamed answer made, a streamed full list inflated, just for its length)
    .head('', ({ query, request }) => service.answers.orWait(() => service.answer(query).head(request)), { query: ListModelsQuery, detail: { hide: true } })
    .get('/*', ({ params, request }) => service.answers.orWait(() => service.retrieve(decodeId(params['*'])).respond(request)), {
      params: z.object({ '*': z.string().describe('A model id, e.g. `groq/llama-3.1-8b-instant` (slashes allowed)') }),
      response: { 200: z.union([Model, CanonicalModel]), 404: ErrorBody, 503: ErrorBody },
      detail: { tags: ['models'], summary: 'Retrieve a model', description: 'The same object as in the list.' },
    })

/** The retrieve route is a wildcard (ids contain slashes): documented by hand as {id} (Swagger UI sends it percent-encoded). */
export const modelsDocPaths = {
  '/v1/models/{id}': {
    get: {
      tags: ['models'],
      summary: 'Retrieve a model',
      description:
        'An offering id (`groq/llama-3.3-70b-versatile`): the same object as in the list, plus `providers` (every offering of the same underlying model). A canonical id (`meta/llama-3.3-70b-instruct`): the canonical model with all its offerings, as in `unique=true`. Ids contain slashes: send them as they are or percent-encoded.',
      operationId: 'retrieveModel',
      parameters: [{ name: 'id', in: 'path' as const, required: true, schema: { type: 'string' as const }, description: 'e.g. `groq/llama-3.1-8b-instant`' }],
      responses: {
        200: jsonResponse(z.union([Model, CanonicalModel]), 'The model'),
        404: jsonResponse(ErrorBody, 'Neither an offering id nor a canonical id'),
        503: jsonResponse(ErrorBody, 'Not cached and the build budget is spent: retry after Retry-After seconds'),
      },
    },
  },
}
