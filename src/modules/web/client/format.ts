/** Formatting shared by the views (pure: the browser tests import it to compute what a cell must say). */

const DECIMAL = /^(-?)(\d*)(?:\.(\d*))?$/

/** An exact decimal string (USD per token, as the API gives it) times 10^6: USD per 1M tokens, exact. */
export function perMillionExact(perToken: string): string | null {
  const m = DECIMAL.exec(perToken.trim())
  if (!m || (m[2] === '' && !m[3])) {
    const n = Number(perToken) // an exponent form ("1e-7"): exact enough for display
    return Number.isFinite(n) ? String(n * 1e6) : null
  }
  const [, sign, int = '', frac = ''] = m
  const padded = frac.padEnd(6, '0')
  const whole = `${int}${padded.slice(0, 6)}`.replace(/^0+(?=\d)/, '') || '0'
  const rest = padded.slice(6).replace(/0+$/, '')
  const out = rest ? `${whole}.${rest}` : whole
  return out === '0' ? '0' : `${sign}${out}`
}

/** A per-token price as people read it: `$0.59` per 1M tokens (6 significant digits at most). Null: not stated. */
export function usdPerMillion(perToken: string | undefined | null): string | null {
  if (perToken === undefined || perToken === null || perToken === '') return null
  const exact = perMillionExact(perToken)
  if (exact === null) return null
  const n = Number(exact)
  if (n < 0) return 'varies' // OpenRouter's -1: priced per request by the router
  if (n === 0) return '$0'
  return `$${Number(n.toPrecision(6)).toLocaleString('en-US', { maximumFractionDigits: 10 })}`
}

/** A plain USD amount (per request, per image): not scaled. */
export function usd(value: string | undefined | null): string | null {
  if (value === undefined || value === null || value === '') return null
  const n = Number(value)
  if (!Number.isFinite(n)) return value
  return n === 0 ? '$0' : `$${Number(n.toPrecision(6)).toLocaleString('en-US', { maximumFractionDigits: 10 })}`
}

/** Dollars per 1M tokens typed by a person → USD per token for the API (exact decimal shift). */
export function perTokenFromMillion(perMillion: string): string | null {
  const m = DECIMAL.exec(perMillion.trim())
  if (!m || (m[2] === '' && !m[3]) || m[1] === '-') return null
  const [, , int = '', frac = ''] = m
  const digits = `${int.padStart(7, '0')}${frac}`
  const cut = digits.length - frac.length - 6
  const out = `${digits.slice(0, cut).replace(/^0+(?=\d)/, '')}.${digits.slice(cut)}`.replace(/\.?0+$/, '')
  return out === '' ? '0' : out
}

/** Token counts, short: `128000` → `128K`, `1048576` → `1.05M` (the exact value goes in a title). */
export function tokens(n: number | null | undefined): string | null {
  if (n === null || n === undefined) return null
  if (n >= 1_000_000) return `${Number((n / 1_000_000).toPrecision(3))}M`
  if (n >= 1000) return `${Number((n / 1000).toPrecision(3))}K`
  return String(n)
}

export const integer = (n: number) => n.toLocaleString('en-US')

/** `2026-01-22` from an RFC 3339 time. */
export const day = (iso: string | null | undefined) => (iso ? iso.slice(0, 10) : null)

/** "12 s ago", "3 min ago", "5 h ago", "2 d ago"; "in 30 s" for the future. */
export function ago(iso: string | null | undefined, now = Date.now()): string | null {
  if (!iso) return null
  const t = Date.parse(iso)
  if (Number.isNaN(t)) return iso
  const s = Math.round((now - t) / 1000)
  const abs = Math.abs(s)
  const text = abs < 60 ? `${abs} s` : abs < 3600 ? `${Math.round(abs / 60)} min` : abs < 86_400 ? `${Math.round(abs / 3600)} h` : `${Math.round(abs / 86_400)} d`
  return s >= 0 ? `${text} ago` : `in ${text}`
}
