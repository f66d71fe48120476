import { eq } from 'drizzle-orm'
import { catalogState } from '../db/schema'
import type { CatalogStore } from './store'
import { scrub } from '../lib/scrub'

/** Tables a cluster snapshot carries, parents first. Breaker state stays per replica. */
const SNAPSHOT_TABLES = ['providers', 'offerings', 'pricing', 'reference_models', 'changes'] as const

/**
 * The shared part of the catalog as one gzip'd JSON document: offerings, prices, provider refresh state,
 * reference entries, the change feed and the version. What a leading replica publishes (src/cluster).
 */
export function exportSnapshot(store: CatalogStore, version = store.version): { version: number; updatedAt: number; data: Uint8Array<ArrayBuffer> } {
  const tables: Record<string, { columns: string[]; rows: unknown[][] }> = {}
  for (const t of SNAPSHOT_TABLES) {
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
 */
export function applySnapshot(store: CatalogStore, data: Uint8Array): number {
  const doc = JSON.parse(new TextDecoder().decode(Bun.gunzipSync(data as Uint8Array<ArrayBuffer>))) as {
    version: number
    updatedAt: number
    tables: Record<string, { columns: string[]; rows: unknown[][] }>
  }
  const c = store.db.$client
  c.transaction(() => {
    for (const t of [...SNAPSHOT_TABLES].reverse()) c.run(`delete from ${t}`)
    for (const t of SNAPSHOT_TABLES) {
      const { columns, rows } = doc.tables[t] ?? { columns: [], rows: [] }
      if (!columns.length) continue
      const insert = c.prepare(`insert into ${t} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`)
      for (const row of rows) insert.run(...(row as never[]))
    }
    c.run('update catalog_state set version = ?, updated_at = ? where id = 1', [doc.version, doc.updatedAt])
  }).immediate()
  store.reload(true) // the same number may hold other content: caches follow the generation
  return doc.version
}

/** Sets the catalog version (a leader adopting the shared sequence before it publishes). */
export function setVersion(store: CatalogStore, version: number) {
  store.db.update(catalogState).set({ version }).where(eq(catalogState.id, 1)).run()
  store.reload()
}
