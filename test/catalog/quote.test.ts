import { describe, expect, test } from 'bun:test'
import { byCost, cheapestFitting, quoteOffering } from '../../src/catalog/quote'
import type { OfferingRow } from '../../src/catalog/rows'
import { decimalAdd, decimalCompare, decimalMul } from '../../src/lib/decimal'

/** The quote arithmetic on its own: exact decimal operations and the billing rules, worked out by hand. */

describe('exact decimal arithmetic', () => {
  test('what floats get wrong is exact', () => {
    expect(decimalAdd('0.1', '0.2')).toBe('0.3') // 0.1 + 0.2 = 0.30000000000000004 in floats
    expect(decimalMul('0.00000088', 1_000_000)).toBe('0.88') // 0.88 per 1M, back and forth
    expect(decimalMul('0.000000123456789012345678', 3)).toBe('0.000000370370367037037034')
    expect(decimalMul('0.0000025', 100_000_000_000_000)).toBe('250000000')
    expect(decimalAdd()).toBe('0')
    expect(decimalAdd('1.50', '-1.5')).toBe('0')
    expect(decimalMul('0', 123)).toBe('0')
  })

  test('compare is exact where floats tie or flip', () => {
    expect(decimalCompare('0.3', decimalAdd('0.1', '0.2'))).toBe(0)
    expect(decimalCompare('0.000000000000000000000000000002', '0.000000000000000000000000000001')).toBe(1)
    expect(decimalCompare('10', '9.999999999999999999999')).toBe(1)
    expect(decimalCompare('-1', '0')).toBe(-1)
  })

  test('property: n × a equals a added n times, for random prices (200 cases)', () => {
    let seed = 7
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31)
    for (let i = 0; i < 200; i++) {
      const a = `0.${String(rand()).padStart(10, '0')}${String(rand() % 1000)}`
      const n = (rand() % 20) + 1
      expect(decimalMul(a, n)).toBe(decimalAdd(...Array.from({ length: n }, () => a)))
    }
  })

  test('a non-plain decimal is a caller bug: it throws rather than guessing', () => {
    expect(() => decimalMul('1e-6', 2)).toThrow()
    expect(() => decimalAdd('variable')).toThrow()
  })
})

const row = (pricing: Record<string, string>, extra: Partial<OfferingRow> = {}): OfferingRow => ({
  id: 'p/m',
  providerId: 'p',
  providerModelId: 'm',
  canonicalId: 'org/m',
  canonicalBasis: 'rule',
  name: 'm',
  description: null,
  created: null,
  ownedBy: null,
  contextLength: 1000,
  maxOutputTokens: 100,
  inputModalities: null,
  outputModalities: null,
  supportedParameters: null,
  capabilities: null,
  deprecation: null,
  extra: null,
  sources: null,
  firstSeenAt: 0,
  lastSeenAt: 0,
  pricing,
  priceTiers: null,
  conflicts: null,
  ...extra,
})
const at = new Date('2026-06-10T12:00:00Z')

describe('billing rules', () => {
  test('reasoning priced apart only with a stated non-zero internal_reasoning', () => {
    // 100 output of which 40 reasoning: 60 × 0.00001 = 0.0006 + 40 × 0.00002 = 0.0008 → 0.0014
    const apart = quoteOffering(row({ prompt: '0.000001', completion: '0.00001', internal_reasoning: '0.00002' }), { input_tokens: 0, output_tokens: 100, reasoning_tokens: 40 }, at)
    expect(apart.cost).toBe('0.0014')
    // internal_reasoning "0" (OpenRouter's "no separate rate"): all 100 at 0.00001 → 0.001
    expect(quoteOffering(row({ prompt: '0.000001', completion: '0.00001', internal_reasoning: '0' }), { input_tokens: 0, output_tokens: 100, reasoning_tokens: 40 }, at).cost).toBe('0.001')
    // a variable internal_reasoning: the reasoning part is reported, the rest priced
    const variable = quoteOffering(row({ prompt: '0.000001', completion: '0.00001', internal_reasoning: 'variable' }), { input_tokens: 0, output_tokens: 100, reasoning_tokens: 40 }, at)
    expect([variable.cost, variable.priced_cost, variable.unpriced[0]!.reason]).toEqual([null, '0.0006', 'variable'])
  })

  test('cache writes: the TTL picks the price; without one the part is unknown (a write may cost more than input)', () => {
    const p = { prompt: '0.000003', completion: '0.000015', input_cache_write: '0.00000375', input_cache_write_1h: '0.000006' }
    // 1000 input of which 800 written: 200 × 0.000003 = 0.0006; 800 × 0.00000375 = 0.003 → 0.0036; 1h: 800 × 0.000006 = 0.0048 → 0.0054
    expect(quoteOffering(row(p), { input_tokens: 1000, output_tokens: 0, cache_write_tokens: 800 }, at).cost).toBe('0.0036')
    expect(quoteOffering(row(p), { input_tokens: 1000, output_tokens: 0, cache_write_tokens: 800, cache_ttl: '1h' }, at).cost).toBe('0.0054')
    const none = quoteOffering(row({ prompt: '0.000003' }), { input_tokens: 1000, output_tokens: 0, cache_write_tokens: 800 }, at)
    expect([none.cost, none.unpriced]).toEqual([null, [{ part: 'cache_write', price_key: 'input_cache_write', quantity: 800, reason: 'unknown' }]])
  })

  test('a part the request does not use needs no price; a zero quantity is no line', () => {
    const q = quoteOffering(row({ prompt: '0.000001' }), { input_tokens: 10, output_tokens: 0 }, at)
    expect([q.cost, q.line_items.length, q.unpriced]).toEqual(['0.00001', 1, []])
  })

  test('fits: context counts input + audio + output; the output limit counts output; unknown limits are null', () => {
    const p = { prompt: '0.000001', completion: '0.000001', audio: '0.000001' }
    expect(quoteOffering(row(p), { input_tokens: 900, output_tokens: 100 }, at).fits).toEqual({ context: true, output: true })
    expect(quoteOffering(row(p), { input_tokens: 900, output_tokens: 100, audio_input_tokens: 1 }, at).fits).toEqual({ context: false, output: true })
    expect(quoteOffering(row(p), { input_tokens: 0, output_tokens: 101 }, at).fits).toEqual({ context: true, output: false })
    expect(quoteOffering(row(p, { contextLength: null, maxOutputTokens: null }), { input_tokens: 10 ** 8, output_tokens: 10 ** 8 }, at).fits).toEqual({ context: null, output: null })
  })

  test('a price that is not a plain decimal is unknown, never a crash', () => {
    const q = quoteOffering(row({ prompt: '1e-6', completion: '0.000001' }), { input_tokens: 10, output_tokens: 10 }, at)
    expect([q.cost, q.unpriced[0]!.reason, q.priced_cost]).toEqual([null, 'unknown', '0.00001'])
  })

  test('sorting and cheapest: priced by cost, unpriced last; cheapest skips what does not fit and what is unpriced', () => {
    const a = quoteOffering(row({ prompt: '0.000002', completion: '0' }, { id: 'a' }), { input_tokens: 10, output_tokens: 0 }, at)
    const b = quoteOffering(row({ prompt: '0.000001', completion: '0' }, { id: 'b', contextLength: 5 }), { input_tokens: 10, output_tokens: 0 }, at)
    const c = quoteOffering(row({ prompt: 'variable' }, { id: 'c' }), { input_tokens: 10, output_tokens: 0 }, at)
    const sorted = [c, a, b].sort(byCost)
    expect(sorted.map((q) => q.id)).toEqual(['b', 'a', 'c'])
    expect(cheapestFitting(sorted)!.id).toBe('a')
    expect(cheapestFitting([c])).toBeNull()
  })
})
