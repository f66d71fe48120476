import { readMigrationFiles } from 'drizzle-orm/migrator'

/**
 * Runs at bundle time (imported `with { type: 'macro' }`): the SQL of `drizzle/` is inlined into the
 * program, so a compiled binary migrates a fresh DB with no migrations folder on disk.
 */
export function embeddedMigrations() {
  return readMigrationFiles({ migrationsFolder: `${import.meta.dir}/../../drizzle` })
}
