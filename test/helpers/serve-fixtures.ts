/**
 * A fake internet for trying modelcat by hand (no network needed): serves the real captures in
 * test/fixtures/upstream on 127.0.0.1:9000 (or $FAKE_UPSTREAM_PORT) under the paths the README's
 * example config points at.
 *
 *   bun test/helpers/serve-fixtures.ts
 */
import { FakeUpstream } from './fake-upstream'

const ROUTES: Record<string, string> = {
  '/groq/openai/v1/models': 'groq/groq_models_2026-01-22.json',
  '/together/v1/models': 'together/together_v1_models_2026-01-23.json',
  '/openrouter/api/v1/models': 'openrouter/roo-code_openrouter-models_2025-05-12.DECODED_BODY.json',
  '/deepinfra/v1/openai/models': 'deepinfra/deepinfra_models_2026-03-01.json',
  '/mistral/v1/models': 'mistral/mistral_models_2025-05-23.json',
  '/xai/v1/models': 'errors/xai_models_error_invalid-api-key_2026-02-27.json',
}

const up = new FakeUpstream(Number(process.env.FAKE_UPSTREAM_PORT ?? 9000))
for (const [path, fixture] of Object.entries(ROUTES)) up.replay(path, fixture, path.startsWith('/xai') ? { status: 400 } : {})
console.log(
  `fake upstream on ${up.url}:\n${Object.keys(ROUTES)
    .map((p) => `  ${up.url}${p}`)
    .join('\n')}`,
)
