import { readdirSync, readFileSync } from 'node:fs'
import type { SpawnOptions, Subprocess } from 'bun'

/**
 * Processes the tests start (servers, CLIs, redis-server), each in a process group of its own, so that
 * killing one kills whatever it started too (`bun run start` runs the server as its child: a SIGKILL
 * to the parent alone orphans a server that keeps listening and writing its DB after the suite).
 * test/preload.ts checks at the end of the run that no group is left alive.
 */
const groups = new Map<number, string>()

/** Bun.spawn in a new process group. `kill('SIGKILL')` kills the whole group; other signals go to the process itself. */
export function spawnGroup(cmd: string[], opts: SpawnOptions.OptionsObject<'ignore', 'pipe', 'pipe'> = {}): Subprocess<'ignore', 'pipe', 'pipe'> {
  const p = Bun.spawn(cmd, { stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', ...opts, detached: true } as SpawnOptions.OptionsObject<'ignore', 'pipe', 'pipe'>)
  groups.set(p.pid, cmd.join(' '))
  const own = p.kill.bind(p)
  p.kill = (signal?: number | NodeJS.Signals) => {
    if (signal === 'SIGKILL' || signal === 9) killGroup(p.pid)
    else own(signal)
  }
  return p
}

/** SIGKILL to every process of the group led by `pgid` (quietly: it may be gone already). */
export function killGroup(pgid: number, signal: NodeJS.Signals = 'SIGKILL') {
  try {
    process.kill(-pgid, signal)
  } catch {}
}

/** Live (not zombie) processes whose process group is `pgid`, read from /proc. */
export function groupMembers(pgid: number): number[] {
  const members: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      // pid (comm) state ppid pgrp …: comm may contain spaces and parentheses, so parse after the last ')'
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') members.push(Number(entry))
    } catch {}
  }
  return members
}

/** Groups started by spawnGroup that still have a live process after `graceMs`; they are killed. */
export async function leakedGroups(graceMs = 2000): Promise<{ pgid: number; cmd: string; pids: number[] }[]> {
  const deadline = Date.now() + graceMs
  let alive = [...groups].map(([pgid, cmd]) => ({ pgid, cmd, pids: groupMembers(pgid) })).filter((g) => g.pids.length)
  while (alive.length && Date.now() < deadline) {
    await Bun.sleep(100)
    alive = alive.map((g) => ({ ...g, pids: groupMembers(g.pgid) })).filter((g) => g.pids.length)
  }
  for (const g of alive) killGroup(g.pgid)
  return alive
}

/**
 * The URL a modelcat process logs in its "modelcat listening" line (its stdout, JSON logs), read until it
 * appears; the rest of its output is drained so the pipe never fills. Null when it ends or times out first
 * (`text`: what it printed).
 */
export async function listeningUrl(proc: Subprocess<'ignore', 'pipe', 'pipe'>, timeoutMs: number): Promise<{ url: string | null; text: string }> {
  const reader = proc.stdout.getReader()
  let text = ''
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const { value, done } = await reader.read()
    if (done) break
    text += new TextDecoder().decode(value)
    const line = text.split('\n').find((l) => l.includes('"modelcat listening"'))
    if (line) {
      void (async () => {
        while (!(await reader.read()).done) {}
      })()
      return { url: String(JSON.parse(line).url).replace(/\/$/, ''), text }
    }
  }
  return { url: null, text }
}
