import type { Adapter } from '../adapter'
import { openaiAdapter } from './openai'
import { openrouterAdapter } from './openrouter'
import { staticAdapter } from './static'
import { togetherAdapter } from './together'

/** Every list format modelcat reads. Adding one = one file here + one row below. */
export const ADAPTERS = {
  openai: openaiAdapter,
  openrouter: openrouterAdapter,
  together: togetherAdapter,
  static: staticAdapter,
} satisfies Record<string, Adapter>

export type AdapterId = keyof typeof ADAPTERS
export const ADAPTER_IDS = Object.keys(ADAPTERS) as AdapterId[]
