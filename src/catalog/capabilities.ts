import type { Capabilities, OfferingInput } from '../domain/types'

/** supported_parameters (OpenRouter's vocabulary) that imply a capability. */
const FROM_PARAMETERS: Record<string, keyof Capabilities> = {
  tools: 'tools',
  tool_choice: 'tools',
  reasoning: 'reasoning',
  include_reasoning: 'reasoning',
  structured_outputs: 'structured_output',
  response_format: 'structured_output',
}

/**
 * The capability flags an offering states, completed from what else it says: supported parameters
 * (tools, reasoning, structured outputs) and input modalities (image → vision). What the upstream
 * states is kept, `false` included; derivation only adds positive evidence, so a flag nobody states
 * stays absent (unknown).
 */
export function deriveCapabilities(o: OfferingInput): Capabilities | null {
  const caps: Capabilities = { ...o.capabilities }
  for (const p of o.supportedParameters ?? []) {
    const flag = FROM_PARAMETERS[p]
    if (flag && caps[flag] === undefined) caps[flag] = true
  }
  if (o.inputModalities?.includes('image') && caps.vision === undefined) caps.vision = true
  return Object.keys(caps).length ? caps : null
}
