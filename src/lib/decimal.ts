/**
 * Exact decimal arithmetic for prices: upstream numbers are turned into decimal strings and
 * shifted by powers of ten, never multiplied as binary floats (a per-1M vs per-token mixup once
 * made a peer's prices 10⁶× wrong; 0.88 * 1e-6 in floats gives 8.799999999999999e-7).
 */

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i

/**
 * Canonical decimal string of a JSON number or numeric string, or null when it is not a finite
 * number. Numbers go through 15 significant digits first, which removes binary noise that
 * upstreams serialize (DeepInfra sends 0.020000000000000004 for 0.02).
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
  let digits = (int + frac).replace(/^0+(?=\d)/, '')
  let scale = frac.length - Number(exp) - exponent // value = digits × 10^-scale
  if (scale < 0) {
    digits += '0'.repeat(-scale)
    scale = 0
  }
  digits = digits.padStart(scale + 1, '0')
  const whole = digits.slice(0, digits.length - scale).replace(/^0+(?=\d)/, '')
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, '')
  const out = fraction ? `${whole}.${fraction}` : whole
  return sign && /[1-9]/.test(out) ? `-${out}` : out
}

/** USD per 1M tokens (Together, DeepInfra) → USD per token, exactly. */
export const perMillionToPerToken = (value: unknown): string | null => {
  const d = toDecimal(value)
  return d === null ? null : shift(d, -6)
}
