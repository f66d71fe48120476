import { describe, expect, test } from 'bun:test'
import { BREAKER_DEFAULTS, BreakerRegistry, retryAfterMs, type BreakerRegistryOptions, type BreakerState } from '../../src/refresh/breakers'

const T0 = Date.UTC(2026, 0, 1) // whole seconds, so HTTP dates round-trip exactly
const S = 1000
const ERR = { error: 'HTTP 503: upstream down' }

/** A registry on a fake clock; random 0.5 means no jitter unless a test sets it. */
function setup(opts: Omit<BreakerRegistryOptions, 'now' | 'random'> = {}) {
  const env = { t: T0, r: 0.5 }
  const reg = new BreakerRegistry({ ...opts, now: () => env.t, random: () => env.r })
  const transitions: [string, BreakerState, BreakerState][] = []
  reg.onTransition((p, from, to) => transitions.push([p, from, to]))
  const fail = (p: string, n: number, f: Parameters<BreakerRegistry['failure']>[1] = ERR) => {
    for (let i = 0; i < n; i++) reg.failure(p, f)
  }
  /** Moves the clock to the breaker's retryAt, takes the probe and fails it; returns the new open time. */
  const failProbe = (p: string) => {
    env.t = reg.get(p).retryAt!
    expect(reg.allow(p)).toEqual({ allowed: true })
    reg.failure(p, ERR)
    return reg.get(p).retryAt! - env.t
  }
  return { env, reg, transitions, fail, failProbe }
}

describe('closed → open', () => {
  test('an unknown provider gets a closed breaker on allow(); get() of an unknown one registers nothing', () => {
    const { reg } = setup()
    expect(reg.get('ghost')).toMatchObject({ provider: 'ghost', state: 'closed', consecutiveFailures: 0 })
    expect(reg.all()).toEqual([])
    expect(reg.allow('groq')).toEqual({ allowed: true })
    expect(reg.all().map((s) => [s.provider, s.state])).toEqual([['groq', 'closed']])
  })

  test('opens after 3 consecutive failures, not before', () => {
    const { reg, fail, env } = setup()
    fail('groq', 2)
    expect(reg.get('groq')).toMatchObject({ state: 'closed', consecutiveFailures: 2, lastError: ERR.error, lastFailureAt: T0 })
    expect(reg.allow('groq').allowed).toBe(true)
    fail('groq', 1)
    expect(reg.get('groq')).toMatchObject({ state: 'open', consecutiveFailures: 3, opens: 1, openedAt: T0, retryAt: T0 + 60 * S })
    env.t += 59 * S
    const d = reg.allow('groq')
    expect(d.allowed).toBe(false)
    if (!d.allowed) {
      expect(d.retryAt).toBe(T0 + 60 * S)
      expect(d.reason).toContain('3 consecutive')
      expect(d.reason).toContain(ERR.error)
    }
  })

  test('a success in between resets the count', () => {
    const { reg, fail, env } = setup()
    fail('groq', 2)
    env.t += S
    reg.success('groq')
    fail('groq', 2)
    expect(reg.get('groq')).toMatchObject({ state: 'closed', consecutiveFailures: 2, lastSuccessAt: T0 + S })
  })

  test('the threshold is configurable', () => {
    const { reg, fail } = setup({ failureThreshold: 1 })
    fail('groq', 1)
    expect(reg.get('groq').state).toBe('open')
  })
})

describe('backoff', () => {
  test('doubles with each consecutive opening and is capped at max', () => {
    const { reg, fail, failProbe } = setup()
    fail('groq', 3)
    expect(reg.get('groq').retryAt! - T0).toBe(60 * S)
    const times = Array.from({ length: 7 }, () => failProbe('groq'))
    expect(times).toEqual([120, 240, 480, 960, 1920, 3600, 3600].map((s) => s * S))
    expect(reg.get('groq').opens).toBe(8)
  })

  test('base and max are configurable', () => {
    const { reg, fail, failProbe } = setup({ baseMs: 10 * S, maxMs: 25 * S })
    fail('groq', 3)
    expect(reg.get('groq').retryAt! - T0).toBe(10 * S)
    expect([failProbe('groq'), failProbe('groq')]).toEqual([20 * S, 25 * S])
  })

  test('jitter is ±20 %: random 0 → −20 %, random 1 → +20 %, never above max', () => {
    const { reg, env } = setup()
    env.r = 0
    expect(reg.backoffMs(1)).toBe(48 * S)
    env.r = 1
    expect(reg.backoffMs(1)).toBe(72 * S)
    expect(reg.backoffMs(2)).toBe(144 * S)
    expect(reg.backoffMs(7)).toBe(3600 * S) // 3600 s × 1.2 is cut back to max
    env.r = 0
    expect(reg.backoffMs(7)).toBe(2880 * S)
  })

  test('the jittered time is what an opening uses', () => {
    const { reg, fail, env } = setup()
    env.r = 0
    fail('a', 3)
    env.r = 1
    fail('b', 3)
    expect([reg.get('a').retryAt! - T0, reg.get('b').retryAt! - T0]).toEqual([48 * S, 72 * S])
  })
})

describe('half-open', () => {
  test('after the open time the next allow() is the single probe; a second one is refused', () => {
    const { reg, fail, env } = setup()
    fail('groq', 3)
    env.t = T0 + 60 * S - 1
    expect(reg.allow('groq').allowed).toBe(false)
    env.t += 1
    expect(reg.get('groq').state).toBe('half_open')
    expect(reg.allow('groq')).toEqual({ allowed: true })
    const second = reg.allow('groq')
    expect(second.allowed).toBe(false)
    if (!second.allowed) expect(second.reason).toContain('probe')
    expect(reg.get('groq').state).toBe('half_open')
  })

  test('probe success closes the breaker and resets the counters (the next opening starts from base)', () => {
    const { reg, fail, failProbe, env } = setup()
    fail('groq', 3)
    failProbe('groq')
    env.t = reg.get('groq').retryAt!
    expect(reg.allow('groq').allowed).toBe(true)
    reg.success('groq')
    expect(reg.get('groq')).toMatchObject({ state: 'closed', consecutiveFailures: 0, opens: 0, openedAt: null, retryAt: null, lastSuccessAt: env.t })
    expect(reg.allow('groq').allowed).toBe(true)
    fail('groq', 3)
    expect(reg.get('groq').retryAt! - env.t).toBe(60 * S)
  })

  test('probe failure reopens at once with the next, longer backoff', () => {
    const { reg, fail, failProbe } = setup()
    fail('groq', 3)
    expect(failProbe('groq')).toBe(120 * S)
    expect(reg.get('groq')).toMatchObject({ state: 'open', opens: 2, consecutiveFailures: 4 })
  })
})

describe('401/403 → misconfigured', () => {
  for (const status of [401, 403]) {
    test(`HTTP ${status} marks it misconfigured at once and retries only after 6 h`, () => {
      const { reg, env } = setup()
      reg.failure('groq', { status, error: `HTTP ${status}: invalid key` })
      expect(reg.get('groq')).toMatchObject({ state: 'misconfigured', lastError: `HTTP ${status}: invalid key`, retryAt: T0 + 6 * 3600 * S })
      env.t = T0 + 6 * 3600 * S - 1
      const d = reg.allow('groq')
      expect(d.allowed).toBe(false)
      if (!d.allowed) expect(d.reason).toContain('invalid key')
      env.t += 1
      expect(reg.allow('groq')).toEqual({ allowed: true })
      expect(reg.allow('groq').allowed).toBe(false) // single probe here too
    })
  }

  test('a probe refused again goes back to misconfigured; the retry time is configurable; reset lets it through', () => {
    const { reg, env } = setup({ misconfiguredRetryMs: 600 * S })
    reg.failure('groq', { status: 401, error: 'bad key' })
    env.t = reg.get('groq').retryAt!
    expect(env.t).toBe(T0 + 600 * S)
    expect(reg.allow('groq').allowed).toBe(true)
    reg.failure('groq', { status: 401, error: 'still bad' })
    expect(reg.get('groq')).toMatchObject({ state: 'misconfigured', retryAt: env.t + 600 * S, lastError: 'still bad' })
    reg.reset('groq')
    expect(reg.allow('groq')).toEqual({ allowed: true })
  })
})

describe('429', () => {
  test('Retry-After in seconds opens at once for exactly that long (no jitter)', () => {
    const { reg, env } = setup()
    env.r = 1
    reg.failure('groq', { status: 429, retryAfter: '120', error: 'HTTP 429: slow down' })
    expect(reg.get('groq')).toMatchObject({ state: 'open', retryAt: T0 + 120 * S, consecutiveFailures: 1 })
    env.t = T0 + 120 * S
    expect(reg.allow('groq').allowed).toBe(true)
  })

  test('Retry-After as an HTTP date', () => {
    const { reg } = setup()
    reg.failure('groq', { status: 429, retryAfter: new Date(T0 + 90 * S).toUTCString(), error: 'HTTP 429' })
    expect(reg.get('groq')).toMatchObject({ state: 'open', retryAt: T0 + 90 * S })
  })

  test('Retry-After is capped at max', () => {
    const { reg } = setup()
    reg.failure('groq', { status: 429, retryAfter: '86400', error: 'HTTP 429' })
    expect(reg.get('groq').retryAt).toBe(T0 + BREAKER_DEFAULTS.maxMs)
  })

  test('without (or with an unreadable) Retry-After it is an ordinary failure', () => {
    const { reg, fail } = setup()
    fail('a', 2, { status: 429, error: 'HTTP 429' })
    fail('b', 2, { status: 429, retryAfter: 'soon', error: 'HTTP 429' })
    expect([reg.get('a').state, reg.get('b').state]).toEqual(['closed', 'closed'])
    fail('a', 1, { status: 429, retryAfter: null, error: 'HTTP 429' })
    expect(reg.get('a')).toMatchObject({ state: 'open', retryAt: T0 + 60 * S })
  })

  test('retryAfterMs parses both forms and rejects the rest', () => {
    expect(retryAfterMs('30', T0)).toBe(30 * S)
    expect(retryAfterMs(' 0 ', T0)).toBe(0)
    expect(retryAfterMs(new Date(T0 + 5 * S).toUTCString(), T0)).toBe(5 * S)
    expect(retryAfterMs(new Date(T0 - 5 * S).toUTCString(), T0)).toBe(0)
    for (const bad of [undefined, null, '', '-5', '1.5', 'later']) expect(retryAfterMs(bad, T0)).toBeNull()
  })
})

describe('reset', () => {
  test('reset closes one breaker and clears its counters; resetAll closes every one', () => {
    const { reg, fail } = setup()
    fail('a', 3)
    fail('b', 3)
    reg.failure('c', { status: 403, error: 'forbidden' })
    reg.reset('a')
    expect(reg.get('a')).toMatchObject({ state: 'closed', consecutiveFailures: 0, opens: 0, retryAt: null, lastError: ERR.error })
    expect(reg.get('b').state).toBe('open')
    reg.resetAll()
    expect(reg.all().map((s) => s.state)).toEqual(['closed', 'closed', 'closed'])
    expect(reg.allow('c')).toEqual({ allowed: true })
  })
})

describe('transitions', () => {
  test('each transition is reported exactly once, in order', () => {
    const { reg, fail, env, transitions } = setup()
    fail('groq', 3)
    fail('groq', 2) // already open: no new transition
    env.t = reg.get('groq').retryAt!
    reg.get('groq')
    reg.all()
    reg.allow('groq')
    reg.allow('groq')
    reg.success('groq')
    reg.success('groq')
    reg.failure('groq', { status: 401, error: 'bad key' })
    reg.reset('groq')
    reg.reset('groq')
    expect(transitions).toEqual([
      ['groq', 'closed', 'open'],
      ['groq', 'open', 'half_open'],
      ['groq', 'half_open', 'closed'],
      ['groq', 'closed', 'misconfigured'],
      ['groq', 'misconfigured', 'closed'],
    ])
  })

  test('unsubscribe stops reports; a throwing listener breaks nothing', () => {
    const { reg, fail } = setup()
    const seen: string[] = []
    reg.onTransition(() => {
      throw new Error('metrics bug')
    })
    const off = reg.onTransition((p, _f, to) => seen.push(`${p}:${to}`))
    fail('a', 3)
    off()
    fail('b', 3)
    expect(seen).toEqual(['a:open'])
    expect(reg.get('b').state).toBe('open')
  })
})

describe('persistence', () => {
  test('snapshots → load keeps an open breaker open until its retryAt, without reporting transitions', () => {
    const a = setup()
    a.fail('groq', 3)
    a.failProbe('groq') // opens: 2, open for 120 s
    a.reg.failure('openai', { status: 401, error: 'bad key' })
    a.reg.success('together')
    const saved = JSON.parse(JSON.stringify(a.reg.snapshots()))

    const b = setup()
    b.env.t = a.env.t + 30 * S // "after a restart"
    b.reg.load(saved)
    expect(b.reg.all()).toEqual(a.reg.all())
    expect(b.transitions).toEqual([])
    const retryAt = a.reg.get('groq').retryAt!
    b.env.t = retryAt - 1
    expect(b.reg.allow('groq').allowed).toBe(false)
    expect(b.reg.allow('openai').allowed).toBe(false)
    expect(b.reg.allow('together').allowed).toBe(true)
    b.env.t = retryAt
    expect(b.reg.allow('groq').allowed).toBe(true)
    b.reg.failure('groq', ERR)
    expect(b.reg.get('groq').retryAt! - b.env.t).toBe(240 * S) // the backoff continues where it was
  })

  test('load forgets a probe in flight, pulls in a retryAt beyond max and skips malformed rows', () => {
    const a = setup()
    a.fail('groq', 3)
    a.env.t = a.reg.get('groq').retryAt!
    a.reg.allow('groq') // probe in flight, then the process dies
    const b = setup()
    b.env.t = a.env.t
    const far = { ...a.reg.get('groq'), provider: 'far', state: 'open' as const, retryAt: b.env.t + 10 * BREAKER_DEFAULTS.maxMs }
    b.reg.load([a.reg.get('groq'), far, { provider: 'bad', state: 'weird' } as never, null as never])
    expect(b.reg.get('groq').state).toBe('half_open')
    expect(b.reg.allow('groq').allowed).toBe(true)
    expect(b.reg.get('far').retryAt).toBe(b.env.t + BREAKER_DEFAULTS.maxMs)
    expect(b.reg.all().map((s) => s.provider)).toEqual(['groq', 'far'])
  })
})

test('nonsensical options are refused', () => {
  expect(() => new BreakerRegistry({ failureThreshold: 0 })).toThrow('invalid breaker options')
  expect(() => new BreakerRegistry({ baseMs: 10, maxMs: 5 })).toThrow('invalid breaker options')
  expect(() => new BreakerRegistry({ jitter: 1 })).toThrow('invalid breaker options')
  expect(new BreakerRegistry().options).toEqual({ ...BREAKER_DEFAULTS })
})
