import { afterEach, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { createCanonicalizer } from '../../src/catalog/canonical'
import { CatalogStore, type ProviderOutcome } from '../../src/catalog/store'
import { loadConfig } from '../../src/config'
import { openDb } from '../../src/db/client'
import type { OfferingInput } from '../../src/domain/types'
import { openCatalog } from '../../src/runtime'
import { tempDir } from '../helpers/harness'

/**
 * Issue 16 on the write path (issue 12's rule: no heavy work inside the write transaction): identity is learned
 * and decided by store.prepareIdentity before commitRefresh, and stored rows are re-derived only when the
 * learned tables changed, in the same commit as the lists that changed them.
 */
const opened: ReturnType<typeof openCatalog>[] = []
afterEach(() => {
  for (const c of opened.splice(0)) c.close()
})
function catalog() {
  const c = openCatalog(loadConfig({ MODELCAT_DB: join(tempDir(), 'catalog.db') }))
  opened.push(c)
  return c
}
const offering = (providerModelId: string, name = providerModelId): OfferingInput => ({ providerModelId, name, pricing: { prompt: '0.000001', completion: '0.000002' } })
const list = (provider: string, ...offerings: OfferingInput[]): ProviderOutcome => ({ provider, ok: true, offerings, skipped: 0, durationMs: 1, warning: null })
const canonicalOf = (c: ReturnType<typeof catalog>, id: string) => c.store.getOffering(id)?.canonicalId
const basisOf = (c: ReturnType<typeof catalog>, id: string) => c.store.getOffering(id)?.canonicalBasis
/** A refresh's write as the refresher does it: identity decided first, then the commit. */
function refresh(c: ReturnType<typeof catalog>, outcomes: ProviderOutcome[], trigger = 'test') {
  c.store.prepareIdentity(outcomes)
  c.store.commitRefresh(trigger, Date.now(), outcomes)
}

describe('identity is decided before the commit', () => {
  test('prepareIdentity decides each offering (id and basis); the commit writes what was decided', () => {
    const c = catalog()
    // two gateways (independent providers) list the family under its organisation
    const outcomes = [list('gw', offering('acmelabs/zorblet-9-70b')), list('gw2', offering('acmelabs/zorblet-9-70b')), list('host', offering('zorblet-9-70b'))]
    c.store.prepareIdentity(outcomes)
    const [gw, , host] = outcomes as Extract<ProviderOutcome, { ok: true }>[]
    expect(gw!.canonicalIds).toEqual(['acmelabs/zorblet-9-70b'])
    expect(host!.canonicalIds).toEqual(['acmelabs/zorblet-9-70b']) // the family learned from the gateways' org/model ids
    expect(host!.canonicalBases).toEqual(['learned:live'])
    c.store.commitRefresh('test', Date.now(), outcomes)
    expect(canonicalOf(c, 'host/zorblet-9-70b')).toBe('acmelabs/zorblet-9-70b')
    expect(basisOf(c, 'host/zorblet-9-70b')).toBe('learned:live')
  })

  test('near miss: one gateway alone gives a family no organisation (one provider’s word moves no other provider)', () => {
    const c = catalog()
    const outcomes = [list('gw', offering('acmelabs/zorblet-9-70b')), list('host', offering('zorblet-9-70b'))]
    refresh(c, outcomes)
    expect(canonicalOf(c, 'host/zorblet-9-70b')).toBe('host/zorblet-9-70b')
    expect(basisOf(c, 'host/zorblet-9-70b')).toBe('own')
  })

  test('a commit without prepareIdentity learns nothing (it only writes): the id is the provider’s own', () => {
    const c = catalog()
    c.store.commitRefresh('test', Date.now(), [list('gw', offering('acmelabs/quuxer-2-8b')), list('host', offering('quuxer-2-8b'))])
    expect(canonicalOf(c, 'host/quuxer-2-8b')).toBe('host/quuxer-2-8b')
    expect(basisOf(c, 'host/quuxer-2-8b')).toBe('own')
  })

  test('what a refresh teaches moves stored rows of other providers in the same commit (one version); nothing new moves nothing', () => {
    const c = catalog()
    // first: a provider lists a model whose organisation nobody knows yet
    const first = [list('host', offering('frobnik-4-32b'))]
    refresh(c, first, 'first')
    expect(canonicalOf(c, 'host/frobnik-4-32b')).toBe('host/frobnik-4-32b')
    const v1 = c.store.version
    // then two gateways list it under its organisation: the host's stored row (not in this refresh) moves with it
    const second = [list('gw', offering('widgetco/frobnik-4-32b')), list('gw2', offering('widgetco/frobnik-4-32b'))]
    refresh(c, second, 'second')
    expect(c.store.version).toBe(v1 + 1)
    expect(canonicalOf(c, 'host/frobnik-4-32b')).toBe('widgetco/frobnik-4-32b')
    expect(canonicalOf(c, 'gw/widgetco/frobnik-4-32b')).toBe('widgetco/frobnik-4-32b')
    // near miss: the same lists again teach nothing new: no row moves and the version stays
    const again = [list('gw', offering('widgetco/frobnik-4-32b'))]
    refresh(c, again, 'again')
    expect(c.store.version).toBe(v1 + 1)
    // and the moved row's own provider listing it again rewrites nothing: the stored id is compared, not a stale hash
    const host = [list('host', offering('frobnik-4-32b'))]
    c.store.prepareIdentity(host)
    c.store.commitRefresh('host again', Date.now(), host)
    expect(c.store.version).toBe(v1 + 1)
    expect(canonicalOf(c, 'host/frobnik-4-32b')).toBe('widgetco/frobnik-4-32b')
  })
})

describe('identity marks and learning work follow what was committed (issue 16 hardening)', () => {
  test('a commit that rolls back leaves the stored rows to re-derive: the next refresh moves them (M3)', () => {
    const c = catalog()
    const first = [list('host', offering('frobnik-4-32b'))]
    refresh(c, first, 'first')
    // two gateways teach frobnik's organisation; the commit that would move the host's row fails
    const second = [list('gw', offering('widgetco/frobnik-4-32b')), list('gw2', offering('widgetco/frobnik-4-32b'))]
    c.store.prepareIdentity(second)
    // (it fails after the stored rows were re-derived, inside the same transaction: at the providers' state)
    c.db.$client.run("create trigger boom before insert on providers begin select raise(abort, 'boom'); end")
    expect(() => c.store.commitRefresh('second', Date.now(), second)).toThrow('boom')
    c.db.$client.run('drop trigger boom')
    expect(canonicalOf(c, 'host/frobnik-4-32b')).toBe('host/frobnik-4-32b') // rolled back
    // the same lists again teach nothing new (the tables learned them before the failed commit: README), yet the row moves
    const third = [list('gw', offering('widgetco/frobnik-4-32b')), list('gw2', offering('widgetco/frobnik-4-32b'))]
    refresh(c, third, 'third')
    expect(canonicalOf(c, 'host/frobnik-4-32b')).toBe('widgetco/frobnik-4-32b')
    expect(canonicalOf(c, 'gw/widgetco/frobnik-4-32b')).toBe('widgetco/frobnik-4-32b')
  })

  test('a reference refresh reads the offerings again only after another writer changed them (L4)', () => {
    const c = catalog()
    let reads = 0
    const learnIdentity = c.store.learnIdentity.bind(c.store)
    c.store.learnIdentity = () => {
      reads++
      return learnIdentity()
    }
    c.store.replaceReference('litellm', [], { durationMs: 1 })
    c.store.replaceReference('litellm', [], { durationMs: 1 })
    expect(reads).toBe(0) // the live lists were learned as they came (prepareIdentity)
    c.store.reload() // near miss: a version check is no external write
    c.store.replaceReference('litellm', [], { durationMs: 1 })
    expect(reads).toBe(0)
    c.store.reload(true) // a snapshot applied: rows may be new
    c.store.replaceReference('litellm', [], { durationMs: 1 })
    expect(reads).toBe(1)
    c.store.replaceReference('litellm', [], { durationMs: 1 })
    expect(reads).toBe(1)
  })

  test('one refresh is one learning batch: one spelling rebuild and one merge for all its lists; an unchanged refresh merges nothing (L5)', () => {
    const canonical = createCanonicalizer()
    const db = openDb(join(tempDir(), 'catalog.db'))
    const store = new CatalogStore(db, { canonicalId: canonical })
    try {
      const providers = Array.from({ length: 12 }, (_, i) => `gw${i}`)
      const outcomes = () =>
        providers.map((p, i) =>
          list(p, { ...offering(`zorbco/zorblet-9-${i}b`), extra: { hugging_face_id: `ZorbAI/Zorblet-9-${i}B` } }, offering(`zorbco-labs/zorblet-9-${i}b`), offering('zorbco-labs/zorblet-9-70b')),
        )
      const { rebuilds, merges } = canonical.learned
      store.prepareIdentity(outcomes())
      expect(canonical.learned.rebuilds - rebuilds).toBeLessThanOrEqual(2) // one learn() for twelve lists (was one per list)
      expect(canonical.learned.merges - merges).toBe(1)
      expect(canonical.learned.orgSpellings.get('zorbai')?.org).toBe('zorbco')
      store.commitRefresh('first', Date.now(), outcomes())
      const after = { ...canonical.learned }
      store.prepareIdentity(outcomes())
      expect(canonical.learned.merges).toBe(after.merges) // nothing fresh: no merge over every model
      expect(canonical.learned.rebuilds).toBe(after.rebuilds)
    } finally {
      db.$client.close()
    }
  })
})
