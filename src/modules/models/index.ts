import { Elysia } from 'elysia'
import { z } from 'zod'
import { ErrorBody } from '../../http/errors'
import { CanonicalModel, ListModelsQuery, Model, ModelList } from './model'
import type { ModelsService } from './service'

const json = (body: string, version: number) =>
  new Response(body, { headers: { 'content-type': 'application/json', 'x-catalog-version': String(version) } })

export const modelsModule = (service: ModelsService) =>
  new Elysia({ name: 'models', prefix: '/v1/models' })
    .get(
      '',
      ({ query }) => {
        const { body, version } = service.listBody(query)
        return json(body, version)
      },
      {
        query: ListModelsQuery,
        response: { 200: ModelList, 400: ErrorBody },
        detail: {
          tags: ['models'],
          summary: 'List models',
          description:
            'One entry per provider × model, ordered by id. Without `limit` every model is returned; with `limit`/`offset` the body also carries `total` and `has_more`.',
        },
      },
    )
    .get(
      '/*',
      ({ params }) => {
        const model = service.retrieve(decodeURIComponent(params['*']))
        return new Response(JSON.stringify(model), { headers: { 'content-type': 'application/json' } })
      },
      {
        params: z.object({ '*': z.string().describe('A model id, e.g. `groq/llama-3.1-8b-instant` (slashes allowed)') }),
        response: { 200: z.union([Model, CanonicalModel]), 404: ErrorBody },
        detail: { tags: ['models'], summary: 'Retrieve a model', description: 'The same object as in the list.' },
      },
    )
