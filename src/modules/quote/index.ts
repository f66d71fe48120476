import { Elysia } from 'elysia'
import { z } from 'zod'
import { ErrorBody } from '../../http/errors'
import { Quote, QuoteBatch, QuoteList, QuoteRequest } from './model'
import type { QuoteService } from './service'

const DESCRIPTION = `The exact cost of a request on every offering of a model (a canonical id), or on the one offering named (an offering id): per offering, the total as a decimal string in USD and its line items (which price, which tier applied and why), the parts that could not be priced (\`variable\` or \`unknown\`: reported, never counted as 0) and whether the request fits the context and output limits. Sorted cheapest first; \`cheapest\` names the cheapest fully priced offering that fits.

Batch: a JSON array of 1–100 quote requests answers \`{ "object": "list", "data": [ quote, … ] }\` in order. Exact decimal arithmetic, no floats. CORS-open like the other public routes (it reads public data and changes nothing).`

export const quoteModule = (service: QuoteService) =>
  new Elysia({ name: 'quote' }).post('/v1/quote', ({ body }) => service.answer(body), {
    response: { 200: z.union([Quote, QuoteList]), 400: ErrorBody, 404: ErrorBody },
    detail: {
      tags: ['quotes'],
      summary: 'Quote a request on every offering',
      description: DESCRIPTION,
      operationId: 'quote',
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: z.toJSONSchema(z.union([QuoteRequest, QuoteBatch]), { io: 'input', unrepresentable: 'any' }),
            examples: {
              single: { summary: 'One request, every offering of a model', value: (QuoteRequest.meta() as { examples: unknown[] }).examples[0] },
              offering: { summary: '1000 requests on one offering', value: (QuoteRequest.meta() as { examples: unknown[] }).examples[1] },
              batch: { summary: 'A batch (an array)', value: (QuoteBatch.meta() as { examples: unknown[] }).examples[0] },
            },
          },
        },
      } as never,
    },
  })
