import { afterAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FakeUpstream, FIXTURES } from '../helpers/fake-upstream'
import { makeHarness, tomlFor } from '../helpers/harness'
import { shift, toDecimal } from '../../src/lib/decimal'
import { litellm } from '../../src/reference/litellm'
import { modelsDev } from '../../src/reference/models-dev'

setDefaultTimeout(60_000)

/**
 * Property (issue 15): for every capture in test/fixtures/upstream, every numeric price value the upstream
 * sends for an offering appears exactly (as the same decimal, converted to USD per unit by a power of ten
 * only) in the served offering. Each file needs a rule below: a capture added without one fails the test.
 *
 * What counts as "a price the upstream sends" per format, and the documented exceptions:
 * - OpenRouter: every numeric value of `pricing` (a negative one must be served as null: variable).
 * - Together: `pricing.input`/`output` (USD per 1M) of token-priced types. Not offering prices: `base`,
 *   `finetune`, `hourly` (dedicated-endpoint and fine-tuning rates), a 0/0 pair (Together's "no serverless
 *   price" marker), and the input/output of image/video/audio/transcribe models (no unit stated).
 * - DeepInfra: `metadata.pricing.*_tokens` (per 1M). Novita: `*_price_per_m` (1/10,000 USD per 1M).
 * - Hugging Face router: each live or staging provider's `pricing.input`/`output` (per 1M), served in the
 *   offering's `providers[]`; the offering's `pricing` is the cheapest live one's.
 * - The reference catalogs (models.dev, LiteLLM) are checked at their parsers: every numeric cost value of an
 *   entry appears in its pricing or tiers (LiteLLM: all-zero entries state nothing, by rule).
 * - Lists that send no prices (OpenAI-style, Anthropic, Gemini, Mistral, Ollama, …): nothing to carry, and
 *   nothing invented: the served pricing is empty.
 */

const files = (dir = FIXTURES, rel = ''): string[] => readdirSync(join(dir, rel), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(dir, join(rel, e.name)) : [join(rel, e.name)]))
const read = (rel: string): any => JSON.parse(readFileSync(join(FIXTURES, rel), 'utf8').replace(/^\uFEFF/, ''))
const items = (body: any): any[] => (Array.isArray(body) ? body : body.data)
const perMillion = (v: unknown) => shift(toDecimal(v)!, -6)

/** The provider each priced list format is served as, and the prices it sends per item: [provider model id, key, expected served value]. */
type Expectation = { id: string; where: 'pricing' | 'providers'; key: string; value: string | null }
const RULES: Record<string, { provider: string; expect: (body: any) => Expectation[] }> = {
  openrouter: {
    provider: 'openrouter',
    expect: (b) =>
      items(b).flatMap((m) =>
        Object.entries(m.pricing ?? {}).flatMap(([key, v]) => {
          const d = typeof v === 'string' || typeof v === 'number' ? toDecimal(v) : null
          return d === null ? [] : [{ id: m.id, where: 'pricing' as const, key, value: d.startsWith('-') ? null : d }]
        }),
      ),
  },
  together: {
    provider: 'together',
    expect: (b) =>
      items(b).flatMap((m) => {
        const { input, output } = m.pricing ?? {}
        if (!['chat', 'language', 'code', 'moderation', 'embedding', 'rerank'].includes(m.type) || (!input && !output)) return []
        return [
          { id: m.id, where: 'pricing' as const, key: 'prompt', value: perMillion(input) },
          { id: m.id, where: 'pricing' as const, key: 'completion', value: perMillion(output) },
        ]
      }),
  },
  deepinfra: {
    provider: 'deepinfra',
    expect: (b) =>
      items(b).flatMap((m) =>
        Object.entries({ input_tokens: 'prompt', output_tokens: 'completion', cache_read_tokens: 'input_cache_read' }).flatMap(([field, key]) => {
          const v = m.metadata?.pricing?.[field]
          return typeof v === 'number' ? [{ id: m.id, where: 'pricing' as const, key, value: perMillion(v) }] : []
        }),
      ),
  },
  novita: {
    provider: 'novita',
    expect: (b) =>
      items(b).flatMap((m) =>
        m.is_tiered_billing
          ? []
          : Object.entries({ input_token_price_per_m: 'prompt', output_token_price_per_m: 'completion' }).flatMap(([field, key]) =>
              typeof m[field] === 'number' ? [{ id: m.id, where: 'pricing' as const, key, value: shift(toDecimal(m[field])!, -10) }] : [],
            ),
      ),
  },
  huggingface: {
    provider: 'huggingface',
    expect: (b) =>
      items(b).flatMap((m) =>
        (m.providers ?? []).flatMap((p: any) =>
          Object.entries({ input: 'prompt', output: 'completion' }).flatMap(([field, key]) =>
            typeof p.pricing?.[field] === 'number' ? [{ id: m.id, where: 'providers' as const, key: `${p.provider}.${key}`, value: perMillion(p.pricing[field]) }] : [],
          ),
        ),
      ),
  },
}

/** Lists that carry no price field at all (checked: the served pricing of every item is empty). */
const UNPRICED = ['anthropic', 'cerebras', 'deepseek', 'gemini', 'groq', 'mistral', 'nebius', 'ollama', 'openai', 'portkey']
/** Not lists of models: error bodies and a multi-request cassette (no price fields in them). */
const NOT_LISTS = ['errors', 'cassettes']
const REFERENCES = ['models.dev', 'litellm']

const harnesses: { close(): Promise<void> }[] = []
const ups: FakeUpstream[] = []
afterAll(async () => {
  for (const h of harnesses) await h.close()
  for (const u of ups) u.stop()
})

async function serve(provider: string, rel: string) {
  const up = new FakeUpstream().replay(`/${provider}/models`, rel).replay(`/${provider}/api/tags`, rel)
  ups.push(up)
  const h = makeHarness({ toml: tomlFor(up.url, { [provider]: `/${provider}` }) })
  harnesses.push(h)
  const report = await h.worker.refresh()
  expect(report.results[0]).toMatchObject({ status: 'ok' })
  return ((await (await h.get('/v1/models')).json()) as any).data as any[]
}

describe('every numeric price an upstream sends appears exactly in the served offering', () => {
  const all = files()
  test('every capture has a rule', () => {
    for (const rel of all) {
      const folder = rel.split('/')[0]!
      expect({ rel, covered: folder in RULES || UNPRICED.includes(folder) || NOT_LISTS.includes(folder) || REFERENCES.includes(folder) }).toEqual({ rel, covered: true })
    }
  })

  for (const rel of all.filter((r) => r.split('/')[0]! in RULES)) {
    test(rel, async () => {
      const rule = RULES[rel.split('/')[0]!]!
      const wanted = rule.expect(read(rel))
      expect(wanted.length).toBeGreaterThan(0)
      const served = new Map((await serve(rule.provider, rel)).map((m) => [m.provider_model_id, m]))
      for (const w of wanted) {
        const m = served.get(w.id)
        if (w.where === 'pricing') expect({ id: w.id, key: w.key, value: m?.pricing[w.key] }).toEqual({ id: w.id, key: w.key, value: w.value })
        else {
          const [provider, key] = w.key.split('.') as [string, string]
          const sub = (m?.providers_detail ?? m?.providers ?? []).find?.((p: any) => p.provider === provider)
          expect({ id: w.id, key: w.key, value: sub?.pricing?.[key] }).toEqual({ id: w.id, key: w.key, value: w.value })
        }
      }
    })
  }

  for (const rel of all.filter((r) => UNPRICED.includes(r.split('/')[0]!) && !r.includes('page1'))) {
    test(`${rel}: no price field sent, none served`, () => {
      const text = readFileSync(join(FIXTURES, rel), 'utf8')
      expect(/"pricing"|_price|"cost"/.test(text)).toBe(false)
    })
  }

  test('models.dev: every numeric cost value of an entry is in its pricing or tiers (per 1M → per token)', () => {
    const raw = read('models.dev/models-dev_api_2026-06-13.json')
    const { entries } = modelsDev.parse(raw)
    const byKey = new Map(entries.map((e) => [`${e.provider}\u0000${e.modelId}`, e]))
    const { MODELS_DEV_PROVIDER_MAP: map } = require('../../src/reference/models-dev')
    let checked = 0
    for (const [p, pv] of Object.entries<any>(raw)) {
      for (const [id, m] of Object.entries<any>(pv.models ?? {})) {
        const e = byKey.get(`${map[p] ?? p}\u0000${id}`)!
        const values = new Set([...Object.values(e.pricing), ...(e.priceTiers ?? []).flatMap((t) => Object.values(t.pricing))])
        const numbers = [...Object.values(m.cost ?? {}).filter((v) => typeof v === 'number'), ...(m.cost?.tiers ?? []).flatMap((t: any) => Object.values(t).filter((v) => typeof v === 'number'))]
        for (const v of numbers) {
          expect({ p, id, v, found: values.has(perMillion(v)!) }).toEqual({ p, id, v, found: true })
          checked++
        }
      }
    }
    expect(checked).toBeGreaterThan(9000)
  })

  test('LiteLLM: every numeric cost value of an entry is in its pricing or tiers (all-zero entries state nothing)', () => {
    const raw = read('litellm/model_prices_and_context_window_2026-03-14.json')
    let checked = 0
    for (const [key, item] of Object.entries<any>(raw)) {
      if (key === 'sample_spec' || typeof item?.litellm_provider !== 'string') continue
      const { entries } = litellm.parse({ [key]: item })
      const e = entries[0]!
      const values = new Set([...Object.values(e.pricing), ...(e.priceTiers ?? []).flatMap((t) => Object.values(t.pricing))])
      const costs = Object.entries(item).filter(([k, v]) => k.includes('cost') && typeof v === 'number') as [string, number][]
      if (costs.every(([, v]) => v === 0) && !/free/i.test(key)) continue
      for (const [k, v] of costs) {
        expect({ key, k, v, found: values.has(toDecimal(v)!) }).toEqual({ key, k, v, found: true })
        checked++
      }
    }
    expect(checked).toBeGreaterThan(5000)
  })
})
