import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { z } from 'zod'
import { type Config, loadConfig } from '../config'

/**
 * The effective config of the service that last served a catalog, kept beside its DB (`<db>.service.json`),
 * so that the CLI's read commands (`providers`, `export`) in another shell see what the service sees: which
 * TOML file, which providers are enabled and which have a key. No secret is stored — only whether a key was set.
 */
export const serviceConfigPath = (dbPath: string) => `${dbPath}.service.json`

const Stored = z.object({
  written_at: z.string(),
  config_path: z.string().nullable(),
  providers: z.array(z.object({ id: z.string(), enabled: z.boolean(), has_key: z.boolean() })).max(10_000),
})
type Stored = z.infer<typeof Stored>

/** Written by `modelcat serve` at start (atomically: a reader never sees half a file). */
export function recordServiceConfig(config: Config, now = new Date()): void {
  const stored: Stored = {
    written_at: now.toISOString(),
    config_path: config.configPath ? resolve(config.configPath) : null,
    providers: config.providers.map((p) => ({ id: p.id, enabled: p.enabled, has_key: Boolean(p.apiKey) })),
  }
  const path = serviceConfigPath(config.dbPath)
  try {
    writeFileSync(`${path}.tmp`, `${JSON.stringify(stored, null, 2)}\n`)
    renameSync(`${path}.tmp`, path)
  } catch {
    // a read-only directory: the CLI then reports against its own environment, and says so
  }
}

/**
 * The config a CLI read command uses, and a line saying which: this shell's MODELCAT_CONFIG when set;
 * else the config the service recorded beside the DB (its TOML file, enabled providers and key presence);
 * else this shell's environment alone.
 */
export function serviceConfig(env: Record<string, string | undefined>): { config: Config; source: string } {
  const own = loadConfig(env)
  if (env.MODELCAT_CONFIG?.trim()) return { config: own, source: `config: ${own.configPath} (MODELCAT_CONFIG of this shell)` }
  const path = serviceConfigPath(own.dbPath)
  if (!existsSync(path)) return { config: own, source: "config: this shell's environment (no service has recorded its config beside this DB yet)" }
  let stored: Stored
  try {
    stored = Stored.parse(JSON.parse(readFileSync(path, 'utf8')))
  } catch (err) {
    return { config: own, source: `config: this shell's environment (${path} is unreadable: ${(err as Error).message.split('\n')[0]})` }
  }
  const config = stored.config_path ? loadConfig({ ...env, MODELCAT_CONFIG: stored.config_path }) : own
  const byId = new Map(stored.providers.map((p) => [p.id, p]))
  // a key the service had stands for itself with a marker that is no secret and appears in no text
  const marker = `(set in the service's environment ${crypto.randomUUID()})`
  for (const p of config.providers) {
    const s = byId.get(p.id)
    if (!s) continue
    p.enabled = s.enabled
    if (s.has_key && !p.apiKey) p.apiKey = marker
  }
  return { config, source: `config: the service's, recorded ${stored.written_at} in ${path}${stored.config_path ? ` (MODELCAT_CONFIG=${stored.config_path})` : ' (environment only)'}` }
}
