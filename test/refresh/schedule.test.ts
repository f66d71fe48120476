import { describe, expect, test } from 'bun:test'
import { FakeUpstream } from '../helpers/fake-upstream'
import { makeHarness, tomlFor } from '../helpers/harness'
import { loadConfig } from '../../src/config'
import { RefreshSchedule } from '../../src/refresh/schedule'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from '../helpers/harness'

/** Per-provider refresh intervals: `[providers.<id>] interval_seconds`, else `refresh.interval_seconds`. */

describe('the schedule (driven by a clock in the test)', () => {
  test('each provider is due one of its own intervals after its last fetch; all are due at first', () => {
    const s = new RefreshSchedule(
      new Map([
        ['small', 60_000],
        ['huge', 3_600_000],
      ]),
    )
    expect(s.due(0).sort()).toEqual(['huge', 'small'])
    s.ran(['huge', 'small'], 1_000)
    expect(s.due(1_000)).toEqual([])
    expect(s.delay(1_000)).toBe(60_000)
    expect(s.due(60_999)).toEqual([]) // near miss
    expect(s.due(61_000)).toEqual(['small'])
    // an hour of ticks: small fetched every minute, huge once more
    const fetched = { small: 1, huge: 1 }
    let now = 1_000
    while (now < 3_601_000) {
      now += s.delay(now)
      const due = s.due(now)
      for (const id of due) fetched[id as keyof typeof fetched]++
      s.ran(due, now)
    }
    expect(fetched).toEqual({ small: 61, huge: 2 })
  })

  test('no providers: nothing is due and the next tick is far away', () => {
    const s = new RefreshSchedule(new Map())
    expect(s.due(0)).toEqual([])
    expect(s.delay(0)).toBeGreaterThan(1e9)
  })
})

describe('[providers.<id>] interval_seconds', () => {
  test('is read from the provider table; absent, the provider follows refresh.interval_seconds', () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'c.toml'), '[refresh]\ninterval_seconds = 600\n[providers.groq]\ninterval_seconds = 30\n')
    const config = loadConfig({ MODELCAT_CONFIG: join(dir, 'c.toml') })
    expect(config.providers.find((p) => p.id === 'groq')!.intervalSeconds).toBe(30)
    expect(config.providers.find((p) => p.id === 'together')!.intervalSeconds).toBeUndefined()
    writeFileSync(join(dir, 'bad.toml'), '[providers.groq]\ninterval_seconds = 0\n')
    expect(() => loadConfig({ MODELCAT_CONFIG: join(dir, 'bad.toml') })).toThrow(/providers\.groq\.interval_seconds/)
  })

  test('the running schedule fetches a provider with a short interval more often than one on the long default', async () => {
    const GROQ = '/groq/openai/v1'
    const TOGETHER = '/together/v1'
    const up = new FakeUpstream().replay(`${GROQ}/models`, 'groq/groq_models_2026-01-22.json').replay(`${TOGETHER}/models`, 'together/together_v1_models_2026-01-23.json')
    const toml = `${tomlFor(up.url, { groq: GROQ, together: TOGETHER }, 'interval_seconds = 3600')}\n`.replace('[providers.groq]\n', '[providers.groq]\ninterval_seconds = 1\n')
    const h = makeHarness({ toml })
    try {
      h.worker.start()
      await Bun.sleep(4_500)
    } finally {
      await h.close()
      up.stop()
    }
    const groq = up.count(`${GROQ}/models`)
    const together = up.count(`${TOGETHER}/models`)
    // generous bounds (a busy machine): groq every ~1 s after each fetch, together once at start only
    expect(together).toBe(1)
    expect(groq).toBeGreaterThanOrEqual(2)
    expect(groq).toBeLessThanOrEqual(6)
  })
})
