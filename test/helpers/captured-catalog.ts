import { expect } from 'bun:test'
import { FakeUpstream } from './fake-upstream'
import { type Harness, makeHarness, tomlFor } from './harness'

/**
 * The catalog most HTTP tests read: a fake upstream replaying real captures of three providers (Groq
 * 2026-01-22: no prices, no descriptions; Together 2026-01-23: per-1M prices; OpenRouter 2025-05-12: with `-1`
 * routers) and a harness over it, refreshed once.
 */

/** Each provider's base_url path on the fake upstream (its list at `<path>/models`). */
export const GROQ = '/groq/openai/v1'
export const TOGETHER = '/together/v1'
export const OPENROUTER = '/openrouter/api/v1'

/** The captures replayed (relative to test/fixtures/upstream). */
export const CAPTURES = {
  groq: 'groq/groq_models_2026-01-22.json',
  together: 'together/together_v1_models_2026-01-23.json',
  openrouter: 'openrouter/roo-code_openrouter-models_2025-05-12.DECODED_BODY.json',
} as const

/** The fake upstream; `openrouterBody`: a JSON body (one derived from the capture) served in place of OpenRouter's capture. */
export function capturedUpstream(opts: { openrouterBody?: string } = {}) {
  const up = new FakeUpstream().replay(`${GROQ}/models`, CAPTURES.groq).replay(`${TOGETHER}/models`, CAPTURES.together)
  if (opts.openrouterBody === undefined) return up.replay(`${OPENROUTER}/models`, CAPTURES.openrouter)
  return up.set(`${OPENROUTER}/models`, { kind: 'body', body: opts.openrouterBody, contentType: 'application/json' })
}

/** The TOML config refreshing the three providers from the fake upstream at `upstreamUrl`. */
export const capturedToml = (upstreamUrl: string) => tomlFor(upstreamUrl, { groq: GROQ, together: TOGETHER, openrouter: OPENROUTER })

/** The fake upstream and a harness over it, after one full refresh. The caller closes both (`h.close()`, `up.stop()`). */
export async function openCapturedCatalog(opts: { openrouterBody?: string } = {}) {
  const up = capturedUpstream(opts)
  const h = makeHarness({ toml: capturedToml(up.url) })
  await h.worker.refresh()
  return { up, h }
}

/** GET `path` through the harness, expecting a 200: its parsed JSON body. */
export async function getOk(h: Harness, path: string): Promise<any> {
  const res = await h.get(path)
  expect(res.status).toBe(200)
  return await res.json()
}
