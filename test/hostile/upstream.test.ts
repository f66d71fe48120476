import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { rmSync, writeFileSync } from 'node:fs'
import pino from 'pino'
import { createCanonicalizer } from '../../src/catalog/canonical'
import { capOffering, LIMITS, MAX_DECIMAL_CHARS } from '../../src/catalog/limits'
import { CatalogStore } from '../../src/catalog/store'
import { loadConfig } from '../../src/config'
import { openDb } from '../../src/db/client'
import { ProviderRefresher, type RefreshReport } from '../../src/refresh/refresher'
import { FakeUpstream } from '../helpers/fake-upstream'
import { makeHarness, tempDir, tomlFor, type Harness } from '../helpers/harness'
import { mulberry32 } from '../helpers/random'

const GROQ = '/groq/openai/v1'
const OPENROUTER = '/openrouter/api/v1'

let up: FakeUpstream
let h: Harness | undefined

beforeEach(() => {
  up = new FakeUpstream().replay(`${GROQ}/models`, 'groq/groq_models_2026-01-22.json')
})
afterEach(async () => {
  await h?.close()
  h = undefined
  up.stop()
})

/** One OpenRouter-shaped item; `over` replaces or adds fields. */
const item = (id: string, over: Record<string, unknown> = {}) => ({
  id,
  name: `Model ${id.slice(0, 40)}`,
  created: 1746830904,
  description: 'A model.',
  context_length: 32768,
  architecture: { modality: 'text->text', input_modalities: ['text'], output_modalities: ['text'], tokenizer: 'Other', instruct_type: null },
  pricing: { prompt: '0.0000003', completion: '0.0000006' },
  top_provider: { context_length: 32768, max_completion_tokens: 4096, is_moderated: false },
  per_request_limits: null,
  supported_parameters: ['tools', 'temperature'],
  ...over,
})
const serve = (items: unknown[]) => up.set(`${OPENROUTER}/models`, { kind: 'body', body: JSON.stringify({ data: items }) })
const harness = (extra = '') => (h = makeHarness({ toml: tomlFor(up.url, { openrouter: OPENROUTER, groq: GROQ }, extra) }))
const resultOf = (report: RefreshReport, provider: string) => report.results.find((r) => r.provider === provider)!

describe('hostile upstream: prices', () => {
  test('"1e-150000" and "1e20000000" are refused in linear time: the refresh completes, the price is unknown, the rest of the item is kept, the other provider lands', async () => {
    serve([item('acme/tiny', { pricing: { prompt: '1e-150000', completion: '0.000002' } }), item('acme/huge', { pricing: { prompt: '0.000001', completion: '1e20000000' } }), item('acme/fine')])
    harness()
    const report = await h!.worker.refresh()
    const or = resultOf(report, 'openrouter')
    expect(or).toMatchObject({ status: 'ok', model_count: 3, skipped: 0 })
    expect(or.warning).toContain('2 prices out of range ignored')
    expect(resultOf(report, 'groq').status).toBe('ok')
    expect(h!.store.countOfferings(['groq'])).toBeGreaterThan(0)

    const tiny = h!.store.getOffering('openrouter/acme/tiny')!
    expect(tiny.pricing).toEqual({ completion: '0.000002' }) // prompt unknown, never "0"
    expect(tiny).toMatchObject({ name: 'Model acme/tiny', contextLength: 32768, maxOutputTokens: 4096 })
    expect(h!.store.getOffering('openrouter/acme/huge')!.pricing).toEqual({ prompt: '0.000001' })
    expect(h!.store.getOffering('openrouter/acme/fine')!.pricing).toEqual({ prompt: '0.0000003', completion: '0.0000006' })

    // the served list stays small (a stored 20-million-character price made it 20 MB)
    const body = await (await h!.get('/v1/models')).text()
    expect(body.length).toBeLessThan(500_000)
    expect(body).not.toContain('00000000000000000000000000000000000')
  })

  test('a list of many price strings with huge exponents and digit runs is parsed in linear time (a quadratic parser hangs here)', async () => {
    const random = mulberry32(12)
    const hostile = Array.from({ length: 300 }, (_, i) => {
      const digits = '9'.repeat(1 + Math.floor(random() * 50_000))
      const exp = Math.floor(random() * 400_000) - 200_000
      const forms = [`1e${exp}`, `0.${'0'.repeat(50_000)}1`, `${digits}.${digits}`, `${digits}e-${200_000}`, `-1e${exp}`]
      return item(`acme/m-${i}`, { pricing: { prompt: forms[i % forms.length], completion: '0.000002' } })
    })
    serve(hostile)
    harness()
    const report = await h!.worker.refresh()
    expect(resultOf(report, 'openrouter')).toMatchObject({ status: 'ok', model_count: 300 })
    for (const row of h!.store.listOfferings({ providers: ['openrouter'] })) {
      expect(row.pricing.completion).toBe('0.000002')
      for (const v of Object.values(row.pricing)) expect(v!.length).toBeLessThanOrEqual(MAX_DECIMAL_CHARS)
    }
  })

  test('near misses: a price at the limits is kept exactly, one digit or one power of ten past them is refused', async () => {
    const thirty = '123456789012345678901234567891'
    serve([
      item('acme/smallest', { pricing: { prompt: '1e-30', completion: '1e-31' } }),
      item('acme/largest', { pricing: { prompt: '9.99e23', completion: '1e24' } }),
      item('acme/digits', { pricing: { prompt: `0.${thirty}`, completion: `0.${thirty}1` } }),
    ])
    harness()
    const report = await h!.worker.refresh()
    expect(resultOf(report, 'openrouter').warning).toContain('3 prices out of range ignored')
    expect(h!.store.getOffering('openrouter/acme/smallest')!.pricing).toEqual({ prompt: `0.${'0'.repeat(29)}1` })
    expect(h!.store.getOffering('openrouter/acme/largest')!.pricing).toEqual({ prompt: `999${'0'.repeat(21)}` })
    expect(h!.store.getOffering('openrouter/acme/digits')!.pricing).toEqual({ prompt: `0.${thirty}` })
  })
})

describe('hostile upstream: ids and text', () => {
  test('a 512 KB id is skipped and counted, never stored; the rest of the list lands', async () => {
    const huge = `x${'-fp8'.repeat(128 * 1024)}`
    serve([item(huge), item('acme/fine')])
    harness()
    const report = await h!.worker.refresh()
    const or = resultOf(report, 'openrouter')
    expect(or).toMatchObject({ status: 'ok', model_count: 1, skipped: 1 })
    expect(or.warning).toContain(`1 items skipped: id longer than ${LIMITS.idChars} characters`)
    expect(h!.store.listOfferings({ providers: ['openrouter'] }).map((r) => r.providerModelId)).toEqual(['acme/fine'])
    const stored = h!.db.$client.query('select max(length(provider_model_id)) as n from offerings').get() as { n: number }
    expect(stored.n).toBeLessThanOrEqual(LIMITS.idChars)
  })

  test(`near misses: an id of exactly ${LIMITS.idChars} characters is stored whole, one of ${LIMITS.idChars + 1} is skipped (never truncated into another id)`, async () => {
    const at = `acme/${'a'.repeat(LIMITS.idChars - 5)}`
    const over = `acme/${'b'.repeat(LIMITS.idChars - 4)}`
    serve([item(at), item(over)])
    harness()
    const report = await h!.worker.refresh()
    expect(resultOf(report, 'openrouter')).toMatchObject({ model_count: 1, skipped: 1 })
    const ids = h!.store.listOfferings({ providers: ['openrouter'] }).map((r) => r.providerModelId)
    expect(ids).toEqual([at])
    expect(ids.some((id) => id.startsWith('acme/b'))).toBe(false)
  })

  test('a long but legal id of "-fp8" repeats is canonicalized (every serving suffix stripped)', async () => {
    const id = `acme/llama-3-70b${'-fp8'.repeat(60)}` // 256 characters
    expect(id.length).toBe(LIMITS.idChars)
    serve([item(id)])
    harness()
    await h!.worker.refresh()
    expect(h!.store.getOffering(`openrouter/${id}`)!.canonicalId).toBe('acme/llama-3-70b')
  })

  test('the canonicalizer is linear: 512 KB ids of every suffix shape finish (the old loop took 138 s on one)', () => {
    const canonical = createCanonicalizer()
    const n = 512 * 1024
    const cases: [string, string][] = [
      [`x${'-fp8'.repeat(n / 4)}`, 'p/x'],
      [`x${':free'.repeat(n / 5)}`, 'p/x'],
      [`x${'-v1:0'.repeat(n / 5)}`, 'p/x'],
      [`org/x${'-fp8-free:beta'.repeat(n / 14)}`, 'org/x'],
    ]
    for (const [id, want] of cases) expect(canonical({ provider: 'p', id })).toBe(want)
    // shapes with nothing to strip come back whole
    expect(canonical({ provider: 'p', id: 'a'.repeat(n) })).toBe(`p/${'a'.repeat(n)}`)
  })

  test('a stored row with a huge id (written before the caps) costs a linear startup re-derivation, not minutes', () => {
    const dir = tempDir()
    const db = openDb(join(dir, 'catalog.db'))
    const store = new CatalogStore(db)
    const huge = `x${'-fp8'.repeat(128 * 1024)}`
    store.commitRefresh('test', Date.now(), [
      { provider: 'p', ok: true, offerings: [{ providerModelId: huge, name: 'x', pricing: {} }], canonicalIds: ['p/stale'], skipped: 0, durationMs: 0, warning: null },
    ])
    const reopened = new CatalogStore(db) // startup maintenance re-derives canonical ids
    expect(reopened.getOffering(`p/${huge}`)!.canonicalId).toBe('p/x')
    db.$client.close()
    rmSync(dir, { recursive: true, force: true })
  })

  test('names, descriptions, owners, lists and pass-through objects are capped; near misses on each side', async () => {
    const params = Array.from({ length: LIMITS.listItems + 10 }, (_, i) => `p${i}`)
    serve([
      item('acme/at', {
        name: 'n'.repeat(LIMITS.nameChars),
        description: 'd'.repeat(LIMITS.descriptionChars),
        supported_parameters: params.slice(0, LIMITS.listItems),
        architecture: { input_modalities: ['t'.repeat(LIMITS.listItemChars), 'image'], output_modalities: ['text'] },
      }),
      item('acme/over', {
        name: `${'n'.repeat(LIMITS.nameChars)}X`,
        description: `${'d'.repeat(LIMITS.descriptionChars)}X`,
        supported_parameters: params,
        architecture: { input_modalities: ['t'.repeat(LIMITS.listItemChars + 1), 'image'], output_modalities: ['text'] },
        per_request_limits: { blob: 'z'.repeat(LIMITS.extraJsonBytes) },
      }),
    ])
    harness()
    await h!.worker.refresh()
    const at = h!.store.getOffering('openrouter/acme/at')!
    expect(at.name).toBe('n'.repeat(LIMITS.nameChars))
    expect(at.description).toBe('d'.repeat(LIMITS.descriptionChars))
    expect(at.supportedParameters).toEqual(params.slice(0, LIMITS.listItems))
    expect(at.inputModalities).toEqual(['t'.repeat(LIMITS.listItemChars), 'image'])
    const over = h!.store.getOffering('openrouter/acme/over')!
    expect(over.name).toBe('n'.repeat(LIMITS.nameChars)) // truncated
    expect(over.description).toBe('d'.repeat(LIMITS.descriptionChars))
    expect(over.supportedParameters).toEqual(params.slice(0, LIMITS.listItems))
    expect(over.inputModalities).toEqual(['image']) // an entry over its cap is dropped, not cut into another word
    expect(over.extra).toBeNull() // the pass-through object over its cap is dropped
    expect(at.extra).not.toBeNull()
  })
})

describe('capOffering (the one place the caps are applied)', () => {
  const base = { providerModelId: 'm', name: 'M', pricing: {} }
  test('extra: exactly at the byte cap is kept, one byte over is dropped; too deep to serialize is dropped', () => {
    const wrap = (n: number) => ({ k: 'x'.repeat(n - '{"k":""}'.length) })
    expect(JSON.stringify(wrap(LIMITS.extraJsonBytes)).length).toBe(LIMITS.extraJsonBytes)
    expect(capOffering({ ...base, extra: wrap(LIMITS.extraJsonBytes) })!.extra).toEqual(wrap(LIMITS.extraJsonBytes))
    expect(capOffering({ ...base, extra: wrap(LIMITS.extraJsonBytes + 1) })!.extra).toBeNull()
    // multi-byte text counts in UTF-8 bytes: 6000 × "€" is 6000 chars but 18000 bytes
    expect(capOffering({ ...base, extra: { k: '€'.repeat(6000) } })!.extra).toBeNull()
    let deep: Record<string, unknown> = {}
    for (let i = 0; i < 100_000; i++) deep = { d: deep }
    expect(capOffering({ ...base, extra: deep })!.extra).toBeNull()
  })

  test('owned_by over its cap is dropped, at its cap kept; token counts out of range are unknown', () => {
    expect(capOffering({ ...base, ownedBy: 'o'.repeat(LIMITS.ownedByChars) })!.ownedBy).toBe('o'.repeat(LIMITS.ownedByChars))
    expect(capOffering({ ...base, ownedBy: 'o'.repeat(LIMITS.ownedByChars + 1) })!.ownedBy).toBeNull()
    expect(capOffering({ ...base, contextLength: LIMITS.maxTokens })!.contextLength).toBe(LIMITS.maxTokens)
    expect(capOffering({ ...base, contextLength: LIMITS.maxTokens + 1 })!.contextLength).toBeNull()
    expect(capOffering({ ...base, maxOutputTokens: 1.5 })!.maxOutputTokens).toBeNull()
  })

  test('capabilities keep only the known boolean flags; a price longer than any decimal the parser makes is dropped', () => {
    const caps = { tools: true, vision: 'yes', junk: true } as never
    expect(capOffering({ ...base, capabilities: caps })!.capabilities).toEqual({ tools: true })
    const long = `0.${'1'.repeat(MAX_DECIMAL_CHARS - 2)}`
    expect(capOffering({ ...base, pricing: { prompt: long.slice(0, MAX_DECIMAL_CHARS), completion: `${long}1` } })!.pricing).toEqual({ prompt: long.slice(0, MAX_DECIMAL_CHARS) })
  })

  test('a field the adapter left out stays out (stored content hashes of unchanged rows do not move)', () => {
    const o = { providerModelId: 'm', name: 'M', pricing: { prompt: '1' }, contextLength: 5 }
    expect(JSON.stringify(capOffering(o))).toBe(JSON.stringify(o))
  })
})

describe('hostile upstream: the canonical-id memo', () => {
  /** A store with a counting canonicalizer and a refresher over the fake upstream. */
  function memoHarness(cap?: number) {
    const dir = tempDir()
    const configPath = join(dir, 'modelcat.toml')
    writeFileSync(configPath, tomlFor(up.url, { openrouter: OPENROUTER }))
    const config = loadConfig({ MODELCAT_CONFIG: configPath, MODELCAT_DB: join(dir, 'catalog.db') })
    const db = openDb(config.dbPath)
    const counter = { derived: 0 }
    const canonical = createCanonicalizer()
    const identify = canonical.identify
    canonical.identify = (o) => (counter.derived++, identify(o))
    const store = new CatalogStore(db, { canonicalMemoEntries: cap, canonicalId: canonical })
    const worker = ProviderRefresher.fromConfig(config, store, pino({ level: 'silent' }), { breakerOptions: {} })
    const close = async () => {
      await worker.stop()
      db.$client.close()
      rmSync(dir, { recursive: true, force: true })
    }
    return { store, worker, counter, close }
  }

  test('stays within its cap over refreshes of churning ids, and holds nothing between refreshes', async () => {
    const cap = 150
    const { store, worker, counter, close } = memoHarness(cap)
    try {
      const stable = Array.from({ length: 50 }, (_, i) => item(`acme/stable-${i}`))
      for (let r = 0; r < 10; r++) {
        serve([...stable, ...Array.from({ length: 100 }, (_, i) => item(`acme/churn-${r}-${i}`))])
        counter.derived = 0
        const report = await worker.refresh({ force: true })
        expect(resultOf(report, 'openrouter').status).toBe('ok')
        // each listed id decided once; the memo is emptied when the refresh's identity work ends (memory between refreshes)
        expect(counter.derived).toBe(150)
        expect(store.canonicalMemoSize).toBe(0)
      }
      expect(store.canonicalMemoPeak).toBe(cap) // used up to its cap, not beyond
    } finally {
      await close()
    }
  })

  test('spares deciding an id twice within one refresh: the lists, then the stored rows the learned tables moved', async () => {
    const counts: number[] = []
    // the default cap, then a memo of one entry (no sparing): the second decides every stored row again
    for (const cap of [undefined, 1]) {
      const { store, worker, counter, close } = memoHarness(cap)
      try {
        const models = Array.from({ length: 149 }, (_, i) => item(`acme/model-${i}`))
        serve([...models, item('acme/gizmo-35')])
        expect(resultOf(await worker.refresh({ force: true }), 'openrouter').status).toBe('ok')
        // a dotted version beside its dotless spelling (gizmo 3.5 and 35) changes how ids are read: every stored row is re-derived
        serve([...models, item('acme/gizmo-35'), item('acme/gizmo-3.5')])
        counter.derived = 0
        expect(resultOf(await worker.refresh({ force: true }), 'openrouter').status).toBe('ok')
        counts.push(counter.derived)
        expect(store.canonicalMemoSize).toBe(0)
      } finally {
        await close()
      }
    }
    expect(counts).toEqual([151, 301])
  })
})

describe('hostile upstream: bounded time', () => {
  test("a list that takes longer to normalize than the provider's timeout fails it (keeping its last good rows), the other provider lands", async () => {
    serve([item('acme/fine')])
    harness('provider_timeout_ms = 1000')
    await h!.worker.refresh()
    expect(h!.store.countOfferings(['openrouter'])).toBe(1)
    // 150k items, each fully valid: parsing, normalizing and canonicalizing them all takes far longer than 1 s
    serve(Array.from({ length: 150_000 }, (_, i) => ({ id: `acme/m-${i}`, name: `M ${i}`, pricing: { prompt: '0.000001' } })))
    const started = performance.now()
    const report = await h!.worker.refresh()
    const elapsed = performance.now() - started
    expect(resultOf(report, 'openrouter')).toMatchObject({ status: 'failed', error: 'timed out after 1000 ms' })
    expect(resultOf(report, 'groq').status).toBe('ok')
    expect(h!.store.listOfferings({ providers: ['openrouter'] }).map((r) => r.providerModelId)).toEqual(['acme/fine'])
    expect(elapsed).toBeLessThan(1000 + 1000)
  }, 30_000)

  test('fuzz: bodies of huge ids, names, descriptions and nested values finish within the timeout + 1 s and store only capped values', async () => {
    const random = mulberry32(20260512)
    const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!
    const big = () => 'y'.repeat(pick([1, 255, 256, 257, 4097, 50_000, 600_000]))
    const small = () => 'z'.repeat(pick([1, 63, 64, 65, 300]))
    const nested = (depth: number): unknown => {
      let v: unknown = small()
      for (let d = 0; d < depth; d++) v = pick([() => ({ a: v }), () => [v], () => ({ a: v, b: small() })])()
      return v
    }
    harness('provider_timeout_ms = 3000')
    for (let round = 0; round < 6; round++) {
      const items = Array.from({ length: 20 }, (_, i) => {
        const id = random() < 0.2 ? `acme/${big()}` : `acme/f-${round}-${i}${'-fp8'.repeat(Math.floor(random() * 70))}`
        return item(id, {
          name: big(),
          description: big(),
          architecture: { modality: `${small()}->${small()}`, input_modalities: Array.from({ length: pick([1, 70, 5000]) }, small), output_modalities: [big()] },
          supported_parameters: Array.from({ length: pick([1, 64, 65, 10_000]) }, () => pick(['tools', small()])),
          pricing: { prompt: pick(['0.000001', `1e${Math.floor(random() * 1e7)}`, `1e-${Math.floor(random() * 1e7)}`, '9'.repeat(100_000)]) },
          per_request_limits: { x: nested(Math.floor(random() * 300)), y: big() },
          top_provider: { context_length: pick([1, 1e300, -5, 1.5]), max_completion_tokens: null, is_moderated: false },
          hugging_face_id: big(),
          canonical_slug: small(),
        })
      })
      serve(items)
      const started = performance.now()
      const report = await h!.worker.refresh()
      expect(performance.now() - started).toBeLessThan(3000 + 1000)
      expect(resultOf(report, 'openrouter').status).toBe('ok')
      expect(resultOf(report, 'groq').status).toBe('ok')
    }
    const rows = h!.store.listOfferings({ providers: ['openrouter'] })
    expect(rows.length).toBeGreaterThan(0)
    for (const r of rows) {
      expect(r.providerModelId.length).toBeLessThanOrEqual(LIMITS.idChars)
      expect(r.name.length).toBeLessThanOrEqual(LIMITS.nameChars)
      expect((r.description ?? '').length).toBeLessThanOrEqual(LIMITS.descriptionChars)
      expect((r.ownedBy ?? '').length).toBeLessThanOrEqual(LIMITS.ownedByChars)
      for (const list of [r.inputModalities, r.outputModalities, r.supportedParameters]) {
        expect((list ?? []).length).toBeLessThanOrEqual(LIMITS.listItems)
        for (const s of list ?? []) expect(s.length).toBeLessThanOrEqual(LIMITS.listItemChars)
      }
      expect(Buffer.byteLength(JSON.stringify(r.extra ?? null))).toBeLessThanOrEqual(LIMITS.extraJsonBytes)
      for (const v of Object.values(r.pricing)) expect(v!.length).toBeLessThanOrEqual(MAX_DECIMAL_CHARS)
      expect(r.contextLength === null || (Number.isInteger(r.contextLength) && r.contextLength <= LIMITS.maxTokens)).toBe(true)
      expect(r.canonicalId.length).toBeLessThanOrEqual(LIMITS.idChars + 'openrouter/'.length)
    }
    // every column of every stored row, whatever the field: no stored value near the size of the hostile ones
    const widest = h!.db.$client.query(`select max(length(name) + length(coalesce(description, '')) + length(coalesce(extra, '')) + length(coalesce(upstream, ''))) as n from offerings`).get() as {
      n: number
    }
    expect(widest.n).toBeLessThan(LIMITS.nameChars + LIMITS.descriptionChars + 2 * LIMITS.extraJsonBytes)
  }, 60_000)
})
