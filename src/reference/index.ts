import { litellm } from './litellm'
import { modelsDev } from './models-dev'
import litellmSnapshot from './snapshots/litellm_model_prices_2026-03-14.json.gz' with { type: 'file' }
import modelsDevSnapshot from './snapshots/models-dev_api_2026-06-13.json.gz' with { type: 'file' }
import type { ReferenceSource } from './types'

/** The reference catalogs, in order of precedence, each with its embedded snapshot (see snapshots/README.md). */
export const REFERENCES: { source: ReferenceSource; snapshot: () => Promise<Uint8Array<ArrayBuffer>>; snapshotLabel: string }[] = [
  { source: modelsDev, snapshot: () => Bun.file(modelsDevSnapshot).bytes(), snapshotLabel: 'models.dev 2026-06-13' },
  { source: litellm, snapshot: () => Bun.file(litellmSnapshot).bytes(), snapshotLabel: 'LiteLLM 2026-03-14' },
]
