import { createHash, timingSafeEqual } from 'node:crypto'
import { Elysia } from 'elysia'
import { ApiError } from './errors'

const digest = (s: string) => createHash('sha256').update(s).digest()

/**
 * Bearer-token guard for /admin routes. Both sides are hashed first so the comparison is constant-time
 * whatever the lengths. Mounted only when MODELCAT_ADMIN_TOKEN is set (otherwise /admin/* is a 404).
 * It runs at `transform`, before Elysia validates the query, params or body: an unauthenticated client
 * learns nothing about a route's parameters (401, never a 400 naming one).
 */
export const adminAuth = (token: string) => {
  const expected = digest(token)
  return new Elysia({ name: 'admin-auth' }).onTransform({ as: 'scoped' }, ({ request }) => {
    const header = request.headers.get('authorization') ?? ''
    const given = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim() ?? ''
    if (!given || !timingSafeEqual(digest(given), expected)) {
      throw new ApiError(401, given ? 'invalid admin token' : 'missing admin token: send Authorization: Bearer <MODELCAT_ADMIN_TOKEN>', {
        code: 'unauthorized',
        headers: { 'www-authenticate': 'Bearer realm="modelcat-admin"' },
      })
    }
  })
}
