/**
 * Exact decimal arithmetic for prices: upstream numbers are turned into decimal strings and
 * shifted by powers of ten, never multiplied as binary floats (a per-1M vs per-token mixup once
 * made a peer's prices 10⁶× wrong; 0.88 * 1e-6 in floats gives 8.799999999999999e-7).
 *
 * Bounded: one linear pass over the text, and a result within LIMITS (DECIMAL_LIMITS below; src/catalog/limits.ts lists every cap): at most 30
 * significant digits, a non-zero value within [10^-30, 10^24), so at most 33 characters. A value out
 * of range is no price (null) and is counted (decimalsOutOfRange): "1e20000000" never becomes a
 * 20-million-character string, "1e-150000" never costs more than reading it.
 */

/** What a price may be (src/catalog/limits.ts names every cap): significant digits, integer digits (value < 10^24), fraction digits (value ≥ 10^-30). */
export const DECIMAL_LIMITS = { decimalSignificantDigits: 30, decimalIntegerDigits: 24, decimalFractionDigits: 30 } as const
/** A decimal string of this module is at most this long: sign, "0.", 30 fraction digits. */
export const MAX_DECIMAL_CHARS = 1 + 2 + DECIMAL_LIMITS.decimalFractionDigits
const LIMITS = DECIMAL_LIMITS

/** Anchored, no nested or overlapping quantifiers: one linear pass. */
const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i

let outOfRange = 0
/** How many values were refused for being out of range so far (the refresh worker reports the difference). */
export const decimalsOutOfRange = () => outOfRange

/**
 * Canonical decimal string of a JSON number or numeric string, or null when it is not a finite
 * number (or out of range). Numbers go through 15 significant digits first, which removes binary
 * noise that upstreams serialize (DeepInfra sends 0.020000000000000004 for 0.02).
 * @example toDecimal(0.88) === '0.88'; toDecimal('3e-6') === '0.000003'
 */
export function toDecimal(value: unknown): string | null {
  let text: string
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null
    text = Number(value.toPrecision(15)).toString()
  } else if (typeof value === 'string') {
    text = value.trim()
  } else {
    return null
  }
  return shift(text, 0)
}

/**
 * Moves the decimal point: shift(x, -6) divides by one million, exactly.
 * @example shift('0.88', -6) === '0.00000088'
 */
export function shift(text: string, exponent: number): string | null {
  const m = DECIMAL.exec(text)
  if (!m) return null
  const [, sign, int, frac = '', exp = '0'] = m
  const digits = int + frac
  // the significant digits: digits[first, last)
  let first = 0
  while (first < digits.length && digits.charCodeAt(first) === 48) first++
  if (first === digits.length) return '0' // zero, whatever its exponent or sign
  let last = digits.length
  while (digits.charCodeAt(last - 1) === 48) last--
  const count = last - first
  // value = significant × 10^power; a huge written exponent parses to a huge number or Infinity
  const power = digits.length - last - frac.length + Number(exp) + exponent
  const intDigits = count + power
  if (count > LIMITS.decimalSignificantDigits || intDigits > LIMITS.decimalIntegerDigits || -power > LIMITS.decimalFractionDigits || !Number.isFinite(power)) {
    outOfRange++
    return null
  }
  const significant = digits.slice(first, last)
  const out = power >= 0 ? significant + '0'.repeat(power) : intDigits > 0 ? `${significant.slice(0, intDigits)}.${significant.slice(intDigits)}` : `0.${'0'.repeat(-intDigits)}${significant}`
  return sign ? `-${out}` : out
}

/** USD per 1M tokens (Together, DeepInfra) → USD per token, exactly. */
export const perMillionToPerToken = (value: unknown): string | null => {
  const d = toDecimal(value)
  return d === null ? null : shift(d, -6)
}

// --- exact arithmetic on decimal strings (quotes): BigInt scaled by a power of ten, never a float ---

/** A decimal as an integer and a scale: value = int × 10^-scale. */
interface Scaled {
  int: bigint
  scale: number
}

const PLAIN = /^(-)?(\d+)(?:\.(\d+))?$/
/** Whether `text` is a plain decimal string (no exponent) the arithmetic below takes. */
export const isPlainDecimal = (text: string) => PLAIN.test(text)

/** A plain decimal string ("12", "0.000001", "-3.5") → scaled integer; anything else throws (a caller bug, not input). */
function scaled(text: string): Scaled {
  const m = PLAIN.exec(text)
  if (!m) throw new Error(`not a plain decimal: '${text}'`)
  const [, sign, int, frac = ''] = m
  const v = BigInt(int + frac)
  return { int: sign ? -v : v, scale: frac.length }
}

/** Scaled integer → canonical plain string: no exponent, no trailing fraction zeros, "0" for zero. */
function plain({ int, scale }: Scaled): string {
  const negative = int < 0n
  let digits = (negative ? -int : int).toString()
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0')
    const head = digits.slice(0, digits.length - scale)
    const tail = digits.slice(digits.length - scale).replace(/0+$/, '')
    digits = tail ? `${head}.${tail}` : head
  }
  return digits === '0' ? '0' : negative ? `-${digits}` : digits
}

/**
 * Exact product of plain decimal strings (or integers).
 * @example decimalMul('0.00000125', 250000) === '0.3125'
 */
export function decimalMul(a: string | number, b: string | number): string {
  const x = scaled(String(a))
  const y = scaled(String(b))
  return plain({ int: x.int * y.int, scale: x.scale + y.scale })
}

/** Exact sum of plain decimal strings. @example decimalAdd('0.1', '0.2') === '0.3' */
export function decimalAdd(...values: string[]): string {
  let acc: Scaled = { int: 0n, scale: 0 }
  for (const v of values) {
    const y = scaled(v)
    const scale = Math.max(acc.scale, y.scale)
    acc = { int: acc.int * 10n ** BigInt(scale - acc.scale) + y.int * 10n ** BigInt(scale - y.scale), scale }
  }
  return plain(acc)
}

/** -1, 0 or 1 as a < b, a = b, a > b, exactly. */
export function decimalCompare(a: string, b: string): number {
  const x = scaled(a)
  const y = scaled(b)
  const scale = Math.max(x.scale, y.scale)
  const l = x.int * 10n ** BigInt(scale - x.scale)
  const r = y.int * 10n ** BigInt(scale - y.scale)
  return l < r ? -1 : l > r ? 1 : 0
}
