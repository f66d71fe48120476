import type { RefreshOptions, RefreshReport } from './worker'

/** Messages between the service's main thread and its refresh thread (src/refresh/thread-entry.ts). */
export type ToThread =
  | { type: 'init'; env: Record<string, string | undefined> }
  | { type: 'start' }
  | { type: 'refresh'; id: number; opts: RefreshOptions }
  | { type: 'stop' }

export type FromThread =
  | { type: 'ready' }
  | { type: 'committed'; version: number }
  | { type: 'result'; id: number; report?: RefreshReport; error?: string }
  | { type: 'stopped' }
  | { type: 'fatal'; error: string }
