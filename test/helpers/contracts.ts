import { brotliDecompressSync, gunzipSync } from 'node:zlib'

/**
 * Response contracts: every answer a test gets is checked against the schema its route declares
 * (`response: { <status>: schema }` in the Elysia hooks), whoever built it — an Elysia handler, the
 * hot path's prebuilt bytes (answered before routing), or a body built on the refresh thread. Elysia
 * itself validates only the plain values a handler returns, never a Response, so these checks are
 * the only ones those bytes get.
 */

/** What the check needs of a schema: zod's safeParse, or any Standard Schema (synchronous). */
interface Schema {
  safeParse?: (v: unknown) => { success: boolean; error?: { issues: Issue[] } }
  '~standard'?: { validate(v: unknown): { issues?: readonly Issue[] } | Promise<unknown> }
}
interface Issue {
  path?: readonly (PropertyKey | { key: PropertyKey })[]
  message: string
  /** zod's invalid_union: the issues of each alternative */
  errors?: readonly (readonly Issue[])[]
}
/** The part of an Elysia route the check reads (`app.routes`). */
export interface RouteLike {
  method: string
  path: string
  hooks?: { response?: unknown }
}

/** Bodies (by ETag, else by content hash) already found valid, per schema: the same bytes are validated once. */
const valid = new WeakMap<object, Set<string>>()
/** Cap of that memo per schema; past it the memo starts over (a long suite stays bounded). */
const MAX_MEMO_PER_SCHEMA = 10_000
/** Cap on the issues quoted in a failure. */
const MAX_ISSUES_SHOWN = 8

type Kind = 0 | 1 | 2 // static, :param, * — Elysia's router prefers them in this order
interface Compiled {
  route: RouteLike
  re: RegExp
  kinds: Kind[]
}
const compiled = new WeakMap<readonly RouteLike[], Compiled[]>()

/**
 * A route path in Elysia's syntax as a RegExp: `:name` one non-empty segment, `:name?` an optional one,
 * `*` the rest (also empty). Like Elysia without `strictPath`, a trailing slash matches the route without it.
 */
export function compileRoute(path: string): { re: RegExp; kinds: Kind[] } {
  const kinds: Kind[] = []
  let re = ''
  const segments = path.split('/').slice(1)
  for (const s of segments) {
    if (s === '*') {
      kinds.push(2)
      re += '/.*'
    } else if (s.startsWith(':') && s.endsWith('?')) {
      kinds.push(1)
      re += '(?:/[^/]+)?'
    } else if (s.startsWith(':')) {
      kinds.push(1)
      re += '/[^/]+'
    } else {
      if (s.includes('*') || s.includes(':')) throw new Error(`contract check: unsupported route syntax '${path}'`)
      kinds.push(0)
      re += `/${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`
    }
  }
  const wildcard = kinds.at(-1) === 2
  return { re: new RegExp(`^${re || '/'}${wildcard ? '' : '/?'}$`), kinds }
}

/** Segment by segment: the first route with a more specific segment wins (static, then param, then wildcard). */
function moreSpecific(a: Kind[], b: Kind[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1)
    if (d) return d
  }
  return 0
}

/** The route of `routes` that serves (method, path) — path without its query — or undefined. */
export function findRoute(routes: readonly RouteLike[], method: string, path: string): RouteLike | undefined {
  let table = compiled.get(routes)
  if (!table) compiled.set(routes, (table = routes.map((route) => ({ route, ...compileRoute(route.path) })).sort((a, b) => moreSpecific(a.kinds, b.kinds))))
  const pathname = path.split('?')[0]!.split('#')[0]!
  return table.find((c) => (c.route.method === method.toUpperCase() || c.route.method === 'ALL') && c.re.test(pathname))?.route
}

/** The schema a route declares for `status` (a single schema stands for 200). */
export function schemaOf(route: RouteLike, status: number): Schema | undefined {
  const response = route.hooks?.response as Record<string, Schema> | Schema | undefined
  if (!response || typeof response !== 'object') return undefined
  if ('~standard' in response || 'safeParse' in response) return status === 200 ? (response as Schema) : undefined
  return (response as Record<string, Schema>)[String(status)]
}

const issuesOf = (schema: Schema, value: unknown): readonly Issue[] => {
  if (schema.safeParse) {
    const r = schema.safeParse(value)
    return r.success ? [] : (r.error?.issues ?? [{ message: 'invalid' }])
  }
  const r = schema['~standard']!.validate(value)
  if (r instanceof Promise) throw new Error('contract check: asynchronous schemas are not supported')
  return r.issues ?? []
}

const pathOf = (base: string, i: Issue) => [base, ...(i.path ?? []).map((p) => String(typeof p === 'object' ? p.key : p))].filter(Boolean).join('.')
/** `path: message`; a union names what each alternative missed (nested paths in full). */
const describeIssue = (i: Issue, base = ''): string => {
  const at = pathOf(base, i)
  if (!i.errors?.length) return `${at || '(root)'}: ${i.message}`
  const alternatives = i.errors.map(
    (alt, n) =>
      `#${n + 1} ${alt
        .slice(0, MAX_ISSUES_SHOWN)
        .map((e) => describeIssue(e, at))
        .join(', ')}`,
  )
  return `${at || '(root)'}: no alternative of the union matches (${alternatives.join(' | ')})`
}
const describe = (issues: readonly Issue[]) =>
  issues
    .slice(0, MAX_ISSUES_SHOWN)
    .map((i) => describeIssue(i))
    .join('; ') + (issues.length > MAX_ISSUES_SHOWN ? `; … ${issues.length - MAX_ISSUES_SHOWN} more` : '')

/**
 * Checks `response` (to `method path`) against the schema its route in `app.routes` declares for its
 * status. Skipped: no route, no schema for the status, 304/204, a body that is not JSON or is empty.
 * The response itself is left unread (a clone is read). `decoded`: the body is no longer in its
 * Content-Encoding — fetch() decodes but keeps the header, so it defaults to true for a fetched response.
 * @returns `<METHOD> <route path> <status>` when the body was checked (now or before: same bytes), else undefined.
 * @throws Error naming the route, the status and the schema's issues when the body violates the schema.
 */
export async function checkContract(app: { routes: readonly RouteLike[] }, method: string, path: string, response: Response, opts: { decoded?: boolean } = {}): Promise<string | undefined> {
  if (response.status === 304 || response.status === 204) return
  const route = findRoute(app.routes, method, path)
  const schema = route && schemaOf(route, response.status)
  if (!route || !schema) return
  if (!/[/+]json\b/i.test(response.headers.get('content-type') ?? '')) return
  const checked = `${route.method} ${route.path} ${response.status}`
  let memo = valid.get(schema)
  if (!memo) valid.set(schema, (memo = new Set()))
  const etag = response.headers.get('etag')
  if (etag && memo.has(etag)) return checked

  let bytes: Uint8Array = new Uint8Array(await response.clone().arrayBuffer())
  if (bytes.byteLength === 0) return
  const encoding = response.headers.get('content-encoding')?.trim().toLowerCase()
  if (encoding && encoding !== 'identity' && !(opts.decoded ?? response.url !== '')) {
    if (encoding === 'gzip') bytes = gunzipSync(bytes)
    else if (encoding === 'br') bytes = brotliDecompressSync(bytes)
    else throw new Error(`contract check: ${method} ${path}: unknown content-encoding '${encoding}'`)
  }
  const key = etag ?? `#${Bun.hash(bytes)}`
  if (memo.has(key)) return checked

  const where = `${method.toUpperCase()} ${route.path} (${path}) → ${response.status}`
  let body: unknown
  try {
    body = JSON.parse(new TextDecoder().decode(bytes))
  } catch (err) {
    throw new Error(`response contract broken: ${where}: the body is not JSON (${(err as Error).message})`)
  }
  const issues = issuesOf(schema, body)
  if (issues.length) throw new Error(`response contract broken: ${where} does not match the declared schema: ${describe(issues)}`)
  if (memo.size >= MAX_MEMO_PER_SCHEMA) memo.clear()
  memo.add(key)
  return checked
}

/**
 * A real HTTP server on 127.0.0.1 (any free port) answering with `handle`, each answer checked against the schema
 * its route in `table` declares; a broken contract's message is pushed to `broken` (an afterEach that throws them
 * fails the test that caused it).
 */
export function serveChecked(table: { routes: readonly RouteLike[] }, handle: (req: Request) => Response | Promise<Response>, broken: string[]) {
  return Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: async (req) => {
      const res = await handle(req)
      const { pathname, search } = new URL(req.url)
      await checkContract(table, req.method, pathname + search, res).catch((err) => broken.push((err as Error).message))
      return res
    },
  })
}
