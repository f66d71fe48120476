import { afterAll } from 'bun:test'
import { leakedGroups } from './helpers/process'

// After the whole run: every process a test started (servers, CLIs, redis-server) must be gone.
afterAll(async () => {
  const leaked = await leakedGroups()
  if (leaked.length) throw new Error(`test processes still alive after the suite (now killed): ${leaked.map((g) => `${g.cmd} [${g.pids.join(', ')}]`).join('; ')}`)
})
