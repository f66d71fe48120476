import { Elysia } from 'elysia'
import { z } from 'zod'
import { BuildRefused } from '../serving/answer-cache'

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

/** Maps every error Elysia or a handler raises to the one shape; registered once, globally. */
export const errorHandler = () =>
  new Elysia({ name: 'error-handler' }).error({ ApiError }).onError({ as: 'global' }, ({ code, error, request }) => {
    if (code === 'ApiError') return error.toResponse()
    if (error instanceof BuildRefused) {
      // admission control (src/serving/answer-cache.ts): an uncached answer past the build budget
      return errorResponse(503, `${error.message}; retry after ${error.retryAfterSeconds} s (cached answers are served meanwhile)`, {
        code: 'overloaded',
        headers: { 'retry-after': String(error.retryAfterSeconds) },
      })
    }
    if (code === 'VALIDATION') {
      const first = (error as unknown as { all?: { path?: string | string[]; message?: string }[] }).all?.[0]
      const param = Array.isArray(first?.path) ? first.path.join('.') : (first?.path ?? '').replace(/^\//, '') || null
      const message = param ? `invalid value for parameter '${param}': ${first?.message ?? 'invalid'}` : `invalid request: ${first?.message ?? error.message}`
      return errorResponse(400, message, { param, code: 'invalid_parameter' })
    }
    if (code === 'NOT_FOUND') return errorResponse(404, `no route for ${request.method} ${new URL(request.url).pathname}`, { code: 'not_found' })
    if (code === 'PARSE') return errorResponse(400, 'malformed request body', { code: 'invalid_body' })
    console.error(error)
    return errorResponse(500, 'internal error', { code: 'internal_error' })
  })
