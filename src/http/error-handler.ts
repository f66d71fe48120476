import { Elysia } from 'elysia'
import { BuildRefused } from '../serving/answer-cache'
import { ApiError, errorResponse } from './errors'

/**
 * The app's error plugin (errors.ts holds the shape and ApiError, which services below the app throw; this file
 * is the part that needs Elysia, so the refresh thread, which builds the hot views, loads no Elysia).
 */
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
