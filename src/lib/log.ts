import pino, { type DestinationStream, type Logger } from 'pino'
import { scrub as scrubGeneric, type Scrubber } from './scrub'

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

/** Fields that may carry outside text (upstream errors, exception messages, URLs): scrubbed in every log line. */
const SCRUBBED_FIELDS = ['error', 'err', 'url', 'warning', 'reason'] as const
/** An error's stack is kept longer than a message (still one line). */
const MAX_STACK_CHARS = 2000

/**
 * Structured JSON logs on stdout. Every line passes `scrub` (src/lib/scrub.ts: the config's secrets,
 * tokens, signed URLs, control chars) on its error/err/url/warning/reason fields: the last line of defence.
 */
export const createLogger = (level: LogLevel, opts: { scrub?: Scrubber; destination?: DestinationStream } = {}): Logger => {
  const scrub = opts.scrub ?? scrubGeneric
  const clean = (v: unknown): unknown => {
    if (typeof v === 'string') return scrub(v)
    if (v instanceof Error) return { type: v.name, message: scrub(v.message), stack: scrub(v.stack ?? '', MAX_STACK_CHARS) }
    return v
  }
  return pino(
    {
      level,
      base: { service: 'modelcat' },
      formatters: {
        log(obj) {
          if (!SCRUBBED_FIELDS.some((k) => k in obj)) return obj
          const out = { ...obj }
          for (const k of SCRUBBED_FIELDS) if (k in out) out[k] = clean(out[k])
          return out
        },
      },
    },
    opts.destination,
  )
}
