import type { AdapterId } from './adapters'

/** Static facts about a built-in provider; runtime state lives in the DB, overrides in the TOML config. */
export interface ProviderSpec {
  id: string
  name: string
  adapter: AdapterId
  /** The adapter appends its own path (e.g. `/models`). */
  baseUrl: string
  /** Environment variables holding the API key, first set one wins. */
  apiKeyEnv: string[]
  aliases: string[]
  /** Whether the model list can only be read with a key. Without one the provider is `needs_key`. */
  keyRequired: boolean
  /** false: listed but off until the config enables it (e.g. a local Ollama that most hosts lack). */
  defaultEnabled?: boolean
}

export const BUILTIN_PROVIDERS: ProviderSpec[] = [
  { id: 'openrouter', name: 'OpenRouter', adapter: 'openrouter', baseUrl: 'https://openrouter.ai/api/v1', apiKeyEnv: ['OPENROUTER_API_KEY'], aliases: [], keyRequired: false },
  { id: 'groq', name: 'Groq', adapter: 'openai', baseUrl: 'https://api.groq.com/openai/v1', apiKeyEnv: ['GROQ_API_KEY'], aliases: [], keyRequired: true },
  { id: 'together', name: 'Together AI', adapter: 'together', baseUrl: 'https://api.together.xyz/v1', apiKeyEnv: ['TOGETHER_API_KEY'], aliases: ['togetherai'], keyRequired: true },
  { id: 'deepinfra', name: 'DeepInfra', adapter: 'openai', baseUrl: 'https://api.deepinfra.com/v1/openai', apiKeyEnv: ['DEEPINFRA_API_KEY', 'DEEPINFRA_TOKEN'], aliases: [], keyRequired: false },
  { id: 'mistral', name: 'Mistral AI', adapter: 'openai', baseUrl: 'https://api.mistral.ai/v1', apiKeyEnv: ['MISTRAL_API_KEY'], aliases: ['mistralai'], keyRequired: true },
  { id: 'openai', name: 'OpenAI', adapter: 'openai', baseUrl: 'https://api.openai.com/v1', apiKeyEnv: ['OPENAI_API_KEY'], aliases: [], keyRequired: true },
  { id: 'cerebras', name: 'Cerebras', adapter: 'openai', baseUrl: 'https://api.cerebras.ai/v1', apiKeyEnv: ['CEREBRAS_API_KEY'], aliases: [], keyRequired: true },
  { id: 'nebius', name: 'Nebius AI Studio', adapter: 'openai', baseUrl: 'https://api.studio.nebius.com/v1', apiKeyEnv: ['NEBIUS_API_KEY'], aliases: [], keyRequired: true },
  { id: 'xai', name: 'xAI', adapter: 'openai', baseUrl: 'https://api.x.ai/v1', apiKeyEnv: ['XAI_API_KEY'], aliases: ['grok'], keyRequired: true },
  { id: 'deepseek', name: 'DeepSeek', adapter: 'openai', baseUrl: 'https://api.deepseek.com', apiKeyEnv: ['DEEPSEEK_API_KEY'], aliases: [], keyRequired: true },
  { id: 'fireworks', name: 'Fireworks AI', adapter: 'openai', baseUrl: 'https://api.fireworks.ai/inference/v1', apiKeyEnv: ['FIREWORKS_API_KEY'], aliases: ['fireworks-ai'], keyRequired: true },
  { id: 'featherless', name: 'Featherless AI', adapter: 'openai', baseUrl: 'https://api.featherless.ai/v1', apiKeyEnv: ['FEATHERLESS_API_KEY'], aliases: ['featherless-ai'], keyRequired: false },
  { id: 'huggingface', name: 'Hugging Face Inference Providers', adapter: 'openai', baseUrl: 'https://router.huggingface.co/v1', apiKeyEnv: ['HF_TOKEN', 'HUGGINGFACE_API_KEY'], aliases: ['hug', 'hf'], keyRequired: false },
]
