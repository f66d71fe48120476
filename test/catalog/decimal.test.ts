import { describe, expect, test } from 'bun:test'
import { decimalsOutOfRange, perMillionToPerToken, shift, toDecimal } from '../../src/lib/decimal'
import { mulberry32 } from '../helpers/random'

describe('toDecimal', () => {
  test('keeps a short decimal number exact', () => {
    expect(toDecimal(0.88)).toBe('0.88')
    expect(toDecimal(0.5)).toBe('0.5')
  })

  test('keeps a per-token price string exact instead of switching to exponent notation', () => {
    // String(0.000003) is "0.000003", but String(0.0000003) is "3e-7": the string must never go through floats
    expect(toDecimal('0.000003')).toBe('0.000003')
    expect(toDecimal('0.0000003')).toBe('0.0000003')
    expect(toDecimal('0.00000375')).toBe('0.00000375')
  })

  test('removes binary float noise that upstreams serialize (0.020000000000000004 → 0.02)', () => {
    expect(toDecimal(0.020000000000000004)).toBe('0.02')
    expect(toDecimal(0.18000000000000002)).toBe('0.18')
    expect(toDecimal(0.1 + 0.2)).toBe('0.3')
  })

  test('expands exponents in numbers and in strings to plain decimals', () => {
    expect(toDecimal(1.5e-7)).toBe('0.00000015')
    expect(toDecimal('3e-6')).toBe('0.000003')
    expect(toDecimal('1.25E-3')).toBe('0.00125')
    expect(toDecimal('1E+3')).toBe('1000')
    expect(toDecimal(2e21)).toBe('2000000000000000000000')
  })

  test('renders integers without a decimal point and strips leading zeros', () => {
    expect(toDecimal(42)).toBe('42')
    expect(toDecimal('42')).toBe('42')
    expect(toDecimal('007')).toBe('7')
    expect(toDecimal('00.100')).toBe('0.1')
  })

  test('renders zero as "0", including -0 and "-0.000"', () => {
    expect(toDecimal(0)).toBe('0')
    expect(toDecimal(-0)).toBe('0')
    expect(toDecimal('0.000')).toBe('0')
    expect(toDecimal('-0.000')).toBe('0')
  })

  test('keeps the sign of negative values', () => {
    expect(toDecimal(-1.5)).toBe('-1.5')
    expect(toDecimal('-1')).toBe('-1')
    expect(toDecimal('-0.0000003')).toBe('-0.0000003')
  })

  test('strips trailing zeros of the fraction ("12.50" → "12.5", "3.000" → "3")', () => {
    expect(toDecimal('12.50')).toBe('12.5')
    expect(toDecimal('3.000')).toBe('3')
  })

  test('trims surrounding whitespace of numeric strings', () => {
    expect(toDecimal(' 2.5 ')).toBe('2.5')
  })

  test.each([
    ['a word', 'abc'],
    ['an empty string', ''],
    ['a comma decimal', '1,5'],
    ['a hex literal', '0x10'],
    ['a number with a trailing dot', '1.'],
    ['two dots', '1.2.3'],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['null', null],
    ['undefined', undefined],
    ['a boolean', true],
    ['an object', { value: 1 }],
    ['an array', [1]],
  ])('returns null for %s', (_label, value) => {
    expect(toDecimal(value)).toBeNull()
  })
})

describe('shift', () => {
  test('divides by one million exactly with exponent -6', () => {
    expect(shift('0.88', -6)).toBe('0.00000088')
    expect(shift('3', -6)).toBe('0.000003')
    expect(shift('12.5', -6)).toBe('0.0000125')
  })

  test('multiplies by powers of ten with a positive exponent', () => {
    expect(shift('0.00000088', 6)).toBe('0.88')
    expect(shift('1.5', 2)).toBe('150')
    expect(shift('0.0001', 4)).toBe('1')
  })

  test('combines its own exponent with one written in the text', () => {
    expect(shift('1e-3', 3)).toBe('1')
    expect(shift('2.5e2', -3)).toBe('0.25')
  })

  test('keeps zero as "0" whatever the exponent', () => {
    expect(shift('0', -6)).toBe('0')
    expect(shift('0.000', 6)).toBe('0')
  })

  test('keeps the sign when shifting a negative value', () => {
    expect(shift('-0.0001', 4)).toBe('-1')
    expect(shift('-2', -1)).toBe('-0.2')
  })

  test('returns null for text that is not a decimal', () => {
    expect(shift('abc', 1)).toBeNull()
    expect(shift('', 0)).toBeNull()
    expect(shift('1.2.3', 0)).toBeNull()
  })
})

describe('perMillionToPerToken', () => {
  test('turns USD per 1M tokens into an exact USD per token string (0.88 → "0.00000088", never exponent notation)', () => {
    expect(perMillionToPerToken(0.88)).toBe('0.00000088')
    expect(perMillionToPerToken(0.58)).toBe('0.00000058') // 0.58 * 1e-6 in floats is 5.8e-7 (exponent form)
  })

  test('removes float noise before shifting (0.18000000000000002 per 1M → "0.00000018")', () => {
    expect(perMillionToPerToken(0.18000000000000002)).toBe('0.00000018')
    expect(perMillionToPerToken(0.045000000000000005)).toBe('0.000000045')
  })

  test('accepts numeric strings and integers', () => {
    expect(perMillionToPerToken('2.19')).toBe('0.00000219')
    expect(perMillionToPerToken(65)).toBe('0.000065')
    expect(perMillionToPerToken(0)).toBe('0')
  })

  test('returns null for values that are not numbers', () => {
    expect(perMillionToPerToken('free')).toBeNull()
    expect(perMillionToPerToken(null)).toBeNull()
    expect(perMillionToPerToken(undefined)).toBeNull()
    expect(perMillionToPerToken(NaN)).toBeNull()
  })
})

describe('property: shift(shift(x, -6), 6) is the canonical form of x', () => {
  const random = mulberry32(20260122)
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join('')

  /** A price string with 0–6 fraction digits, sometimes with leading zeros, trailing zeros or a minus sign. */
  function randomPrice(): string {
    const int = random() < 0.5 ? '0' : digits(1 + Math.floor(random() * 5))
    const fracLen = Math.floor(random() * 7)
    const frac = digits(fracLen)
    const leading = random() < 0.1 ? '00' : ''
    const sign = random() < 0.1 ? '-' : ''
    return `${sign}${leading}${int}${fracLen ? `.${frac}` : ''}`
  }

  /** Independent oracle: the value as an integer count of 10^-scale units (BigInt, no floats). */
  function scaled(text: string, scale: number): bigint {
    const negative = text.startsWith('-')
    const [int, frac = ''] = text.replace('-', '').split('.')
    const units = BigInt(int! + frac.padEnd(scale, '0'))
    return negative ? -units : units
  }
  /** Canonical decimal string of units × 10^-scale: no leading/trailing zeros, no "-0". */
  function format(units: bigint, scale: number): string {
    const negative = units < 0n
    const abs = (negative ? -units : units).toString().padStart(scale + 1, '0')
    const whole = abs.slice(0, abs.length - scale)
    const frac = abs.slice(abs.length - scale).replace(/0+$/, '')
    const out = frac ? `${whole}.${frac}` : whole
    return negative ? `-${out}` : out
  }

  const samples = Array.from({ length: 400 }, randomPrice)

  test('the oracle itself canonicalizes known inputs', () => {
    expect(format(scaled('0012.500', 6), 6)).toBe('12.5')
    expect(format(scaled('-0.000', 6), 6)).toBe('0')
    expect(format(scaled('0.88', 6), 12)).toBe('0.00000088')
  })

  test('the samples cover leading zeros, trailing zeros, integers and negatives', () => {
    expect(samples.some((s) => s.startsWith('00'))).toBe(true)
    expect(samples.some((s) => /\.\d*0$/.test(s))).toBe(true)
    expect(samples.some((s) => !s.includes('.'))).toBe(true)
    expect(samples.some((s) => s.startsWith('-'))).toBe(true)
  })

  test('shift(x, -6) is exactly x / 10^6 for 400 random prices', () => {
    for (const x of samples) {
      // x has at most 6 fraction digits, so x / 10^6 has at most 12
      expect({ x, out: shift(x, -6) }).toEqual({ x, out: format(scaled(x, 6), 12) })
    }
  })

  test('shift(shift(x, -6), 6) returns canonical x for 400 random prices', () => {
    for (const x of samples) {
      const down = shift(x, -6)
      expect(down).not.toBeNull()
      expect({ x, out: shift(down!, 6) }).toEqual({ x, out: format(scaled(x, 6), 6) })
    }
  })

  test('toDecimal(x) is canonical x for 400 random price strings', () => {
    for (const x of samples) expect({ x, out: toDecimal(x) }).toEqual({ x, out: format(scaled(x, 6), 6) })
  })
})

describe('limits: at most 30 significant digits, a non-zero value within [1e-30, 1e24)', () => {
  test('near misses on every limit: at it exact, one past it refused', () => {
    expect(toDecimal('1e-30')).toBe(`0.${'0'.repeat(29)}1`)
    expect(toDecimal('1e-31')).toBeNull()
    expect(toDecimal('9.99e23')).toBe(`999${'0'.repeat(21)}`)
    expect(toDecimal('1e24')).toBeNull()
    expect(toDecimal(`${'1'.repeat(24)}.${'1'.repeat(6)}`)).toBe(`${'1'.repeat(24)}.${'1'.repeat(6)}`)
    expect(toDecimal(`${'1'.repeat(24)}.${'1'.repeat(7)}`)).toBeNull()
    expect(toDecimal(`0.${'1'.repeat(30)}`)).toBe(`0.${'1'.repeat(30)}`)
    expect(toDecimal(`0.${'1'.repeat(31)}`)).toBeNull()
    // shift applies the same limits to its result
    expect(shift('1e-24', -6)).toBe(`0.${'0'.repeat(29)}1`)
    expect(shift('1e-25', -6)).toBeNull()
    expect(toDecimal(1e300)).toBeNull()
  })

  test('leading and trailing zeros are no significant digits; zero is zero at any exponent', () => {
    expect(toDecimal(`${'0'.repeat(100_000)}1${'0'.repeat(20)}e-20`)).toBe('1')
    expect(toDecimal(`0.${'0'.repeat(28)}1${'0'.repeat(100_000)}`)).toBe(`0.${'0'.repeat(28)}1`)
    expect(toDecimal('0e99999999999')).toBe('0')
    expect(toDecimal(`-0e-${'9'.repeat(1000)}`)).toBe('0')
  })

  test('out-of-range values are counted (what the refresh reports as "N prices out of range ignored"); malformed ones are not', () => {
    const before = decimalsOutOfRange()
    toDecimal('1e20000000')
    toDecimal('1e-150000')
    toDecimal('abc')
    toDecimal('1.5e-7')
    expect(decimalsOutOfRange() - before).toBe(2)
  })

  const random = mulberry32(7)
  const int = (n: number) => Math.floor(random() * n)
  const digitRun = (n: number) => Array.from({ length: n }, () => int(10)).join('')

  /** Oracle by BigInt: value = sig × 10^pow, or null when out of range. */
  function oracle(text: string): string | null {
    const m = /^(-)?(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i.exec(text)!
    const [, sign, i, f = '', e = '0'] = m
    const all = (i + f).replace(/^0+/, '')
    if (!all) return '0'
    const sig = all.replace(/0+$/, '')
    const pow = BigInt(e) - BigInt(f.length) + BigInt(all.length - sig.length)
    const intDigits = BigInt(sig.length) + pow
    if (sig.length > 30 || intDigits > 24n || -pow > 30n) return null
    const p = Number(pow)
    const out = p >= 0 ? sig + '0'.repeat(p) : Number(intDigits) > 0 ? `${sig.slice(0, Number(intDigits))}.${sig.slice(Number(intDigits))}` : `0.${'0'.repeat(-Number(intDigits))}${sig}`
    return sign ? `-${out}` : out
  }

  test('property: for 3000 random decimal strings of any exponent and digit run (huge ones included), the result is the exact value or null, and at most 33 characters', () => {
    let accepted = 0
    for (let n = 0; n < 3000; n++) {
      const whole = random() < 0.1 ? digitRun(1 + int(200_000)) : digitRun(1 + int(12))
      const frac = random() < 0.5 ? '' : random() < 0.1 ? `.${'0'.repeat(int(200_000))}${digitRun(1 + int(5))}` : `.${digitRun(1 + int(12))}`
      const exp = random() < 0.3 ? '' : `e${random() < 0.5 ? '-' : '+'}${random() < 0.2 ? digitRun(1 + int(400)) : int(random() < 0.5 ? 40 : 30_000_000)}`
      const text = `${random() < 0.2 ? '-' : ''}${whole}${frac}${exp}`
      const out = toDecimal(text)
      if (out !== null) {
        accepted++
        expect(out.length).toBeLessThanOrEqual(33)
      }
      if (text.length < 2000) expect({ text, out }).toEqual({ text, out: oracle(text) })
    }
    expect(accepted).toBeGreaterThan(300) // the generator reaches the accepted range too
  }, 60_000) // generating ~60 MB of random digits takes seconds on a loaded machine; a quadratic parser takes hours
})
