import { ConfigError, loadConfig, type Config } from '../config'

/** A command's failure the user can act on: printed as one line, then exit with `code`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code = 1,
  ) {
    super(message)
  }
}

/** Loads the config; bad config is one message naming every bad key and exit code 2. */
export function configOrExit(): Config {
  try {
    return loadConfig()
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message, 2)
    throw err
  }
}

/** Fixed-width text table; numbers right-aligned. */
export function table(rows: Record<string, string | number | null>[], columns: string[]): string {
  const cell = (v: string | number | null | undefined) => (v === null || v === undefined ? '-' : String(v))
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)))
  const line = (values: (string | number | null | undefined)[]) =>
    values
      .map((v, i) => (typeof v === 'number' ? cell(v).padStart(widths[i]!) : cell(v).padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  return [line(columns.map((c) => c.toUpperCase())), ...rows.map((r) => line(columns.map((c) => r[c])))].join('\n')
}

/** "3m ago" style age of an RFC 3339 time. */
export function age(iso: string | null, now = Date.now()): string | null {
  if (!iso) return null
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000))
  if (s < 90) return `${s}s ago`
  if (s < 90 * 60) return `${Math.round(s / 60)}m ago`
  if (s < 36 * 3600) return `${Math.round(s / 3600)}h ago`
  return `${Math.round(s / 86400)}d ago`
}
