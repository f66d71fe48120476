import type { Adapter } from '../adapter'
import { anthropicAdapter } from './anthropic'
import { cohereAdapter } from './cohere'
import { deepinfraAdapter } from './deepinfra'
import { geminiAdapter } from './gemini'
import { herokuAdapter } from './heroku'
import { huggingfaceAdapter } from './huggingface'
import { mistralAdapter } from './mistral'
import { novitaAdapter } from './novita'
import { ollamaAdapter } from './ollama'
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
  anthropic: anthropicAdapter,
  gemini: geminiAdapter,
  cohere: cohereAdapter,
  ollama: ollamaAdapter,
  deepinfra: deepinfraAdapter,
  mistral: mistralAdapter,
  novita: novitaAdapter,
  huggingface: huggingfaceAdapter,
  heroku: herokuAdapter,
} satisfies Record<string, Adapter>

export type AdapterId = keyof typeof ADAPTERS
export const ADAPTER_IDS = Object.keys(ADAPTERS) as AdapterId[]
