/**
 * Identity knowledge learned at run time from what modelcat already holds: the reference catalogs'
 * provider/model keys (models.dev, LiteLLM), the live lists' `org/model` ids, `hugging_face_id`s and
 * display names ("Xiaomi: MiMo-V2.5-Pro"). It teaches the canonicalizer (canonical.ts) which
 * organisation a family belongs to, how an organisation is spelled, which versions a family has (to
 * read `qwen35` as 3.5 only when 3.5 exists) and the usual spelling of each model (the rendered id).
 *
 * Voted, not first-come: a family's organisation and an organisation spelling are decided by the distinct
 * **voters** behind them (each live provider is one voter however many ids it lists; each reference catalog
 * is one voter), by majority, and need two independent live providers or a reference catalog. So one
 * hostile upstream can neither remap an organisation nor move another provider's family.
 *
 * Bounded: every table has a cap (LEARNED_LIMITS); once full, new entries are ignored (what is known
 * stays known), so an upstream that churns ids cannot grow it; each provider has its own share of the
 * observations and may add only so many new families and spellings per learning batch.
 */

export const LEARNED_LIMITS = {
  /** distinct (source, provider, id, name, hugging_face_id) observations kept (repeats are not counted twice) */
  observations: 200_000,
  /** observations one (source, provider) may hold: a provider that churns names cannot starve the others */
  observationsPerProvider: 20_000,
  /** family heads (first word of a model name) with organisation votes */
  families: 20_000,
  /** distinct voters remembered per family head */
  votersPerFamily: 64,
  /** organisations one voter is remembered voting for, per family head */
  orgsPerVoter: 8,
  /** organisation spellings with votes (an org segment or hugging_face_id owner → canonical organisation) */
  orgSpellings: 5_000,
  /** candidate organisations per spelling, and voters remembered per candidate */
  votesPerSpelling: 16,
  /** new family heads one live provider's observations may add in one learning batch (the rest wait for the next) */
  newFamiliesPerBatch: 1_000,
  /** new organisation spellings one live provider's observations may propose in one learning batch */
  newSpellingsPerBatch: 64,
  /** a hugging_face_id longer than this is not read (nor kept in an observation) */
  hfIdChars: 128,
  /** a display name longer than this teaches nothing (nor is kept in an observation) */
  nameChars: 200,
  /** versions remembered per family head */
  versionsPerFamily: 64,
  /** identity keys with a learned spelling */
  spellings: 100_000,
  /** spellings counted per identity key */
  spellingsPerKey: 8,
  /** snapshot dates remembered per identity key (two are enough to know a date tells snapshots apart) */
  datesPerKey: 4,
} as const

/** Distinct live providers a learned organisation (of a family, or of a spelling) needs when no reference catalog backs it. */
export const MIN_LIVE_VOTERS = 2

export interface Observation {
  /** `models.dev` | `litellm` | `live` */
  source: string
  provider: string
  id: string
  name?: string | null
  /** `hugging_face_id` (OpenRouter and gateways): `XiaomiMiMo/MiMo-V2.5-Pro` */
  hfId?: string | null
}

/** Who a vote comes from: each live provider is one voter, each reference catalog is one. */
export function voterOf(source: string, provider: string): string {
  return source === 'live' ? `live:${provider}` : source
}
/** A voter's heaviest raw organisation for one family (a tie: none). */
function topOf(orgs: Map<string, number>, spell: (raw: string) => string): string | undefined {
  // votes of one organisation's spellings count together (a map only when some raw organisation is a spelling)
  let weights = orgs
  for (const raw of orgs.keys()) {
    if (spell(raw) === raw) continue
    weights = new Map()
    for (const [r, n] of orgs) weights.set(spell(r), (weights.get(spell(r)) ?? 0) + n)
    break
  }
  let top: string | undefined
  let topN = 0
  let tie = false
  for (const [org, n] of weights) {
    if (n > topN) [top, topN, tie] = [org, n, false]
    else if (n === topN) tie = true
  }
  return tie ? undefined : top
}

/** Family heads remembered per raw organisation (to know whether it owns one); an organisation voted for more counts as owning. */
const HEADS_PER_RAW_ORG = 256
const isReference = (voter: string) => !voter.startsWith('live:')

/** An observation's display name and hugging_face_id as learning reads them (over their caps: none). */
export function readable(o: Observation): { name: string; hfId: string } {
  const name = o.name && o.name.length <= LEARNED_LIMITS.nameChars && o.name.includes(':') ? o.name : ''
  const hfId = o.hfId && o.hfId.length <= LEARNED_LIMITS.hfIdChars ? o.hfId : ''
  return { name, hfId }
}

interface FamilyVotes {
  /** voter → organisation → weight (an id's org counts far more than a display name's) */
  voters: Map<string, Map<string, number>>
}

/** The learned tables. The canonicalizer reads them; `observe` fills them; `generation` bumps when they change. */
export class LearnedIdentity {
  readonly #seen = new Set<bigint | number>()
  /** observations held per (source, provider) */
  readonly #perProvider = new Map<string, number>()
  /** family head → its voters */
  readonly families = new Map<string, FamilyVotes>()
  /** raw organisation → the family heads some voter voted it for (capped: HEADS_PER_RAW_ORG; a full set counts as owning) */
  readonly #headsByRawOrg = new Map<string, Set<string>>()
  /** org spelling → candidate organisation → voters */
  readonly #spellingVotes = new Map<string, Map<string, Set<string>>>()
  /** org spellings found by merging (canonical.ts mergeOrgSpellings), replaced as a whole by each merge */
  #merged = new Map<string, { org: string; source: string }>()
  /** the resolved spellings (votes and merges), rebuilt once after a batch of votes */
  #orgSpellings = new Map<string, { org: string; source: string }>()
  #spellingsDirty = false
  /** while a batch learns, resolved spellings are not rebuilt (one rebuild at the end) */
  #frozen = 0
  /** organisations that are never learned as another's spelling (curated ones: set by the canonicalizer) */
  protectedOrg: (org: string) => boolean = () => false
  /** family head → versions seen */
  readonly versions = new Map<string, Set<string>>()
  /** org segment → the family heads it publishes and the voters listing it (for merging org spellings; capped at orgSpellings) */
  readonly orgHeads = new Map<string, { heads: Set<string>; voters: Set<string> }>()
  /** model name → the org segments listing it (capped at spellings entries, 8 orgs each) */
  readonly modelOrgs = new Map<string, Set<string>>()
  /** Bumps when orgHeads or modelOrgs gained something (a merge can only then find something new). */
  mergeInputs = 0
  /** family heads seen in an id with a number (a version or size): real model families, not product words */
  readonly numbered = new Set<string>()
  /** identity key → snapshot dates seen (YYYYMMDD) */
  readonly dates = new Map<string, Set<string>>()
  /** identity key → spelling → count */
  readonly spellings = new Map<string, Map<string, number>>()
  generation = 0
  /** Versions remembered, all families together (what a cache of version lookups is keyed on). */
  versionCount = 0
  /** Bumps when a family is learned with its organisation for the first time (ids read as a provider's own may now have one). */
  novelty = 0
  /** How often the organisation-spelling merge ran (canonical.ts: only when orgHeads or modelOrgs gained something). */
  merges = 0
  /** How often the resolved spellings (and every family's organisation with them) were rebuilt: work an outsider can cause. */
  rebuilds = 0

  /** Sizes of the tables (for the CLI and tests of the caps). */
  get size() {
    return { observations: this.#seen.size, families: this.families.size, orgSpellings: this.orgSpellings.size, spellingCandidates: this.#spellingVotes.size, spellings: this.spellings.size }
  }

  /** Observations held for one provider of one source. */
  observationsOf(source: string, provider: string): number {
    return this.#perProvider.get(`${source}\u0000${provider}`) ?? 0
  }

  #keyOf(o: Observation): bigint | number {
    // a name teaches only as "Org: Model": any other name (renamed every refresh, say) is no new observation
    const { name, hfId } = readable(o)
    return Bun.hash(`${o.source}\u0000${o.provider}\u0000${o.id}\u0000${name}\u0000${hfId}`)
  }

  /** Records one observation once; returns false when it was known already or its provider's share (or the table) is full. */
  admit(o: Observation): boolean {
    const key = this.#keyOf(o)
    if (this.#seen.has(key) || this.#seen.size >= LEARNED_LIMITS.observations) return false
    const p = `${o.source}\u0000${o.provider}`
    const n = this.#perProvider.get(p) ?? 0
    if (n >= LEARNED_LIMITS.observationsPerProvider) return false
    this.#seen.add(key)
    this.#perProvider.set(p, n + 1)
    return true
  }

  /** Takes back an observation admitted but not learned (its provider's batch budget was spent): a later batch learns it. */
  forget(o: Observation) {
    const key = this.#keyOf(o)
    if (!this.#seen.delete(key)) return
    const p = `${o.source}\u0000${o.provider}`
    const n = (this.#perProvider.get(p) ?? 1) - 1
    if (n > 0) this.#perProvider.set(p, n)
    else this.#perProvider.delete(p)
  }

  /** Learns a batch: resolved spellings are rebuilt once at its end, not after each vote. */
  batch<T>(fn: () => T): T {
    this.#frozen++
    try {
      return fn()
    } finally {
      this.#frozen--
    }
  }

  /** familyOrg per head, until a vote for it or a new organisation spelling */
  readonly #familyOrgCache = new Map<string, { org: string; source: string } | undefined>()
  /** organisation → how many families it owns: the organisations the learned families know */
  readonly #orgNames = new Map<string, number>()

  /** True when some learned family belongs to `org`. */
  hasOrgName(org: string): boolean {
    this.#resolve()
    return (this.#orgNames.get(org) ?? 0) > 0
  }

  #countOrg(org: string | undefined, delta: number) {
    if (org !== undefined) this.#orgNames.set(org, (this.#orgNames.get(org) ?? 0) + delta)
  }

  /**
   * One voter's vote that family `head` is `org`'s. A voter's own votes are weighed (`weight`: an id's
   * organisation outweighs a display name's) and it counts once, for its heaviest organisation.
   */
  voteFamily(head: string, org: string, source: string, provider = '', weight = 1) {
    const voter = voterOf(source, provider)
    const v = entryIn(this.families, head, LEARNED_LIMITS.families, () => ({ voters: new Map() }))
    if (!v) return
    const orgs = entryIn(v.voters, voter, LEARNED_LIMITS.votersPerFamily, () => new Map())
    if (!orgs) return
    if (!orgs.has(org) && orgs.size >= LEARNED_LIMITS.orgsPerVoter) return
    if (!orgs.has(org)) {
      let heads = this.#headsByRawOrg.get(org)
      if (!heads) this.#headsByRawOrg.set(org, (heads = new Set()))
      if (heads.size < HEADS_PER_RAW_ORG) heads.add(head)
    }
    // a new family changes no decision taken before (every id is learned before it is decided); a
    // family whose organisation changes does
    const known = v.voters.size > 1 || orgs.size > 0
    // a family's organisation depends only on each voter's ballot (its heaviest organisation, or none on a tie):
    // a vote that leaves the voter's ballot as it was changes nothing (the common case: one more id of a family)
    const spelled = this.#orgSpellings
    const spell = spelled.size === 0 ? (raw: string) => raw : (raw: string) => spelled.get(raw)?.org ?? raw
    const voted = orgs.size > 0
    const ballot = voted ? topOf(orgs, spell) : undefined
    const before = this.familyOrg(head)?.org
    orgs.set(org, (orgs.get(org) ?? 0) + weight)
    if (voted && topOf(orgs, spell) === ballot) return
    this.#familyOrgCache.delete(head)
    const after = this.familyOrg(head)?.org
    if (after !== before) {
      this.#countOrg(before, -1)
      this.#countOrg(after, 1)
      if (known) this.generation++
      else if (after !== undefined) this.novelty++
    }
  }

  /**
   * The organisation a family head belongs to: each voter votes for its heaviest organisation (a tie:
   * it abstains); the winner needs a clear majority (≥ 3/5 of the voters) and two live providers or a
   * reference catalog among its voters. Else none.
   */
  familyOrg(head: string): { org: string; source: string } | undefined {
    this.#resolve()
    if (this.#familyOrgCache.has(head)) return this.#familyOrgCache.get(head)
    const found = this.#familyOrgOf(head, (raw) => this.#orgSpellings.get(raw)?.org ?? raw)
    this.#familyOrgCache.set(head, found)
    return found
  }

  #familyOrgOf(head: string, spell: (raw: string) => string): { org: string; source: string } | undefined {
    const v = this.families.get(head)
    if (!v) return undefined
    const byOrg = new Map<string, string[]>()
    let total = 0
    for (const [voter, orgs] of v.voters) {
      const top = topOf(orgs, spell)
      if (top === undefined) continue
      total++
      const list = byOrg.get(top)
      if (list) list.push(voter)
      else byOrg.set(top, [voter])
    }
    let best: string | undefined
    let bestVoters: string[] = []
    for (const [org, voters] of byOrg) {
      if (voters.length > bestVoters.length || (voters.length === bestVoters.length && best !== undefined && org < best)) [best, bestVoters] = [org, voters]
    }
    if (best === undefined || bestVoters.length * 5 < total * 3) return undefined
    const reference = bestVoters.find(isReference)
    if (!reference && bestVoters.length < MIN_LIVE_VOTERS) return undefined
    return { org: best, source: reference ?? 'live' }
  }

  /** The resolved organisation spellings (voted, then merged): spelling → organisation. */
  get orgSpellings(): ReadonlyMap<string, { org: string; source: string }> {
    this.#resolve()
    return this.#orgSpellings
  }

  /**
   * One voter's vote that `spelling` is another spelling of `org` (a display name's organisation, a
   * hugging_face_id owner). Returns false when the table (or the spelling's votes) is full.
   */
  voteOrgSpelling(spelling: string, org: string, source: string, provider = ''): boolean {
    if (spelling === org) return false
    const orgs = entryIn(this.#spellingVotes, spelling, LEARNED_LIMITS.orgSpellings, () => new Map())
    if (!orgs) return false
    const voters = entryIn(orgs, org, LEARNED_LIMITS.votesPerSpelling, () => new Set())
    if (!voters) return false
    const voter = voterOf(source, provider)
    if (voters.has(voter) || voters.size >= LEARNED_LIMITS.votesPerSpelling) return true
    voters.add(voter)
    this.#spellingsDirty = true
    return true
  }

  /** True when `spelling` has votes already (a vote for it adds no new spelling). */
  hasSpellingVotes(spelling: string): boolean {
    return this.#spellingVotes.has(spelling)
  }

  /** The merged spellings (canonical.ts mergeOrgSpellings): replace the previous merge as a whole. */
  setMergedSpellings(merged: Map<string, { org: string; source: string }>) {
    const same = merged.size === this.#merged.size && [...merged].every(([s, m]) => this.#merged.get(s)?.org === m.org)
    if (same) return
    this.#merged = merged
    this.#spellingsDirty = true
  }

  /**
   * Rebuilds the resolved spellings from the votes (outside a batch, once per batch of votes): a spelling
   * is the organisation most of its voters name, when two live providers or a reference catalog name it;
   * never a curated organisation, nor one that owns a learned family of its own.
   */
  #resolve() {
    if (!this.#spellingsDirty || this.#frozen > 0) return
    this.#spellingsDirty = false
    this.rebuilds++
    // an organisation that owns a family by its own spelling is never taken as another's spelling (only the
    // families it was voted for are read: the work is the spellings' votes, not every family)
    const owns = (org: string) => {
      const heads = this.#headsByRawOrg.get(org)
      if (!heads) return false
      if (heads.size >= HEADS_PER_RAW_ORG) return true
      for (const head of heads) if (this.#familyOrgOf(head, (raw) => raw)?.org === org) return true
      return false
    }
    const next = new Map<string, { org: string; source: string }>()
    for (const [spelling, orgs] of this.#spellingVotes) {
      if (this.protectedOrg(spelling) || owns(spelling)) continue
      let best: string | undefined
      let bestVoters: Set<string> | undefined
      let tie = false
      for (const [org, voters] of orgs) {
        if (!bestVoters || voters.size > bestVoters.size) [best, bestVoters, tie] = [org, voters, false]
        else if (voters.size === bestVoters.size) tie = true
      }
      if (best === undefined || !bestVoters || tie) continue
      const reference = [...bestVoters].find(isReference)
      if (!reference && bestVoters.size < MIN_LIVE_VOTERS) continue
      next.set(spelling, { org: best, source: reference ?? 'live' })
    }
    for (const [spelling, m] of this.#merged) if (!next.has(spelling) && !this.protectedOrg(spelling)) next.set(spelling, m)
    // a spelling that points at another spelling: follow it once (never a loop)
    for (const [spelling, m] of next) {
      const hop = next.get(m.org)
      if (hop && hop.org !== spelling) next.set(spelling, { org: hop.org, source: m.source })
    }
    const changed = next.size !== this.#orgSpellings.size || [...next].some(([s, m]) => this.#orgSpellings.get(s)?.org !== m.org)
    this.#orgSpellings = next
    if (!changed) return
    // votes under those spellings now count for their organisation: every family's organisation is read again
    this.#familyOrgCache.clear()
    this.#orgNames.clear()
    for (const head of this.families.keys()) this.#countOrg(this.familyOrg(head)?.org, 1)
    this.generation++
  }

  learnNumbered(head: string) {
    if (this.numbered.has(head) || this.numbered.size >= LEARNED_LIMITS.families) return
    this.numbered.add(head)
  }

  learnVersion(head: string, version: string) {
    const s = entryIn(this.versions, head, LEARNED_LIMITS.families, () => new Set<string>())
    if (!s) return
    if (s.has(version) || s.size >= LEARNED_LIMITS.versionsPerFamily) return
    s.add(version)
    this.versionCount++
    // only a dotted version beside its dotless spelling (3.5 and 35) changes how ids are read
    const dotted = /^([a-z]?)([1-9])\.(\d)$/.exec(version)
    const dotless = /^([a-z]?)([1-9])(\d)$/.exec(version)
    if ((dotted && s.has(`${dotted[1]}${dotted[2]}${dotted[3]}`)) || (dotless && s.has(`${dotless[1]}${dotless[2]}.${dotless[3]}`))) this.generation++
  }

  /** A dated snapshot of `key`. Once a key has two, its dates tell models apart (gpt-4o-2024-05-13 ≠ gpt-4o-2024-11-20). */
  learnDate(key: string, date: string) {
    const s = entryIn(this.dates, key, LEARNED_LIMITS.spellings, () => new Set<string>())
    if (!s) return
    if (s.has(date) || s.size >= LEARNED_LIMITS.datesPerKey) return
    s.add(date)
    if (s.size === 2) this.generation++
  }

  /** True when `key` is known in several dated snapshots: a date then names one of them. */
  datesMatter(key: string): boolean {
    return (this.dates.get(key)?.size ?? 0) >= 2
  }

  learnSpelling(key: string, spelling: string) {
    const m = entryIn(this.spellings, key, LEARNED_LIMITS.spellings, () => new Map())
    if (!m) return
    if (!m.has(spelling) && m.size >= LEARNED_LIMITS.spellingsPerKey) return
    // a key's first spelling is how its id was read already; another spelling, or a new usual one, changes ids
    const before = this.spellingOf(key)
    const another = m.size > 0 && !m.has(spelling)
    m.set(spelling, (m.get(spelling) ?? 0) + 1)
    this.#bestSpelling.delete(key)
    if (another || (before !== undefined && this.spellingOf(key) !== before)) this.generation++
  }

  readonly #bestSpelling = new Map<string, string | undefined>()

  /** The usual spelling of an identity key: most observations, then shortest, then first in code order. */
  spellingOf(key: string): string | undefined {
    if (this.#bestSpelling.has(key)) return this.#bestSpelling.get(key)
    const best = this.#spellingOf(key)
    if (this.spellings.has(key)) this.#bestSpelling.set(key, best)
    return best
  }

  #spellingOf(key: string): string | undefined {
    const m = this.spellings.get(key)
    if (!m) return undefined
    let best: string | undefined
    let n = 0
    for (const [s, c] of m) {
      if (best === undefined || c > n || (c === n && (s.length < best.length || (s.length === best.length && s < best)))) [best, n] = [s, c]
    }
    return best
  }
}

/** The entry of `key` in `map`, made by `make` when missing and the map holds fewer than `max` keys; undefined when full. */
function entryIn<K, V>(map: Map<K, V>, key: K, max: number, make: () => V): V | undefined {
  let v = map.get(key)
  if (v === undefined) {
    if (map.size >= max) return undefined
    v = make()
    map.set(key, v)
  }
  return v
}
