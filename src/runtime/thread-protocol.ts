import type { IndexData } from '../catalog/engine'
import type { PrebuiltBody } from '../serving/answer-cache'
import type { BreakerSnapshot } from '../refresh/breakers'
import type { RefreshOptions, RefreshReport } from '../refresh/refresher'

/** Messages between the service's main thread and its refresh thread (src/runtime/thread-entry.ts). */
export type ToThread =
  | { type: 'init'; env: Record<string, string | undefined> }
  | { type: 'start' }
  | { type: 'refresh'; id: number; opts: RefreshOptions }
  | { type: 'resetBreakers'; id: number; provider?: string }
  | { type: 'stop' }

export type FromThread =
  | { type: 'ready' }
  /** A new catalog version, with the hot-path bodies built (and compressed) here, their buffers transferred. */
  | { type: 'committed'; version: number; bodies: PrebuiltBody[]; index: IndexData }
  | { type: 'result'; id: number; report?: RefreshReport; breakers?: BreakerSnapshot[]; error?: string }
  | { type: 'report'; report: RefreshReport }
  /** A shared snapshot from Redis refused (src/cluster/replica.ts): the metric. */
  | { type: 'snapshotRejected'; reason: string }
  | { type: 'stopped' }
  | { type: 'fatal'; error: string }

export type { PrebuiltBody } from '../serving/answer-cache'
