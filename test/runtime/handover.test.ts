import { afterEach, expect, test } from 'bun:test'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import pino from 'pino'
import type { ProviderOutcome } from '../../src/catalog/rows'
import { loadConfig } from '../../src/config'
import { openRefreshThread } from '../../src/runtime'
import { tempDir } from '../helpers/harness'

/**
 * The refresh thread's handover (src/runtime/index.ts openRefreshThread), driven in-process: after a commit the
 * index and hot views are built on a timer and handed over once; a failed build is logged and the next commit
 * tries again (the thread lives on); a shutdown while a handover waits for its timer hands over nothing and
 * closes cleanly.
 */

let dir: string | undefined
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
  dir = undefined
})

function open(onVersion: (version: number) => void) {
  dir = tempDir()
  writeFileSync(join(dir, 'modelcat.toml'), '[references.models-dev]\nenabled = false\n[references.litellm]\nenabled = false\n')
  const config = loadConfig({ MODELCAT_CONFIG: join(dir, 'modelcat.toml'), MODELCAT_DB: join(dir, 'catalog.db') })
  const errors: string[] = []
  const log = pino({ level: 'error' }, { write: (line: string) => void errors.push(line) })
  let started = false
  const runtime = openRefreshThread(config, log, { onVersion: (version) => started && onVersion(version) })
  runtime.handOverNow() // the version at start, as the thread's start does (not what these tests count)
  started = true
  return { runtime, errors }
}

const outcome = (n: number): ProviderOutcome => ({
  provider: 'static-one',
  ok: true,
  offerings: Array.from({ length: n }, (_, i) => ({ providerModelId: `model-${i}`, name: `Model ${i}`, pricing: { prompt: '0.000001', completion: '0.000002' } })),
  skipped: 0,
  durationMs: 0,
  warning: null,
})

test('commits in a row hand over once, the newest version; a failed build is logged and the next commit hands over', async () => {
  const versions: number[] = []
  let fail = true
  const { runtime, errors } = open((v) => {
    if (fail) {
      fail = false
      throw new Error('boom: the HTTP thread went away')
    }
    versions.push(v)
  })
  try {
    runtime.store.commitRefresh('test', Date.now(), [outcome(3)])
    await runtime.handedOver()
    expect(versions).toEqual([]) // the failed one
    expect(errors.join('\n')).toContain('building the index and hot views of a new version failed')
    expect(errors.join('\n')).toContain('boom')
    // two commits before the timer: one handover, of the newest version
    runtime.store.commitRefresh('test', Date.now(), [outcome(4)])
    runtime.store.commitRefresh('test', Date.now(), [outcome(5)])
    await runtime.handedOver()
    expect(versions).toEqual([runtime.store.version])
  } finally {
    await runtime.stop()
  }
})

test('a shutdown while a handover waits for its timer hands over nothing and closes without an error', async () => {
  const versions: number[] = []
  const { runtime, errors } = open((v) => versions.push(v))
  runtime.store.commitRefresh('test', Date.now(), [outcome(3)])
  await runtime.stop() // before the timer fired
  expect(versions).toEqual([])
  expect(errors).toEqual([])
})
