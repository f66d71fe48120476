import { Elysia } from 'elysia'
import { z } from 'zod'
import { toChange } from '../../catalog/change-view'
import type { CatalogStore } from '../../catalog/store'
import { CachedBody } from '../../serving/cached-body'
import { ApiError, ErrorBody } from '../../http/errors'
import { commaList } from '../../http/query'
import type { ResolvedProvider } from '../../config'
import { resolveGateways } from '../../http/gateways'
import { ChangeType } from '../../domain/vocabulary'

const ChangesQuery = z.object({
  since: z.string().max(64).optional().describe('A catalog version (integer: changes after it) or an RFC 3339 time (changes after it)'),
  gateway: commaList('Provider ids or aliases (comma-separated); default all'),
  type: ChangeType.optional().describe('Only this kind of change'),
  limit: z.coerce.number().int().min(1).max(1000).optional().describe('Page size (default 100)'),
  cursor: z.string().max(200).optional().describe('`next_cursor` of the previous page'),
})

const Change = z
  .object({
    id: z.number().int(),
    type: ChangeType,
    catalog_version: z.number().int(),
    at: z.string(),
    provider: z.string(),
    model: z.string().describe('The offering id'),
    canonical_id: z.string(),
    name: z.string(),
    detail: z.record(z.string(), z.unknown()).describe('added/removed: prices and context length; changed: { field: { from, to } } for pricing, context_length, input/output modalities, deprecation'),
  })
  .meta({ id: 'Change' })

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!)

/** A path of this service as a link: under the configured public URL, else relative (never from the request's Host). */
const linkTo = (publicUrl: string | undefined, path: string) => `${publicUrl ?? ''}${path}`
/** A model id as a path: each segment percent-encoded, its slashes kept (the retrieve route decodes). */
const modelPath = (id: string) => `/v1/models/${id.split('/').map(encodeURIComponent).join('/')}`

/**
 * GET /v1/changes (JSON, chronological, paged by cursor) and /v1/changes.atom (new models, for feed
 * readers). The feed is built once per catalog generation and served like every cached answer (ETag,
 * 304, Cache-Control, Vary, gzip/br); its links come from `publicUrl` (config `http.public_url`).
 */
export const changesModule = (store: CatalogStore, providers: ResolvedProvider[], publicUrl?: string) => {
  let cached: { generation: number; body: CachedBody } | undefined
  const feed = (): CachedBody => {
    if (cached?.generation === store.generation) return cached.body
    const generation = store.generation
    const rows = store.latestChanges('added', 100)
    const updated = new Date(rows[0]?.at ?? store.updatedAt ?? 0).toISOString()
    const entries = rows
      .map((r) => {
        const c = toChange(r)
        return `  <entry>
    <id>urn:modelcat:change:${c.id}</id>
    <title>${escapeXml(`New model: ${c.name} (${c.provider})`)}</title>
    <updated>${c.at}</updated>
    <link href="${escapeXml(linkTo(publicUrl, modelPath(c.model)))}"/>
    <category term="${escapeXml(c.provider)}"/>
    <summary>${escapeXml(`${c.model} — canonical ${c.canonical_id}; pricing ${JSON.stringify(c.detail.pricing ?? {})} USD per token; context ${c.detail.context_length ?? 'unknown'}`)}</summary>
  </entry>`
      })
      .join('\n')
    const xml = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>urn:modelcat:new-models</id>
  <title>modelcat: new models</title>
  <updated>${updated}</updated>
  <link rel="self" href="${escapeXml(linkTo(publicUrl, '/v1/changes.atom'))}"/>
${entries}
</feed>
`
    const body = new CachedBody(xml, store.version, new Date(store.updatedAt || 0), undefined, 'application/atom+xml; charset=utf-8')
    cached = { generation, body }
    return body
  }
  const since = (value: string | undefined): { sinceVersion?: number; sinceTime?: number } => {
    if (value === undefined) return {}
    if (/^\d+$/.test(value)) return { sinceVersion: Number(value) }
    const t = Date.parse(value)
    if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(t))
      throw new ApiError(400, "invalid value for parameter 'since': a catalog version or an RFC 3339 time", { param: 'since', code: 'invalid_parameter' })
    return { sinceTime: t }
  }
  const afterId = (cursor: string | undefined): number | undefined => {
    if (cursor === undefined) return undefined
    const id = Number(Buffer.from(cursor, 'base64url').toString('utf8').replace(/^c:/, ''))
    if (!Number.isSafeInteger(id)) throw new ApiError(400, "invalid 'cursor': pass next_cursor as it is", { param: 'cursor', code: 'invalid_parameter' })
    return id
  }
  return new Elysia({ name: 'changes' })
    .get(
      '/v1/changes',
      ({ query }) => {
        const selected = query.gateway ? resolveGateways(providers, query.gateway) : undefined
        const limit = query.limit ?? 100
        const rows = store.listChanges({ ...since(query.since), afterId: afterId(query.cursor), providers: selected, type: query.type, limit: limit + 1 })
        const more = rows.length > limit
        if (more) rows.pop()
        const last = rows[rows.length - 1]
        return { object: 'list' as const, data: rows.map(toChange), has_more: more, next_cursor: more && last ? Buffer.from(`c:${last.id}`).toString('base64url') : null }
      },
      {
        query: ChangesQuery,
        response: { 200: z.object({ object: z.literal('list'), data: z.array(Change), has_more: z.boolean(), next_cursor: z.string().nullable() }), 400: ErrorBody },
        detail: { tags: ['changes'], summary: 'Catalog changes', description: 'What each refresh added, removed or changed (prices, context length, modalities, deprecation), oldest first.' },
      },
    )
    .get('/v1/changes.atom', ({ request }) => feed().respond(request), {
      detail: { tags: ['changes'], summary: 'New models (Atom feed)', description: 'The 100 latest models that appeared in the catalog, for feed readers.' },
    })
}

// the generator leaves out paths with a dot: documented by hand
export const changesDocPaths = {
  '/v1/changes.atom': {
    get: {
      tags: ['changes'],
      summary: 'New models (Atom feed)',
      description: 'The 100 latest models that appeared in the catalog, as an Atom feed for feed readers.',
      operationId: 'newModelsFeed',
      responses: { 200: { description: 'Atom feed', content: { 'application/atom+xml': { schema: { type: 'string' as const } } } } },
    },
  },
}
