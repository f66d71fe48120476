/**
 * The one scrubber for text that came from outside (upstream error bodies, redirect targets, exception
 * messages) on its way to storage, logs, the API or a terminal. Lowest layer: imports nothing from src.
 *
 * It removes, in this order: terminal escapes and control characters (newlines become spaces); every
 * configured secret, whole or any run of ≥ SECRET_RUN chars of it (an upstream that echoes a key back,
 * truncated or not); URL userinfo, query and fragment; credential pairs (`Authorization: …`, `Bearer …`,
 * `api_key=…`, `"token": "…"`); tokens by well-known prefix (sk-, gsk_, hf_, AIza, eyJ… JWTs, …) and long
 * random-looking runs. Then it caps the length. Model ids, URL paths and plain English stay.
 *
 * @example createScrubber(['sk-live-0123456789abcdef'])('401: bad key sk-live-0123456789ab…') → '401: bad key [REDACTED]…'
 */

export const REDACTED = '[REDACTED]'
/** Longest text the scrubber returns (longer: cut, ending in "…"). */
export const MAX_SCRUBBED_CHARS = 500
/** Input read at most: the rest is dropped before any pattern runs (bounded work per string). */
const MAX_INPUT_CHARS = 8 * MAX_SCRUBBED_CHARS
/** A run of this many chars of a configured secret counts as the secret. */
export const SECRET_RUN = 8
/** A configured secret shorter than this is too short to find safely in text and is not searched for. */
const MIN_SECRET = 4

export interface Scrubber {
  (text: string, maxLength?: number): string
  (text: string | null | undefined, maxLength?: number): string | null
}

// ESC sequences (CSI incl. colours, OSC up to BEL/ST, two-char), the 8-bit CSI, then any other control char
// (C0, DEL, C1) and the bidi overrides that reorder what a terminal shows.
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]?|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-_]?|\u009b[0-?]*[ -/]*[@-~]?/g
const NEWLINES = /[\t\n\r\v\f\u2028\u2029]+/g
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

const URL_RE = /\b[a-z][a-z0-9+.-]{1,15}:\/\/[^\s"'<>`]+/gi
// names whose value is a credential: `name=value`, `"name": "value"` always; `name: value` when the value looks like one
const NAMES = `(?:x-)?(?:api[-_]?key|apikey|access[-_]?token|refresh[-_]?token|auth[-_]?token|id[-_]?token|session[-_]?token|client[-_]?secret|x-amz-signature|x-amz-security-token|x-amz-credential|signature|token|key|password|passwd|pwd|secret|sig)`
const PAIR_EQ = new RegExp(String.raw`(\b${NAMES}\s*=\s*)(?!\[REDACTED\])([^\s"'&,;)\]}]+)`, 'gi')
const PAIR_JSON = new RegExp(String.raw`(\b${NAMES}["']\s*:\s*["'])([^"']+)`, 'gi')
const PAIR_COLON = new RegExp(String.raw`(\b${NAMES}\s*:\s*)(?=[^\s"',;]*\d)(?=[^\s"',;]*[a-z])([^\s"',;]{8,})`, 'gi')
const HEADER = /(\b(?:proxy-)?authorization|\bx-(?:goog-)?api-key|\bapi-key|\bx-auth-token|\bcookie)(["']?\s*[:=]\s*["']?)((?:bearer|basic|token|digest)\s+)?([^\s"',;]+)/gi
// a scheme word then a credential-looking token (see credentialLike); "Bearer token" in prose stays
const SCHEME = /\b(bearer|basic)(\s+)([A-Za-z0-9._~+/=*…-]{6,})/gi
/** A token, not a word: a digit or one of -_+/=~*…, or mixed case past its first letter (base64). */
const credentialLike = (t: string) => /[0-9_~+/=*…-]/.test(t) || (/[a-z]/.test(t) && /[A-Z]/.test(t.slice(1)))
const PREFIXED =
  /\b(?:(?:sk-(?:ant-|proj-|or-v1-|live-|test-)?|gsk_|xai-|hf_|ghp_|gho_|ghu_|ghs_|github_pat_|glpat-|pplx-|nvapi-|r8_|csk-|fw_)(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{12,}|AIza[A-Za-z0-9_-]{20,}|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]*)?)/g
// ≥ 32 chars of token alphabet with a piece (between - _ . /) of ≥ 16 chars mixing letters and digits
const LONG_RUN = /[A-Za-z0-9_\-+/=.]{32,}/g
const RANDOM_PIECE = /(?=[A-Za-z+=]*[0-9])(?=[0-9+=]*[A-Za-z])[A-Za-z0-9+=]{16,}/

/** Removes controls and terminal escapes; newlines and tabs become one space. */
export function stripControls(text: string): string {
  return text.replace(ANSI, '').replace(NEWLINES, ' ').replace(CONTROL, '')
}

/**
 * A URL fit to show: userinfo, query and fragment replaced by [REDACTED]; scheme, host and path kept.
 * @example redactUrl('https://u:p@h.example/x?sig=1') → 'https://[REDACTED]@h.example/x?[REDACTED]'
 */
export function redactUrl(url: string): string {
  // trailing punctuation of the sentence around it is no part of the URL (not `]`: the end of a [REDACTED])
  const tail = /[).,;:!]+$/.exec(url)?.[0] ?? ''
  let u = tail ? url.slice(0, -tail.length) : url
  u = u.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, `$1${REDACTED}@`)
  const q = u.search(/[?#]/)
  if (q >= 0) u = `${u.slice(0, q + 1)}${REDACTED}`
  return u + tail
}

/** Marks every run of ≥ SECRET_RUN chars that also occurs in a secret (whole secrets too) and replaces it. */
function redactSecrets(text: string, secrets: readonly string[], grams: ReadonlySet<string>): string {
  for (const s of secrets) if (s.length < SECRET_RUN) text = text.split(s).join(REDACTED)
  if (!grams.size || text.length < SECRET_RUN) return text
  const hit = new Uint8Array(text.length)
  let any = false
  for (let i = 0; i + SECRET_RUN <= text.length; i++) {
    if (grams.has(text.slice(i, i + SECRET_RUN))) {
      hit.fill(1, i, i + SECRET_RUN)
      any = true
    }
  }
  if (!any) return text
  let out = ''
  for (let i = 0; i < text.length; i++) {
    if (!hit[i]) out += text[i]
    else if (i === 0 || !hit[i - 1]) out += REDACTED
  }
  return out
}

/**
 * A scrubber that also removes `secrets` (whole or in part). Build it once per config: see scrubberFor.
 * Returns null for null/undefined, so nullable fields pass through it.
 */
export function createScrubber(secrets: Iterable<string | null | undefined> = []): Scrubber {
  const list = [...new Set([...secrets].filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET))]
  const grams = new Set<string>()
  for (const s of list) for (let i = 0; i + SECRET_RUN <= s.length; i++) grams.add(s.slice(i, i + SECRET_RUN))
  return ((input: string | null | undefined, maxLength = MAX_SCRUBBED_CHARS) => {
    if (input === null || input === undefined) return null
    let t = String(input)
    if (t.length > MAX_INPUT_CHARS) t = t.slice(0, MAX_INPUT_CHARS)
    t = stripControls(t)
    t = redactSecrets(t, list, grams)
    t = t
      .replace(URL_RE, redactUrl)
      .replace(HEADER, (_, name, sep, scheme) => `${name}${sep}${scheme ?? ''}${REDACTED}`)
      .replace(SCHEME, (m, word, space, token) => (credentialLike(token) ? `${word}${space}${REDACTED}` : m))
      .replace(PAIR_JSON, `$1${REDACTED}`)
      .replace(PAIR_EQ, (m, name, value) => (value === REDACTED ? m : `${name}${REDACTED}`))
      .replace(PAIR_COLON, `$1${REDACTED}`)
      .replace(PREFIXED, REDACTED)
      .replace(LONG_RUN, (run) => (run.split(/[-_./]/).some((p) => RANDOM_PIECE.test(p)) ? REDACTED : run))
      .replaceAll(`${REDACTED}${REDACTED}`, REDACTED)
      .trim()
    return t.length > maxLength ? `${t.slice(0, maxLength - 1)}…` : t
  }) as Scrubber
}

/** The scrubber without configured secrets (patterns, URLs, controls, cap): for code that has no config. */
export const scrub: Scrubber = createScrubber()

// config fields that hold a secret, by name, wherever they sit in the config object
const SECRET_FIELDS = /^(?:apiKey|api_key|adminToken|token|secret|clusterSecret|password)$/
const URL_FIELDS = /(?:^|[a-z])(?:url|Url|URL)$/

/**
 * Every secret a config holds: fields named like apiKey, adminToken, secret, clusterSecret (at any depth:
 * providers[].apiKey, webhooks[].secret, cluster.secret) and the userinfo and query values of URL fields
 * (REDIS_URL's password, a key in a base_url).
 */
export function configSecrets(config: unknown): string[] {
  const out: string[] = []
  const walk = (v: unknown, depth: number) => {
    if (depth > 6 || !v || typeof v !== 'object') return
    if (Array.isArray(v)) {
      for (const x of v) walk(x, depth + 1)
      return
    }
    if (Object.getPrototypeOf(v) !== Object.prototype) return // Maps, class instances: no config tables
    for (const [k, x] of Object.entries(v)) {
      if (typeof x === 'string') {
        if (SECRET_FIELDS.test(k)) out.push(x)
        else if (URL_FIELDS.test(k)) out.push(...urlSecrets(x))
      } else walk(x, depth + 1)
    }
  }
  walk(config, 0)
  return out
}

function urlSecrets(url: string): string[] {
  try {
    const u = new URL(url)
    // a password of any length; a user name or query value only when long enough not to be a plain word
    return [decodeURIComponent(u.password), ...[decodeURIComponent(u.username), ...u.searchParams.values()].filter((s) => s.length >= SECRET_RUN)].filter(Boolean)
  } catch {
    return []
  }
}

const cache = new WeakMap<object, Scrubber>()
/** The scrubber of a config (or any object holding secrets, e.g. a provider list), built once per object. */
export function scrubberFor(config: object): Scrubber {
  let s = cache.get(config)
  if (!s) cache.set(config, (s = createScrubber(configSecrets(config))))
  return s
}
