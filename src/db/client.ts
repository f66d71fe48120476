import { Database } from 'bun:sqlite'
import { existsSync, mkdirSync, renameSync } from 'node:fs'
import { dirname } from 'node:path'
import { drizzle } from 'drizzle-orm/bun-sqlite'
import { embeddedMigrations } from './migrations.macro' with { type: 'macro' }
import * as schema from './schema'

export type Db = ReturnType<typeof drizzle<typeof schema>> & { $client: Database }

export interface OpenDbOptions {
  /** Told when a damaged DB file was moved aside and a fresh one created in its place. */
  log?: (msg: string, fields?: object) => void
}

/**
 * Opens (creating when missing) the catalog DB, checks it (`PRAGMA quick_check`), applies the embedded
 * migrations and returns drizzle. WAL + synchronous=NORMAL: a crash loses nothing committed, and the
 * catalog can always be rebuilt — so a file that is not a database, is corrupt or cannot be migrated is
 * moved aside (with its -wal and -shm, as `<name>.corrupt-<ISO time>`) and a fresh catalog started,
 * rather than the service refusing to start. Errors of the environment (locked, busy, unwritable folder,
 * disk full, I/O) are thrown as they are: they say nothing about the file, which is left where it is.
 */
export function openDb(path: string, opts: OpenDbOptions = {}): Db {
  if (isMemory(path)) return unwrap(open(path))
  mkdirSync(dirname(path), { recursive: true })
  const first = open(path)
  if (!('failed' in first)) return first.db
  if (!isDamage(first.failed)) return unwrap(first)
  const reason = errorText(first.failed)
  // Moved while the connection is still open: SQLite deletes a -wal and -shm it could not use when it
  // closes, and they are part of the evidence. (The renamed files stay the same open inodes.)
  const movedTo = moveAside(path)
  closeQuietly(first.sqlite)
  const db = unwrap(open(path))
  opts.log?.(`catalog DB ${path} was unusable (${reason}): moved it aside to ${movedTo} and started a fresh catalog`, { db: path, moved_to: movedTo, reason })
  return db
}

type Opened = { db: Db } | { failed: unknown; sqlite: Database }

/** The DB, or the connection closed and the error thrown. */
function unwrap(o: Opened): Db {
  if ('db' in o) return o.db
  closeQuietly(o.sqlite)
  throw o.failed
}

function closeQuietly(sqlite: Database) {
  try {
    sqlite.close()
  } catch {}
}

/** Opens, configures, checks and migrates; on failure hands back the error and the (open) connection. */
function open(path: string): Opened {
  const sqlite = new Database(path, { create: true, strict: true })
  try {
    sqlite.exec('PRAGMA busy_timeout = 5000')
    sqlite.exec('PRAGMA journal_mode = WAL')
    sqlite.exec('PRAGMA synchronous = NORMAL')
    sqlite.exec('PRAGMA foreign_keys = ON')
    if (!isMemory(path)) {
      const problems = (sqlite.query('PRAGMA quick_check').values() as unknown[][]).map((r) => String(r[0]))
      if (problems.length !== 1 || problems[0] !== 'ok') throw new IntegrityError(`quick_check: ${problems.slice(0, 5).join('; ')}`)
    }
    const db = drizzle({ client: sqlite, schema }) as Db
    migrate(db)
    return { db }
  } catch (failed) {
    return { failed, sqlite }
  }
}

function migrate(db: Db) {
  const migrations = embeddedMigrations()
  // The dialect's migrate is what drizzle's file-based migrator calls after reading the folder.
  try {
    // drizzle's migrator reads files from disk; the embedded ones go through its dialect directly (not public API)
    const internals = db as unknown as { dialect: { migrate(m: unknown, session: unknown, config: object): void }; session: unknown }
    internals.dialect.migrate(migrations, internals.session, {})
  } catch (err) {
    // drizzle wraps the SQLite error: keep its code so that isDamage can tell a lock from a bad file
    const cause = (err as { cause?: unknown }).cause
    if (!isEnvironmental(cause) && !isEnvironmental(err)) throw new IntegrityError(`migration failed: ${errorText(err)}`, { cause: err })
    throw err
  }
}

class IntegrityError extends Error {}

const isMemory = (path: string) => path === '' || path === ':memory:' || (path.startsWith('file:') && /(^file::memory:|[?&]mode=memory\b)/.test(path))

/** SQLite result codes that describe the environment, not the file's content (a short read is a file cut short). */
const ENVIRONMENTAL = /^SQLITE_(BUSY|LOCKED|CANTOPEN|READONLY|PERM|AUTH|NOMEM|FULL|IOERR(?!_SHORT_READ)|INTERRUPT|NOLFS)/

function isEnvironmental(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && ENVIRONMENTAL.test(code)
}

/** A corrupt or foreign file: not a database, a failed check, a migration that could not apply. */
function isDamage(err: unknown): boolean {
  if (err instanceof IntegrityError) return true
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && code.startsWith('SQLITE_') && !isEnvironmental(err)
}

function errorText(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown }
  const message = String(e?.message ?? err)
  return typeof e?.code === 'string' && !message.includes(e.code) ? `${e.code}: ${message}` : message
}

/** Renames the DB and its -wal/-shm to `<name>.corrupt-<ISO time>[-wal|-shm]`; returns the DB's new name. */
function moveAside(path: string): string {
  const stamp = new Date().toISOString()
  let target = `${path}.corrupt-${stamp}`
  for (let n = 2; [target, `${target}-wal`, `${target}-shm`].some((p) => existsSync(p)); n++) target = `${path}.corrupt-${stamp}-${n}`
  // the DB first: once it is gone, a stray -wal/-shm can no longer be replayed into a fresh file
  if (existsSync(path)) renameSync(path, target)
  for (const suffix of ['-wal', '-shm', '-journal']) if (existsSync(`${path}${suffix}`)) renameSync(`${path}${suffix}`, `${target}${suffix}`)
  return target
}
