/**
 * Identity knowledge learned at run time from what modelcat already holds: the reference catalogs'
 * provider/model keys (models.dev, LiteLLM), the live lists' `org/model` ids, `hugging_face_id`s and
 * display names ("Xiaomi: MiMo-V2.5-Pro"). It teaches the canonicalizer (canonical.ts) which
 * organisation a family belongs to, how an organisation is spelled, which versions a family has (to
 * read `qwen35` as 3.5 only when 3.5 exists) and the usual spelling of each model (the rendered id).
 *
 * Bounded: every table has a cap (LEARNED_LIMITS); once full, new entries are ignored (what is known
 * stays known), so an upstream that churns ids cannot grow it.
 */

export const LEARNED_LIMITS = {
  /** distinct (source, provider, id) observations kept (repeats are not counted twice) */
  observations: 200_000,
  /** family heads (first word of a model name) with organisation votes */
  families: 20_000,
  /** organisation spellings (an org segment or hugging_face_id owner → canonical organisation) */
  orgSpellings: 5_000,
  /** versions remembered per family head */
  versionsPerFamily: 64,
  /** identity keys with a learned spelling */
  spellings: 100_000,
  /** spellings counted per identity key */
  spellingsPerKey: 8,
  /** snapshot dates remembered per identity key (two are enough to know a date tells snapshots apart) */
  datesPerKey: 4,
} as const

export interface Observation {
  /** `models.dev` | `litellm` | `live` */
  source: string
  provider: string
  id: string
  name?: string | null
  /** `hugging_face_id` (OpenRouter and gateways): `XiaomiMiMo/MiMo-V2.5-Pro` */
  hfId?: string | null
}

interface Votes {
  org: Map<string, number>
  source: string
}

/** The learned tables. The canonicalizer reads them; `observe` fills them; `generation` bumps when they change. */
export class LearnedIdentity {
  readonly #seen = new Set<string>()
  /** family head → organisation → votes (and the first source that taught it) */
  readonly families = new Map<string, Votes>()
  /** org spelling → canonical org */
  readonly orgSpellings = new Map<string, { org: string; source: string }>()
  /** family head → versions seen */
  readonly versions = new Map<string, Set<string>>()
  /** org segment → the family heads it publishes and how often it was seen (for merging org spellings; capped at orgSpellings) */
  readonly orgHeads = new Map<string, { heads: Set<string>; n: number }>()
  /** model name → the org segments listing it (capped at spellings entries, 8 orgs each) */
  readonly modelOrgs = new Map<string, Set<string>>()
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

  /** Sizes of the tables (for the CLI and tests of the caps). */
  get size() {
    return { observations: this.#seen.size, families: this.families.size, orgSpellings: this.orgSpellings.size, spellings: this.spellings.size }
  }

  /** Records one observation once; returns false when it was known already or the table is full. */
  admit(o: Observation): boolean {
    // a name teaches only as "Org: Model": any other name (renamed every refresh, say) is no new observation
    const name = o.name?.includes(':') ? o.name : ''
    const key = `${o.source}\u0000${o.provider}\u0000${o.id}\u0000${name}\u0000${o.hfId ?? ''}`
    if (this.#seen.has(key) || this.#seen.size >= LEARNED_LIMITS.observations) return false
    this.#seen.add(key)
    return true
  }

  /** familyOrg per head, until a vote for it or a new organisation spelling */
  readonly #familyOrgCache = new Map<string, { org: string; source: string } | undefined>()
  /** organisation → how many families it owns: the organisations the learned families know */
  readonly #orgNames = new Map<string, number>()

  /** True when some learned family belongs to `org`. */
  hasOrgName(org: string): boolean {
    return (this.#orgNames.get(org) ?? 0) > 0
  }

  #countOrg(org: string | undefined, delta: number) {
    if (org !== undefined) this.#orgNames.set(org, (this.#orgNames.get(org) ?? 0) + delta)
  }

  voteFamily(head: string, org: string, source: string, weight = 1) {
    let v = this.families.get(head)
    if (!v) {
      if (this.families.size >= LEARNED_LIMITS.families) return
      v = { org: new Map(), source }
      this.families.set(head, v)
    }
    // a new family changes no decision taken before (every id is learned before it is decided); a
    // family whose organisation changes does
    const known = v.org.size > 0
    const before = this.familyOrg(head)?.org
    v.org.set(org, (v.org.get(org) ?? 0) + weight)
    this.#familyOrgCache.delete(head)
    const after = this.familyOrg(head)?.org
    if (after !== before) {
      this.#countOrg(before, -1)
      this.#countOrg(after, 1)
      if (known) this.generation++
      else if (after !== undefined) this.novelty++
    }
  }

  /** The organisation a family head belongs to: a clear majority (≥ 3/5 of the votes), else none. */
  familyOrg(head: string): { org: string; source: string } | undefined {
    if (this.#familyOrgCache.has(head)) return this.#familyOrgCache.get(head)
    const found = this.#familyOrgOf(head)
    this.#familyOrgCache.set(head, found)
    return found
  }

  #familyOrgOf(head: string): { org: string; source: string } | undefined {
    const v = this.families.get(head)
    if (!v) return undefined
    let best: string | undefined
    let bestVotes = 0
    let total = 0
    // votes of one organisation's spellings count together
    const votes = new Map<string, number>()
    for (const [raw, n] of v.org) {
      const org = this.orgSpellings.get(raw)?.org ?? raw
      votes.set(org, (votes.get(org) ?? 0) + n)
    }
    for (const [org, n] of votes) {
      total += n
      if (n > bestVotes || (n === bestVotes && best !== undefined && org < best)) [best, bestVotes] = [org, n]
    }
    return best !== undefined && bestVotes * 5 >= total * 3 ? { org: best, source: v.source } : undefined
  }

  learnOrgSpelling(spelling: string, org: string, source: string) {
    if (spelling === org || this.orgSpellings.has(spelling) || this.orgSpellings.size >= LEARNED_LIMITS.orgSpellings) return
    this.orgSpellings.set(spelling, { org, source })
    // votes under that spelling now count for `org`: every family's organisation is read again
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
    let s = this.versions.get(head)
    if (!s) {
      if (this.versions.size >= LEARNED_LIMITS.families) return
      s = new Set()
      this.versions.set(head, s)
    }
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
    let s = this.dates.get(key)
    if (!s) {
      if (this.dates.size >= LEARNED_LIMITS.spellings) return
      s = new Set()
      this.dates.set(key, s)
    }
    if (s.has(date) || s.size >= LEARNED_LIMITS.datesPerKey) return
    s.add(date)
    if (s.size === 2) this.generation++
  }

  /** True when `key` is known in several dated snapshots: a date then names one of them. */
  datesMatter(key: string): boolean {
    return (this.dates.get(key)?.size ?? 0) >= 2
  }

  learnSpelling(key: string, spelling: string) {
    let m = this.spellings.get(key)
    if (!m) {
      if (this.spellings.size >= LEARNED_LIMITS.spellings) return
      m = new Map()
      this.spellings.set(key, m)
    }
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
