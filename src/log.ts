import pino, { type Logger } from 'pino'
import type { LogLevel } from './config'

/** Structured JSON logs on stdout. */
export const createLogger = (level: LogLevel): Logger => pino({ level, base: { service: 'modelcat' } })
