import { Database } from 'bun:sqlite'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { drizzle } from 'drizzle-orm/bun-sqlite'
import { embeddedMigrations } from './migrations.macro' with { type: 'macro' }
import * as schema from './schema'

export type Db = ReturnType<typeof drizzle<typeof schema>> & { $client: Database }

/**
 * Opens (creating when missing) the catalog DB, applies the embedded migrations and returns drizzle.
 * WAL + synchronous=NORMAL: a crash loses nothing committed, and the catalog can always be rebuilt.
 */
export function openDb(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const sqlite = new Database(path, { create: true, strict: true })
  sqlite.exec('PRAGMA journal_mode = WAL')
  sqlite.exec('PRAGMA synchronous = NORMAL')
  sqlite.exec('PRAGMA foreign_keys = ON')
  sqlite.exec('PRAGMA busy_timeout = 5000')
  const db = drizzle({ client: sqlite, schema }) as Db
  migrate(db)
  return db
}

function migrate(db: Db) {
  const migrations = embeddedMigrations()
  // The dialect's migrate is what drizzle's file-based migrator calls after reading the folder.
  ;(db as any).dialect.migrate(migrations, (db as any).session, {})
}
