import { litellm } from './litellm'
import { modelsDev } from './models-dev'
import { parseReferenceProviders, type ReferenceProvider } from './providers'
import litellmSnapshot from './snapshots/litellm_model_prices_2026-03-14.json.gz' with { type: 'file' }
import modelsDevSnapshot from './snapshots/models-dev_api_2026-06-13.json.gz' with { type: 'file' }
import type { ReferenceSource } from './types'

/** The reference catalogs, in order of precedence, each with its embedded snapshot (see snapshots/README.md). */
export const REFERENCES: {
  source: ReferenceSource
  snapshot: () => Promise<Uint8Array<ArrayBuffer>>
  snapshotLabel: string
  /** What the body says of the providers themselves (base URL, key variables): the reference-derived providers. */
  providers?: (body: unknown) => ReferenceProvider[]
}[] = [
  { source: modelsDev, snapshot: () => Bun.file(modelsDevSnapshot).bytes(), snapshotLabel: 'models.dev 2026-06-13', providers: parseReferenceProviders },
  { source: litellm, snapshot: () => Bun.file(litellmSnapshot).bytes(), snapshotLabel: 'LiteLLM 2026-03-14' },
]
