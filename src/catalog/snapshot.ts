import { gunzipSync } from 'node:zlib'
import { eq, getTableColumns, getTableName } from 'drizzle-orm'
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core'
import { z } from 'zod'
import { catalogState, changes, offerings, pricing, providers, referenceModels } from '../db/schema'
import type { CatalogStore } from './store'
import { scrub } from '../lib/scrub'

/** Tables a cluster snapshot carries, parents first. Breaker state stays per replica. */
const SNAPSHOT_TABLES: SQLiteTable[] = [providers, offerings, pricing, referenceModels, changes]

/**
 * Caps on a snapshot read from Redis (untrusted input): the stored bytes, checked before gunzip, and
 * the inflated JSON, enforced while inflating (node:zlib `maxOutputLength`: inflation stops at the cap,
 * the bomb is never allocated).
 */
export interface SnapshotLimits {
  maxCompressedBytes: number
  maxDecompressedBytes: number
}
/** 64 MiB compressed (= the default refresh.max_response_bytes), 512 MiB inflated. */
export const DEFAULT_SNAPSHOT_LIMITS: SnapshotLimits = { maxCompressedBytes: 64 * 1024 * 1024, maxDecompressedBytes: 512 * 1024 * 1024 }

export type SnapshotRejectReason = 'sha256' | 'too_large' | 'decompressed_too_large' | 'signature' | 'gzip' | 'json' | 'schema' | 'version' | 'apply'

/** A snapshot refused as a whole (nothing of it applied); `reason` labels the metric. */
export class SnapshotRejected extends Error {
  constructor(
    readonly reason: SnapshotRejectReason,
    message: string,
  ) {
    super(`snapshot rejected (${reason}): ${message}`)
  }
}

/** What each column may hold, from the code's schema (src/db/schema.ts), never from the snapshot. */
function valueType(c: SQLiteColumn): z.ZodType {
  const base =
    c.columnType === 'SQLiteInteger'
      ? z.number().int().refine(Number.isSafeInteger, 'not a safe integer')
      : c.columnType === 'SQLiteReal'
        ? z.number()
        : c.columnType === 'SQLiteTextJson'
          ? z.string().refine((s) => {
              try {
                JSON.parse(s)
                return true
              } catch {
                return false
              }
            }, 'not JSON text')
          : z.string()
  return c.notNull && !c.hasDefault ? base : base.nullable()
}

/** Per table: its columns (SQL names), and one prepared-statement text with the FIXED column list. */
const KNOWN = new Map(
  SNAPSHOT_TABLES.map((table) => {
    const name = getTableName(table)
    const columns = Object.values(getTableColumns(table)) as SQLiteColumn[]
    const insert = `insert into ${name} (${columns.map((c) => c.name).join(', ')}) values (${columns.map(() => '?').join(', ')})`
    return [name, { columns, byName: new Map(columns.map((c) => [c.name, c])), insert }] as const
  }),
)

const Doc = z.strictObject({
  version: z.number().int().nonnegative().refine(Number.isSafeInteger),
  updatedAt: z.number().int().nonnegative().refine(Number.isSafeInteger).nullable(),
  tables: z.record(z.enum([...KNOWN.keys()] as [string, ...string[]]), z.strictObject({ columns: z.array(z.string()), rows: z.array(z.array(z.unknown())) })),
})

/** Validates the document against the code's schema; returns each table's rows in the code's column order. */
function validate(raw: unknown): { version: number; updatedAt: number | null; rows: Map<string, unknown[][]> } {
  const parsed = Doc.safeParse(raw)
  if (!parsed.success) throw new SnapshotRejected('schema', z.prettifyError(parsed.error).slice(0, 500))
  const doc = parsed.data
  const rows = new Map<string, unknown[][]>()
  for (const [name, { columns, byName }] of KNOWN) {
    const t = doc.tables[name]
    if (!t) continue
    const given = t.columns.map((n) => byName.get(n) ?? fail(`${name}: unknown column ${JSON.stringify(n).slice(0, 80)}`))
    if (new Set(t.columns).size !== t.columns.length) fail(`${name}: a column is named twice`)
    const missing = columns.filter((c) => c.notNull && !c.hasDefault && !given.includes(c))
    if (missing.length) fail(`${name}: required column ${missing[0]!.name} is missing`)
    const row = z.tuple(given.map(valueType) as [z.ZodType, ...z.ZodType[]])
    const index = columns.map((c) => given.indexOf(c))
    rows.set(
      name,
      t.rows.map((r, i) => {
        const ok = row.safeParse(r)
        if (!ok.success) fail(`${name} row ${i}: ${z.prettifyError(ok.error).slice(0, 300)}`)
        // absent columns take the schema's default (or null)
        return index.map((j, k) => (j >= 0 ? r[j] : (columns[k]!.default ?? null)))
      }),
    )
  }
  return { version: doc.version, updatedAt: doc.updatedAt, rows }
}

const fail = (message: string): never => {
  throw new SnapshotRejected('schema', message)
}

/**
 * The shared part of the catalog as one gzip'd JSON document: offerings, prices, provider refresh state,
 * reference entries, the change feed and the version. What a leading replica publishes (src/cluster).
 */
export function exportSnapshot(store: CatalogStore, version = store.version): { version: number; updatedAt: number; data: Uint8Array<ArrayBuffer> } {
  const tables: Record<string, { columns: string[]; rows: unknown[][] }> = {}
  for (const t of KNOWN.keys()) {
    const stmt = store.db.$client.prepare(`select * from ${t} order by rowid`)
    const rows = stmt.values() as unknown[][]
    // stored upstream text is scrubbed when written; again here for rows older than that (a snapshot travels)
    const text = stmt.columnNames.flatMap((c, i) => (c === 'last_error' || c === 'last_warning' ? [i] : []))
    for (const row of rows) for (const i of text) if (typeof row[i] === 'string') row[i] = scrub(row[i] as string)
    tables[t] = { columns: stmt.columnNames, rows }
  }
  const updatedAt = store.updatedAt
  return { version, updatedAt, data: Bun.gzipSync(new TextEncoder().encode(JSON.stringify({ version, updatedAt, tables }))) }
}

/**
 * Replaces the shared part of the catalog with a snapshot, in one transaction, and takes its version
 * (so that every replica holding it answers the same bytes, ETag and X-Catalog-Version).
 *
 * The bytes are untrusted (anyone who can write to Redis): size-capped before and while inflating,
 * schema-checked (known tables and columns only, every value typed per column), and written through
 * statements whose column lists come from the code. Anything wrong: SnapshotRejected, nothing applied.
 * `expectedVersion`: the version the snapshot was stored under; the document must say the same.
 */
export function applySnapshot(store: CatalogStore, data: Uint8Array, opts: { limits?: SnapshotLimits; expectedVersion?: number } = {}): number {
  const limits = opts.limits ?? DEFAULT_SNAPSHOT_LIMITS
  if (data.byteLength > limits.maxCompressedBytes) throw new SnapshotRejected('too_large', `${data.byteLength} bytes stored, the cap is ${limits.maxCompressedBytes}`)
  let json: Buffer
  try {
    json = gunzipSync(data, { maxOutputLength: limits.maxDecompressedBytes })
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new SnapshotRejected('decompressed_too_large', `inflates past the cap of ${limits.maxDecompressedBytes} bytes`)
    throw new SnapshotRejected('gzip', (err as Error).message)
  }
  let raw: unknown
  try {
    raw = JSON.parse(json.toString('utf8'))
  } catch (err) {
    throw new SnapshotRejected('json', (err as Error).message)
  }
  const doc = validate(raw)
  if (opts.expectedVersion !== undefined && doc.version !== opts.expectedVersion) throw new SnapshotRejected('version', `stored as version ${opts.expectedVersion}, the document says ${doc.version}`)
  const c = store.db.$client
  try {
    c.transaction(() => {
      for (const t of [...KNOWN.keys()].reverse()) c.run(`delete from ${t}`)
      for (const [t, { insert }] of KNOWN) {
        const stmt = c.prepare(insert)
        for (const row of doc.rows.get(t) ?? []) stmt.run(...(row as never[]))
      }
      c.run('update catalog_state set version = ?, updated_at = ? where id = 1', [doc.version, doc.updatedAt])
    }).immediate()
  } catch (err) {
    throw new SnapshotRejected('apply', (err as Error).message)
  }
  store.reload(true) // the same number may hold other content: caches follow the generation
  return doc.version
}

/** Sets the catalog version (a leader adopting the shared sequence before it publishes). */
export function setVersion(store: CatalogStore, version: number) {
  store.db.update(catalogState).set({ version }).where(eq(catalogState.id, 1)).run()
  store.reload()
}
