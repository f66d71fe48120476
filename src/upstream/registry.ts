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

const p = (id: string, name: string, adapter: AdapterId, baseUrl: string, apiKeyEnv: string[], keyRequired: boolean, aliases: string[] = [], extra: Partial<ProviderSpec> = {}): ProviderSpec => ({
  id,
  name,
  adapter,
  baseUrl,
  apiKeyEnv,
  aliases,
  keyRequired,
  ...extra,
})

/**
 * Built-in providers. Adding one = one row (and, for a new list format, one adapter file).
 * keyRequired: listing the models needs a key (true where the API is not known to answer without one).
 */
export const BUILTIN_PROVIDERS: ProviderSpec[] = [
  // routers and aggregators
  p('openrouter', 'OpenRouter', 'openrouter', 'https://openrouter.ai/api/v1', ['OPENROUTER_API_KEY'], false),
  p('huggingface', 'Hugging Face Inference Providers', 'huggingface', 'https://router.huggingface.co/v1', ['HF_TOKEN', 'HUGGINGFACE_API_KEY'], false, ['hug', 'hf']),
  p('vercel', 'Vercel AI Gateway', 'openai', 'https://ai-gateway.vercel.sh/v1', ['AI_GATEWAY_API_KEY'], false, ['vercel-ai-gateway']),
  p('requesty', 'Requesty', 'openai', 'https://router.requesty.ai/v1', ['REQUESTY_API_KEY'], true),
  // model labs
  p('openai', 'OpenAI', 'openai', 'https://api.openai.com/v1', ['OPENAI_API_KEY'], true),
  p('anthropic', 'Anthropic', 'anthropic', 'https://api.anthropic.com/v1', ['ANTHROPIC_API_KEY'], true, ['claude']),
  p('gemini', 'Google Gemini', 'gemini', 'https://generativelanguage.googleapis.com/v1beta', ['GEMINI_API_KEY', 'GOOGLE_API_KEY'], true, ['google']),
  p('mistral', 'Mistral AI', 'mistral', 'https://api.mistral.ai/v1', ['MISTRAL_API_KEY'], true, ['mistralai']),
  p('xai', 'xAI', 'openai', 'https://api.x.ai/v1', ['XAI_API_KEY'], true, ['grok']),
  p('deepseek', 'DeepSeek', 'openai', 'https://api.deepseek.com', ['DEEPSEEK_API_KEY'], true),
  p('cohere', 'Cohere', 'cohere', 'https://api.cohere.com/v1', ['COHERE_API_KEY', 'CO_API_KEY'], true),
  p('moonshot', 'Moonshot AI', 'openai', 'https://api.moonshot.ai/v1', ['MOONSHOT_API_KEY'], true, ['moonshotai', 'kimi']),
  p('zai', 'Z.ai', 'openai', 'https://api.z.ai/api/paas/v4', ['ZAI_API_KEY'], true, ['z-ai']),
  p('alibaba', 'Alibaba Cloud Model Studio', 'openai', 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1', ['DASHSCOPE_API_KEY'], true, ['dashscope', 'qwen']),
  p('llama', 'Meta Llama API', 'openai', 'https://api.llama.com/compat/v1', ['LLAMA_API_KEY'], true, ['meta-llama-api']),
  p('upstage', 'Upstage', 'openai', 'https://api.upstage.ai/v1', ['UPSTAGE_API_KEY'], true),
  // inference providers
  p('groq', 'Groq', 'openai', 'https://api.groq.com/openai/v1', ['GROQ_API_KEY'], true),
  p('together', 'Together AI', 'together', 'https://api.together.xyz/v1', ['TOGETHER_API_KEY'], true, ['togetherai']),
  p('fireworks', 'Fireworks AI', 'openai', 'https://api.fireworks.ai/inference/v1', ['FIREWORKS_API_KEY'], true, ['fireworks-ai']),
  p('deepinfra', 'DeepInfra', 'deepinfra', 'https://api.deepinfra.com/v1/openai', ['DEEPINFRA_API_KEY', 'DEEPINFRA_TOKEN'], false),
  p('featherless', 'Featherless AI', 'openai', 'https://api.featherless.ai/v1', ['FEATHERLESS_API_KEY'], false, ['featherless-ai']),
  p('cerebras', 'Cerebras', 'openai', 'https://api.cerebras.ai/v1', ['CEREBRAS_API_KEY'], true),
  p('sambanova', 'SambaNova Cloud', 'openai', 'https://api.sambanova.ai/v1', ['SAMBANOVA_API_KEY'], true),
  p('nebius', 'Nebius AI Studio', 'openai', 'https://api.studio.nebius.com/v1', ['NEBIUS_API_KEY'], true),
  p('novita', 'Novita AI', 'novita', 'https://api.novita.ai/v3/openai', ['NOVITA_API_KEY'], true, ['novita-ai', 'novitaai']),
  p('chutes', 'Chutes', 'openai', 'https://llm.chutes.ai/v1', ['CHUTES_API_KEY'], false),
  p('hyperbolic', 'Hyperbolic', 'openai', 'https://api.hyperbolic.xyz/v1', ['HYPERBOLIC_API_KEY'], true),
  p('siliconflow', 'SiliconFlow', 'openai', 'https://api.siliconflow.com/v1', ['SILICONFLOW_API_KEY'], true),
  p('nvidia', 'NVIDIA NIM', 'openai', 'https://integrate.api.nvidia.com/v1', ['NVIDIA_API_KEY'], false, ['nim']),
  p('lambda', 'Lambda Inference', 'openai', 'https://api.lambda.ai/v1', ['LAMBDA_API_KEY'], true),
  p('scaleway', 'Scaleway Generative APIs', 'openai', 'https://api.scaleway.ai/v1', ['SCW_SECRET_KEY'], true),
  p('ovhcloud', 'OVHcloud AI Endpoints', 'openai', 'https://oai.endpoints.kepler.ai.cloud.ovh.net/v1', ['OVH_AI_ENDPOINTS_ACCESS_TOKEN'], false, ['ovh']),
  p('venice', 'Venice AI', 'openai', 'https://api.venice.ai/api/v1', ['VENICE_API_KEY'], false),
  p('baseten', 'Baseten', 'openai', 'https://inference.baseten.co/v1', ['BASETEN_API_KEY'], true),
  p('friendli', 'FriendliAI', 'openai', 'https://api.friendli.ai/serverless/v1', ['FRIENDLI_TOKEN'], true),
  p('inference-net', 'Inference.net', 'openai', 'https://api.inference.net/v1', ['INFERENCE_API_KEY'], true, ['inference']),
  p('kluster', 'kluster.ai', 'openai', 'https://api.kluster.ai/v1', ['KLUSTER_API_KEY'], true),
  p('nscale', 'Nscale', 'openai', 'https://inference.api.nscale.com/v1', ['NSCALE_API_KEY'], true),
  p('parasail', 'Parasail', 'openai', 'https://api.parasail.io/v1', ['PARASAIL_API_KEY'], true),
  p('heroku', 'Heroku Managed Inference', 'heroku', 'https://us.inference.heroku.com', ['INFERENCE_KEY', 'HEROKU_INFERENCE_KEY'], true),
  // local
  p('ollama', 'Ollama (local)', 'ollama', 'http://127.0.0.1:11434', ['OLLAMA_API_KEY'], false, [], { defaultEnabled: false }),
]
