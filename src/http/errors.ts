import { z } from 'zod'

/** The one error shape (OpenAI's), for every 4xx and 5xx. */
export const ErrorBody = z
  .object({
    error: z.object({
      message: z.string(),
      type: z.string().describe('invalid_request_error | authentication_error | not_found_error | server_error | service_unavailable_error'),
      param: z.string().nullable().describe('the query parameter at fault, when one is'),
      code: z.string().nullable(),
    }),
  })
  .meta({ id: 'Error' })
export type ErrorBody = z.infer<typeof ErrorBody>

const TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
  503: 'service_unavailable_error',
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly opts: { param?: string | null; code?: string | null; headers?: Record<string, string> } = {},
  ) {
    super(message)
    this.name = 'ApiError'
  }

  toResponse(): Response {
    return errorResponse(this.status, this.message, this.opts)
  }
}

export function errorResponse(status: number, message: string, opts: { param?: string | null; code?: string | null; headers?: Record<string, string> } = {}): Response {
  const body: ErrorBody = {
    error: { message, type: TYPE_BY_STATUS[status] ?? (status >= 500 ? 'server_error' : 'invalid_request_error'), param: opts.param ?? null, code: opts.code ?? null },
  }
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...opts.headers },
  })
}
