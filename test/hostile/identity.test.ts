import { afterEach, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { createCanonicalizer } from '../../src/catalog/canonical'
import { LEARNED_LIMITS, LearnedIdentity, type Observation } from '../../src/catalog/learned'
import type { ProviderOutcome } from '../../src/catalog/store'
import { loadConfig } from '../../src/config'
import type { OfferingInput } from '../../src/domain/types'
import { openCatalog } from '../../src/runtime'
import { tempDir } from '../helpers/harness'

/**
 * A hostile upstream against the learned identity (src/catalog/learned.ts): one provider's list can neither
 * remap another provider's organisation or family (votes are per distinct provider, need two live providers
 * or a reference catalog, and never take a curated or family-owning organisation), and one body with many
 * distinct owners and names costs bounded work (counted: learned entries, rebuilds; never timed).
 */
const live = (provider: string, id: string, extra: Partial<Observation> = {}): Observation => ({ source: 'live', provider, id, ...extra })
const ref = (provider: string, id: string): Observation => ({ source: 'models.dev', provider, id })

/** The honest catalog: two gateways list Xiaomi's MiMo under xiaomi/ (one with its hugging_face_id), a host lists it bare. */
const honest = [
  live('openrouter', 'xiaomi/mimo-v2.5-pro', { name: 'Xiaomi: MiMo-V2.5-Pro', hfId: 'XiaomiMiMo/MiMo-V2.5-Pro' }),
  live('vercel', 'xiaomi/mimo-v2.5-pro', { name: 'MiMo V2.5 Pro' }),
  live('groq', 'mimo-v2.5-pro'),
]

describe('one hostile provider cannot remap another provider’s organisation or family', () => {
  test('the reviewer’s repro: "Google: MiMo-V2.5-Pro" on xiaomi/mimo-v2.5-pro from one provider moves nobody', () => {
    const c = createCanonicalizer()
    c.learn(honest)
    expect(c({ provider: 'groq', id: 'mimo-v2.5-pro' })).toBe('xiaomi/mimo-v2.5-pro') // two gateways agree: groq's bare id is Xiaomi's
    c.learn([live('evilgw', 'xiaomi/mimo-v2.5-pro', { name: 'Google: MiMo-V2.5-Pro' })])
    expect(c.learned.orgSpellings.has('xiaomi')).toBe(false)
    expect(c({ provider: 'openrouter', id: 'xiaomi/mimo-v2.5-pro' })).toBe('xiaomi/mimo-v2.5-pro')
    expect(c({ provider: 'groq', id: 'mimo-v2.5-pro' })).toBe('xiaomi/mimo-v2.5-pro')
  })

  test('…nor with hugging_face_id owners, nor with many ids: one provider is one voter', () => {
    const c = createCanonicalizer()
    c.learn(honest)
    const evil: Observation[] = [live('evilgw', 'xiaomi/mimo-v2.5-pro', { hfId: 'google/MiMo-V2.5-Pro' })]
    // 300 ids of the mimo family under google/, each with a hugging_face_id whose owner is xiaomi
    for (let i = 0; i < 300; i++) evil.push(live('evilgw', `google/mimo-v2.5-pro-${i}b`, { hfId: `xiaomi/MiMo-${i}` }))
    c.learn(evil)
    expect(c.learned.orgSpellings.has('xiaomi')).toBe(false)
    expect(c.learned.orgSpellings.has('google')).toBe(false)
    expect(c.learned.familyOrg('mimo')?.org).not.toBe('google')
    expect(c({ provider: 'openrouter', id: 'xiaomi/mimo-v2.5-pro' })).toBe('xiaomi/mimo-v2.5-pro')
    // groq's id is never given to the hostile organisation (at worst the split leaves it the provider's own)
    expect(c({ provider: 'groq', id: 'mimo-v2.5-pro' })).not.toContain('google')
  })

  test('a curated organisation is never learned as another’s spelling, even by many providers', () => {
    const c = createCanonicalizer()
    c.learn(['a', 'b', 'c', 'd'].map((p) => live(p, 'google/gemini-9-pro', { name: 'Acme: Gemini 9 Pro', hfId: 'acme/gemini-9-pro' })))
    expect(c.learned.orgSpellings.has('google')).toBe(false)
    expect(c({ provider: 'x', id: 'google/gemini-9-pro' })).toBe('google/gemini-9-pro')
  })

  test('near misses: two independent providers teach a spelling; one does not; a reference catalog alone does', () => {
    const spelled = (obs: Observation[]) => {
      const c = createCanonicalizer()
      c.learn(obs)
      return c.learned.orgSpellings.get('zorbai')?.org
    }
    const one = live('gw1', 'zorbco/zorblet-9-70b', { hfId: 'ZorbAI/Zorblet-9-70B' })
    const two = live('gw2', 'zorbco/zorblet-9-70b', { hfId: 'ZorbAI/Zorblet-9-70B' })
    expect(spelled([one])).toBeUndefined()
    expect(spelled([one, { ...one, id: 'zorbco/zorblet-9-8b', hfId: 'ZorbAI/Zorblet-9-8B' }])).toBeUndefined() // the same provider twice is still one voter
    expect(spelled([one, two])).toBe('zorbco')
    // a family's organisation: one live provider is not enough, two are, a reference catalog is
    const family = (obs: Observation[]) => {
      const c = createCanonicalizer()
      c.learn(obs)
      return c({ provider: 'host', id: 'zorblet-9-70b' })
    }
    expect(family([live('gw1', 'zorbco/zorblet-9-70b')])).toBe('host/zorblet-9-70b')
    expect(family([live('gw1', 'zorbco/zorblet-9-70b'), live('gw2', 'zorbco/zorblet-9-70b')])).toBe('zorbco/zorblet-9-70b')
    expect(family([ref('openrouter', 'zorbco/zorblet-9-70b')])).toBe('zorbco/zorblet-9-70b')
  })

  test('votes change by majority, not first come: later providers outvote the first ones', () => {
    const c = createCanonicalizer()
    c.learn([live('gw1', 'zorbco/zorblet-9-70b'), live('gw2', 'zorbco/zorblet-9-70b')])
    expect(c({ provider: 'host', id: 'zorblet-9-70b' })).toBe('zorbco/zorblet-9-70b')
    const generation = c.generation
    c.learn(['gw3', 'gw4', 'gw5', 'gw6'].map((p) => live(p, 'zorbinc/zorblet-9-70b')))
    expect(c({ provider: 'host', id: 'zorblet-9-70b' })).toBe('zorbinc/zorblet-9-70b') // 4 of 6 voters
    expect(c.generation).toBeGreaterThan(generation) // stored rows are re-derived
    // a spelling too: two providers say ZorbAI/ is zorbco, then three say it is zorbinc
    const spell = createCanonicalizer()
    spell.learn(['gw1', 'gw2'].map((p) => live(p, 'zorbco/zorblet-9-70b', { hfId: 'ZorbAI/Zorblet-9-70B' })))
    expect(spell.learned.orgSpellings.get('zorbai')?.org).toBe('zorbco')
    spell.learn(['gw3', 'gw4', 'gw5'].map((p) => live(p, 'zorbinc/zorblet-9-70b', { hfId: 'ZorbAI/Zorblet-9-70B' })))
    expect(spell.learned.orgSpellings.get('zorbai')?.org).toBe('zorbinc')
    // near miss: a 3-to-2 split (under 3/5) decides nothing: the id stays the provider's own
    const split = createCanonicalizer()
    split.learn([live('gw1', 'zorbco/zorblet-9-70b'), live('gw2', 'zorbco/zorblet-9-70b'), live('gw3', 'zorbinc/zorblet-9-70b'), live('gw4', 'zorbinc/zorblet-9-70b')])
    expect(split({ provider: 'host', id: 'zorblet-9-70b' })).toBe('host/zorblet-9-70b')
  })

  test('a merge of two spellings never renames the better-backed one after one provider’s spelling', () => {
    const c = createCanonicalizer({}, new LearnedIdentity(), { orgs: {}, families: {}, namespaces: [], models: {} })
    // z-lab/ is listed by two gateways; aaa-evil/ (sorts first) by one hostile provider, with the same models
    // (and lists them many times over: ids are no votes)
    const evil = Array.from({ length: 20 }, (_, i) => live('evil', `aaa-evil/glm-9.${i + 1}`))
    c.learn([live('gw1', 'z-lab/glm-9.1'), live('gw1', 'z-lab/glm-9.2'), live('gw2', 'z-lab/glm-9.1'), ...evil])
    expect(c({ provider: 'gw1', id: 'z-lab/glm-9.1' })).toBe('z-lab/glm-9.1')
    expect(c({ provider: 'evil', id: 'aaa-evil/glm-9.1' })).toBe('z-lab/glm-9.1') // the hostile spelling is folded into the real one
  })
})

describe('one body with many distinct owners and names costs bounded work', () => {
  /** A distinct family word of letters only per i (a number glued on would read as a version): base 26, digits written q–z. */
  const word = (i: number) => `q${i.toString(26).replace(/\d/g, (d) => String.fromCharCode(113 + Number(d)))}`

  test('1,000 distinct hugging_face_id owners and name organisations: one rebuild, at most the per-batch caps added', () => {
    const c = createCanonicalizer()
    c.learn(Array.from({ length: 2_000 }, (_, i) => ref('openrouter', `org${i % 100}/${word(i)}-${(i % 9) + 1}`)))
    const families = c.learned.size.families
    const rebuilds = c.learned.rebuilds
    const body = Array.from({ length: 1_000 }, (_, i) => live('evilgw', `org${i % 100}/${word(i)}-${(i % 9) + 1}`, { name: `Owner${i}: ${word(i)} ${(i % 9) + 1}`, hfId: `owner${i}/${word(i)}` }))
    const result = c.learn(body)
    expect(c.learned.rebuilds - rebuilds).toBeLessThanOrEqual(2) // votes resolved once after the batch (the old code rebuilt per spelling)
    expect(c.learned.size.spellingCandidates).toBeLessThanOrEqual(LEARNED_LIMITS.newSpellingsPerBatch)
    expect(c.learned.orgSpellings.size).toBe(0) // one provider's word: no spelling
    expect(result.learned).toBeLessThanOrEqual(LEARNED_LIMITS.newSpellingsPerBatch)
    expect(result.deferred).toBe(1_000 - result.learned)
    expect(c.learned.size.families).toBe(families)
    // the deferred observations are not lost: the next batch learns the next share
    const next = c.learn(body)
    expect(next.learned).toBe(result.learned)
    expect(c.learned.size.spellingCandidates).toBe(2 * result.learned)
  })

  test('new families one provider may add per batch are capped; another provider still learns in the same batch', () => {
    const c = createCanonicalizer()
    const flood = Array.from({ length: LEARNED_LIMITS.newFamiliesPerBatch + 200 }, (_, i) => live('flood', `acme/${word(i)}-1`))
    const result = c.learn([...flood, live('gw1', 'zorbco/zorblet-9-70b'), live('gw2', 'zorbco/zorblet-9-70b')])
    expect(result.deferred).toBe(200)
    expect(c.learned.families.size).toBe(LEARNED_LIMITS.newFamiliesPerBatch + 1)
    expect(c({ provider: 'host', id: 'zorblet-9-70b' })).toBe('zorbco/zorblet-9-70b')
    // near miss: exactly at the cap nothing waits
    const at = createCanonicalizer().learn(flood.slice(0, LEARNED_LIMITS.newFamiliesPerBatch))
    expect(at.deferred).toBe(0)
  })

  test('a provider that churns names fills only its own share of the observations', () => {
    const l = new LearnedIdentity()
    let admitted = 0
    for (let i = 0; i < LEARNED_LIMITS.observationsPerProvider + 100; i++) if (l.admit(live('churn', 'acme/widget-1', { name: `Acme: Widget ${i}` }))) admitted++
    expect(admitted).toBe(LEARNED_LIMITS.observationsPerProvider)
    expect(l.observationsOf('live', 'churn')).toBe(LEARNED_LIMITS.observationsPerProvider)
    expect(l.admit(live('other', 'acme/widget-1'))).toBe(true) // another provider still learns
    // a name that is no "Org: Model", or over its cap, is no new observation however it changes
    expect(l.admit(live('other', 'acme/widget-1', { name: 'Widget renamed' }))).toBe(false)
    expect(l.admit(live('other', 'acme/widget-1', { name: `Acme: ${'w'.repeat(LEARNED_LIMITS.nameChars)}` }))).toBe(false)
    expect(l.admit(live('other', 'acme/widget-1', { name: 'Acme: Widget' }))).toBe(true)
  })

  test('a hugging_face_id over its cap is not read: it neither makes a new observation nor votes', () => {
    const l = new LearnedIdentity()
    expect(l.admit(live('gw', 'acme/widget-1'))).toBe(true)
    expect(l.admit(live('gw', 'acme/widget-1', { hfId: `owner/${'x'.repeat(LEARNED_LIMITS.hfIdChars)}` }))).toBe(false)
    expect(l.admit(live('gw', 'acme/widget-1', { hfId: `owner/${'x'.repeat(LEARNED_LIMITS.hfIdChars - 6)}` }))).toBe(true) // 128 chars: read
    const c = createCanonicalizer()
    c.learn(['gw1', 'gw2'].map((p) => live(p, 'zorbco/zorblet-9-70b', { hfId: `ZorbAI/${'z'.repeat(LEARNED_LIMITS.hfIdChars)}` })))
    expect(c.learned.size.spellingCandidates).toBe(0)
  })
})

describe('in the store: a hostile list and a restart', () => {
  const opened: ReturnType<typeof openCatalog>[] = []
  afterEach(() => {
    for (const c of opened.splice(0)) c.close()
  })
  const offering = (providerModelId: string, extra: Partial<OfferingInput> = {}): OfferingInput => ({
    providerModelId,
    name: providerModelId,
    pricing: { prompt: '0.000001', completion: '0.000002' },
    ...extra,
  })
  const list = (provider: string, ...offerings: OfferingInput[]): ProviderOutcome => ({ provider, ok: true, offerings, skipped: 0, durationMs: 1, warning: null })

  test('the hostile list moves no stored row of another provider, and a restart re-learns nothing else from the DB', () => {
    const path = join(tempDir(), 'catalog.db')
    const config = loadConfig({ MODELCAT_DB: path })
    const first = openCatalog(config)
    opened.push(first)
    const outcomes = [
      list('openrouter', offering('xiaomi/mimo-v2.5-pro', { name: 'Xiaomi: MiMo-V2.5-Pro', extra: { hugging_face_id: 'XiaomiMiMo/MiMo-V2.5-Pro' } })),
      list('vercel', offering('xiaomi/mimo-v2.5-pro')),
      list('groq', offering('mimo-v2.5-pro')),
      list('evilgw', offering('xiaomi/mimo-v2.5-pro', { name: 'Google: MiMo-V2.5-Pro', extra: { hugging_face_id: 'google/MiMo-V2.5-Pro' } })),
    ]
    first.store.prepareIdentity(outcomes)
    first.store.commitRefresh('test', Date.now(), outcomes)
    const ids = (c: typeof first) => ['openrouter', 'vercel', 'groq', 'evilgw'].map((p) => c.store.getOffering(`${p}/${p === 'groq' ? '' : 'xiaomi/'}mimo-v2.5-pro`)?.canonicalId)
    expect(ids(first)).toEqual(['xiaomi/mimo-v2.5-pro', 'xiaomi/mimo-v2.5-pro', 'xiaomi/mimo-v2.5-pro', 'xiaomi/mimo-v2.5-pro'])
    first.close()
    opened.pop()
    const again = openCatalog(config) // startup learns what the DB holds and re-derives every stored row
    opened.push(again)
    expect(ids(again)).toEqual(['xiaomi/mimo-v2.5-pro', 'xiaomi/mimo-v2.5-pro', 'xiaomi/mimo-v2.5-pro', 'xiaomi/mimo-v2.5-pro'])
  })
})
