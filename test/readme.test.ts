import { expect, test } from 'bun:test'
import { join } from 'node:path'
import { BUILTIN_PROVIDERS } from '../src/upstream/registry'
import { ADAPTER_IDS } from '../src/upstream/adapters'

const readme = await Bun.file(join(import.meta.dir, '..', 'README.md')).text()

test('the README documents every built-in provider with its key variables', () => {
  for (const p of BUILTIN_PROVIDERS) {
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${p.id}\` |`))
    expect(row).toBeDefined()
    for (const key of p.apiKeyEnv) expect(row).toContain(key)
  }
})

test('the README names every adapter', () => {
  for (const id of ADAPTER_IDS) expect(readme).toContain(`\`${id}\``)
})

test('the README test command is the one .ci/run runs', async () => {
  const ci = await Bun.file(join(import.meta.dir, '..', '.ci', 'run')).text()
  expect(readme).toContain('bun test')
  expect(ci).toMatch(/^bun test$/m)
})
