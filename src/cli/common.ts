import { parseArgs } from 'node:util'
import { ConfigError, loadConfig, type Config } from '../config'
import { serviceConfig } from '../runtime/service-config'

/** A command's failure the user can act on: printed as one line, then exit with `code`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code = 1,
  ) {
    super(message)
  }
}

/** A wrong command line: exit 2 with the command's usage. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2)
  }
}

/** What a command accepts: its flags (node:util parseArgs options) and how many positional arguments. */
export interface ArgSpec {
  options?: Record<string, { type: 'string' | 'boolean'; short?: string }>
  /** Names of the positional arguments it takes (none by default). */
  positionals?: string[]
}

/** The command's arguments, strictly: an unknown flag, a missing value or an extra argument is a usage error. */
export function parseCommandArgs(args: string[], spec: ArgSpec): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({ args, options: spec.options ?? {}, allowPositionals: true, strict: true })
  } catch (err) {
    // node's messages name the flag ("Unknown option '--x'", "Option '--port <value>' argument missing")
    throw new UsageError((err as Error).message.replace(/\. To specify a positional argument.*$/s, '').replace(/^Unknown option/, 'unknown option'))
  }
  const max = spec.positionals?.length ?? 0
  if (parsed.positionals.length > max) {
    const extra = parsed.positionals[max]
    throw new UsageError(max ? `unexpected argument '${extra}' (takes ${spec.positionals!.join(', ')})` : `unexpected argument '${extra}'`)
  }
  return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals }
}

const orExit = <T>(load: () => T): T => {
  try {
    return load()
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message, 2)
    throw err
  }
}

/** Loads the config; bad config is one message naming every bad key and exit code 2. */
export function configOrExit(env: Record<string, string | undefined> = process.env): Config {
  return orExit(() => loadConfig(env))
}

/**
 * The config a read command (providers, export) uses: the one the service recorded beside the DB unless
 * this shell sets MODELCAT_CONFIG (src/runtime/service-config.ts). Which one is said on stderr.
 */
export function readConfigOrExit(): Config {
  const { config, source } = orExit(() => serviceConfig(process.env))
  process.stderr.write(`modelcat: ${source}\n`)
  return config
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

/** `text` cut to at most `max` characters at a word boundary, with "…" when cut (never mid-word). */
export function clip(text: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim()
  if (t.length <= max) return t
  const cut = t.slice(0, max) // room for the ellipsis below
  const space = cut.lastIndexOf(' ')
  return `${(space > max / 3 ? cut.slice(0, space) : cut.slice(0, max - 1)).replace(/[\s,.;:]+$/, '')}…`
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
