import type { IdentityData } from '../domain/types'
import shipped from './aliases.json'
import { LEARNED_LIMITS, LearnedIdentity, MIN_LIVE_VOTERS, type Observation, readable, voterOf } from './learned'

export type { IdentityData } from '../domain/types'

/**
 * Canonical identity: offerings of the same underlying model share a `canonical_id` ("org/model").
 * Rules strip the id styles providers wrap models in; data (aliases.json, extendable from config)
 * says which organisation spellings are one and which model names are one. Conservative by design:
 * two ids whose organisations differ never merge unless the data says the organisations are one.
 */

export interface OfferingIdentity {
  provider: string
  id: string
  ownedBy?: string | null
  /** The provider's display name: read when it names the id's model more specifically (learned:names). */
  name?: string | null
}

/** How a canonical id was reached (`canonical_basis`). */
export type CanonicalBasis = 'override' | 'rule' | `learned:${string}` | 'own'

/** The identity tokens of one id: what the matcher compares (wrappers are shown, never compared). */
export interface IdentityTokens {
  org: string
  family: string[]
  version: string[]
  size: string[]
  variant: string[]
  wrappers: string[]
}

/** One decision, explained: the canonical id, how it was reached, and the tokens it was reached from. */
export interface IdentityDecision {
  id: string
  basis: CanonicalBasis
  /** The identity key: offerings merge exactly when their keys are equal. */
  key: string
  tokens: IdentityTokens
  /** Each step that changed the outcome, in order ("org from family 'mimo' (learned:models.dev)"). */
  steps: string[]
}

/** Wrappers around the real model id, provider by provider. */
const PREFIXES: RegExp[] = [
  /^accounts\/[^/]+\/models\//, // Fireworks: accounts/fireworks/models/llama-v3p1-8b-instruct
  /^@(?:cf|hf)\//, // Cloudflare Workers AI: @cf/meta/llama-3.1-8b-instruct
  /^@[^/]+\//, // gateway routing prefixes: @deepinfra/zai-org/GLM-4.5
  /^hf:/, // Synthetic and others: hf:zai-org/GLM-4.6
  /^models\//, // Gemini: models/gemini-2.5-flash
  // Bedrock cross-region inference profiles: us. eu. apac. global. and any two-letter region (jp. au. …) before an org.
  /^(?:[a-z]{2}|apac|global|emea|latam)\.(?=[a-z][a-z0-9-]*\.)/i,
]

/** Suffixes that name a way of serving a model, not another model. Applied repeatedly. */
const SERVING_SUFFIXES: RegExp[] = [
  /:(?:free|beta|extended|nitro|floor|online|exacto|latest)$/, // OpenRouter variants, Ollama's default tag
  /-v\d+:\d+$/, // Bedrock: -v1:0
  /-(?:tee|fp8|fp4|fp16|bf16|int4|int8|awq|gptq|w4a16|w8a8|mlx|gguf|quantized|dynamic|maas|free|\d+bit)$/,
  /(?<=-(?:fp8|fp4|fp16|bf16|int4|int8|awq))-fast$/, // Cloudflare: -fp8-fast is the fp8 deployment; -fast alone names a model (grok-4.1-fast)
  /(?<=-(?:instruct|it|\d+(?:\.\d+)?b))-turbo$/, // Together, Chutes: Llama-3.3-70B-Instruct-Turbo, gemma-4-31B-turbo: the model served quantized (gpt-4-turbo keeps it: no size before)
  /-flex$/, // a service tier (slower, cheaper) of the same model, as OpenAI's flex processing
  /(?<=-instruct|-it)-lite$/,
]

function stripPrefixes(id: string): string {
  let s = id.trim()
  for (const p of PREFIXES) s = s.replace(p, '')
  return s
}

/** The longest serving suffix the rules strip, with the lookbehind they need ("-instruct-turbo"): a window this wide sees any of them. */
const SUFFIX_WINDOW = 48

/**
 * Strips serving suffixes from the end, repeatedly. Linear in the length of `model`: each pass looks
 * only at the last SUFFIX_WINDOW characters and either shortens the model or stops (an unanchored
 * `$` regex over the whole string, once per stripped suffix, was quadratic: 138 s on a 512 KB
 * "x-fp8-fp8-…" id).
 */
function stripServingSuffixes(model: string): string {
  let end = model.length
  for (;;) {
    const start = Math.max(0, end - SUFFIX_WINDOW)
    const tail = model.slice(start, end)
    let stripped = tail
    for (const suffix of SERVING_SUFFIXES) stripped = stripped.replace(suffix, '')
    if (stripped.length === tail.length) return model.slice(0, end)
    end = start + stripped.length
  }
}

/**
 * Spelling differences that never change the model: case, `_` vs `-`, `llama3.1` vs `llama-3.1`,
 * `meta-llama-3` vs `llama-3`, and a version written with a dash (`glm-5-2`, `claude-3-5`, `kimi-k2-6`)
 * vs a dot: a lone digit, a dash, a lone digit. Dates (`2024-11-20`) and sizes (`3-8b`) are not lone digits.
 */
function normalizeModel(model: string): string {
  return model
    .toLowerCase()
    .replace(/[\s_]+/g, '-')
    .replace(/^meta-(?=llama)/, '')
    .replace(/^(llama|gemma)(?=\d)/, '$1-')
    .replace(/(?<![\d.])(\d)-(\d)(?![\d.a-z])/g, '$1.$2')
    .replace(/-+/g, '-')
}

/** Words that qualify a model (shown as `variant`; compared like every identity token). */
const VARIANT_WORDS = new Set([
  'instruct',
  'chat',
  'preview',
  'thinking',
  'reasoning',
  'mini',
  'nano',
  'pro',
  'max',
  'plus',
  'ultra',
  'flash',
  'lite',
  'air',
  'turbo',
  'fast',
  'small',
  'medium',
  'large',
  'code',
  'coder',
  'vision',
  'vl',
  'exp',
  'base',
  'pt',
  'highspeed',
  'flex',
  'distill',
  'search',
])
/** Equal spellings of one identity token. */
const SAME_TOKEN: Record<string, string> = { it: 'instruct' }

const DATE = /-(?:\d{8}|\d{4}-\d{2}-\d{2})(?:-v\d+)?(?=-|$)/g
const SIZE = /^(?:\d+(?:\.\d+)?[bmk]|\d+x\d+(?:\.\d+)?b|e\d+b)$/
/** Active parameters (`a12b`) and expert counts (`16e`): architecture details some providers add beside the size. */
const ACTIVE = /^(?:a\d+(?:\.\d+)?b|\d+e)$/
const VERSION = /^(?:v?\d+(?:\.\d+)*[a-z]?|[a-z]\d+(?:\.\d+)*)$/

interface Token {
  text: string
  /** glued to the previous token in the spelling (`qwen3.5`: `3.5` glued to `qwen`) */
  glued: boolean
  kind: 'family' | 'version' | 'size' | 'variant' | 'active'
}

/** The organisation-free part of an id, after every wrapper is taken off: what is tokenized. */
interface Stripped {
  orgSegment?: string
  model: string
  wrappers: string[]
}

export type Canonicalizer = ((o: OfferingIdentity) => string) & {
  /** The decision with its tokens and basis. */
  explain(o: OfferingIdentity): IdentityDecision
  /** The canonical id and its basis (what the store writes). */
  identify(o: OfferingIdentity): { id: string; basis: CanonicalBasis }
  /** Learns from observations (two passes: organisations and families, then spellings). */
  learn(observations: Iterable<Observation>, opts?: { merge?: boolean; budget?: boolean }): { learned: number; deferred: number }
  readonly learned: LearnedIdentity
  /** Bumps whenever learned data changes: decisions memoized before are stale. */
  readonly generation: number
}

/**
 * @param extra  the `[canonical]` config: overrides that win over everything
 * @param learned  the learned tables (learned.ts), filled by `learn`
 * @param curated  the curated data (default: the shipped aliases.json; the bench leaves organisations out of it)
 */
export function createCanonicalizer(extra: Partial<IdentityData> = {}, learned = new LearnedIdentity(), curated: Partial<IdentityData> = shipped): Canonicalizer {
  const data: IdentityData = {
    orgs: { ...curated.orgs, ...extra.orgs },
    families: { ...curated.families, ...extra.families },
    namespaces: [...(curated.namespaces ?? []), ...(extra.namespaces ?? [])],
    models: { ...curated.models, ...extra.models },
  }
  const namespaces = new Set(data.namespaces)
  const families = new Map(Object.entries(data.families))
  // prefix lengths, longest first: a lookup per length instead of a scan of every prefix
  const prefixLengths = [...new Set([...families.keys()].map((k) => k.length))].sort((a, b) => b - a)
  const knownOrgs = new Set([...Object.keys(data.orgs), ...Object.values(data.orgs)])
  // a curated organisation is never learned as another's spelling
  learned.protectedOrg = (org) => knownOrgs.has(org)
  const familyOrg = (model: string) => {
    for (const n of prefixLengths) {
      if (n > model.length) continue
      const org = families.get(model.slice(0, n))
      if (org !== undefined) return org
    }
    return undefined
  }

  /** An organisation spelling → the organisation, and whence: curated data wins, then learned spellings. */
  function orgSpelling(raw: string): { org: string; basis: CanonicalBasis } | undefined {
    const s = raw.toLowerCase()
    if (data.orgs[s]) return { org: data.orgs[s]!, basis: 'rule' }
    const l = learned.orgSpellings.get(s)
    if (l) return { org: l.org, basis: `learned:${l.source}` }
    return undefined
  }
  /** The organisation of a family head: curated family prefixes win, then learned votes. */
  function headOrg(head: string, model: string): { org: string; basis: CanonicalBasis } | undefined {
    const curated = familyOrg(model) ?? familyOrg(head)
    if (curated) return { org: curated, basis: 'rule' }
    const l = learned.familyOrg(head)
    return l ? { org: l.org, basis: `learned:${l.source}` } : undefined
  }
  const isOrg = (s: string) => knownOrgs.has(s) || learned.orgSpellings.has(s) || learned.hasOrgName(s)

  function stripId(provider: string, id: string): Stripped {
    const wrappers: string[] = []
    const s = stripPrefixes(id)
    const parts = s.split('/').filter(Boolean)
    let orgSegment: string | undefined
    let model = parts[parts.length - 1] ?? s
    if (parts.length >= 2 && !namespaces.has(parts[parts.length - 2]!.toLowerCase())) orgSegment = parts[parts.length - 2]!.toLowerCase()
    // Vertex: claude-opus-4-1@20250805, gemini-2.0-flash@default
    const at = model.lastIndexOf('@')
    if (at > 0) {
      wrappers.push(model.slice(at))
      model = model.slice(0, at)
    }
    model = normalizeModel(stripServingSuffixes(stripProviderBrand(provider, normalizeModel(model))))
    model = model.replace(DATE, (d) => {
      wrappers.push(d.slice(1))
      return ''
    })
    if (/\d.*-v1$/.test(model)) {
      wrappers.push('v1')
      model = model.slice(0, -3)
    }
    if (model.endsWith('-latest')) {
      wrappers.push('latest')
      model = model.slice(0, -7)
    }
    // Fireworks and others write a decimal point as p: llama-v3p1, k2p7
    model = model.replace(/(^|-)([a-z]?\d+)p(\d+)(?=-|$)/g, '$1$2.$3')
    return { orgSegment, model: model.replace(/-{2,}/g, '-').replace(/^-|-$/g, ''), wrappers }
  }

  /** "umans-glm-5.2" on provider umans-ai, "databricks-gpt-5-5" on databricks: the provider's brand on a known model. */
  function stripProviderBrand(provider: string, model: string): string {
    const m = /^([a-z0-9]+)-(.+)$/.exec(model)
    if (m && provider.toLowerCase().split(/[-_.]/).includes(m[1]!) && (familyOrg(m[2]!) || (/\d/.test(m[2]!) && learned.familyOrg(headOf(m[2]!))))) return m[2]!
    return model
  }

  function tokenize(model: string): Token[] {
    const out: Token[] = []
    for (const piece of model.split('-').filter(Boolean)) {
      const glued = /^([a-z]{2,})(\d[\w.]*)$/.exec(piece)
      const texts = glued && !SIZE.test(piece) ? [glued[1]!, glued[2]!] : [piece]
      texts.forEach((text, i) => {
        const t = SAME_TOKEN[text] ?? text
        const kind: Token['kind'] = SIZE.test(t) ? 'size' : ACTIVE.test(t) ? 'active' : VERSION.test(t) ? 'version' : VARIANT_WORDS.has(t) ? 'variant' : 'family'
        out.push({ text: t, glued: i > 0, kind })
      })
    }
    return out
  }

  /**
   * Reads the org-free model part: organisation glued onto it (`xiaomi-mimo-v2.5-pro`, `openai.gpt-5.5`)
   * or a plan word in front of a known family (`coding-glm-5`), then tokens.
   */
  function decide(o: OfferingIdentity, useLearned: 'explain' | 'all' | 'no-spelling' | 'dates-unknown', pre?: Stripped): IdentityDecision {
    const useLearnedSpelling = useLearned === 'all' || useLearned === 'explain'
    const steps: string[] = []
    // the explanation is built only when asked for (the CLI, tests): the hot path skips it
    const note = useLearned === 'explain' ? (step: () => string) => void steps.push(step()) : () => {}
    const { orgSegment, model: stripped, wrappers } = pre ? { ...pre, wrappers: [...pre.wrappers] } : stripId(o.provider, o.id)
    let model = stripped
    let org: string | undefined
    let basis: CanonicalBasis = 'rule'
    const learnedBasis = (b: CanonicalBasis) => {
      if (b !== 'rule' && basis === 'rule') basis = b
    }

    if (orgSegment) {
      const spelled = orgSpelling(orgSegment)
      if (spelled) {
        org = spelled.org
        learnedBasis(spelled.basis)
        if (spelled.org !== orgSegment) note(() => `org '${orgSegment}' is ${org} (${spelled.basis})`)
      } else {
        // an org spelling no data has: the family's organisation when the spelling is plainly that
        // organisation (xiaomimimo/ vs xiaomi/) or names the family itself (grok/ for xai)
        const head = headOf(model)
        const fam = headOrg(head, model)
        if (fam && fam.org !== orgSegment && (orgSegment === head || (orgSegment.length >= 3 && (orgSegment.startsWith(fam.org) || fam.org.startsWith(orgSegment))))) {
          org = fam.org
          learnedBasis(fam.basis)
          note(() => `org '${orgSegment}' read as ${org}: it spells the family's organisation (${fam.basis})`)
        } else org = orgSegment
      }
    } else {
      // glued organisation: the first word(s) spell an organisation and the rest is a family of it
      const m = /^([a-z0-9]+(?:-[a-z0-9]+)?)[.-](.+)$/.exec(model)
      const first = /^([a-z0-9]+)[.-](.+)$/.exec(model)
      for (const [spelling, rest] of [m ? [m[1]!, m[2]!] : null, first ? [first[1]!, first[2]!] : null].filter(Boolean) as [string, string][]) {
        // (a word learned as a family is no organisation, unless it is learned as its own organisation's: google-gemma-…)
        const spelled = orgSpelling(spelling) ?? (learned.families.has(spelling) && learned.familyOrg(spelling)?.org !== spelling ? undefined : learnedOrgName(spelling))
        const fam = spelled && headOrg(headOf(rest), rest)
        if (spelled && fam && fam.org === spelled.org) {
          org = spelled.org
          model = normalizeModel(rest)
          learnedBasis(spelled.basis === 'rule' ? fam.basis : spelled.basis)
          note(() => `org '${spelling}' glued onto the model`)
          break
        }
      }
      // a plan or brand word in front of a known family: coding-glm-5
      if (!org) {
        const w = /^([a-z]+)-(.+)$/.exec(model)
        // (a word learned as a family only from ids without a number, like nanogpt/coding-router, is no model family)
        if (w && /\d/.test(w[2]!) && !familyOrg(w[1]!) && !isOrg(w[1]!) && (!learned.families.has(w[1]!) || !learned.numbered.has(w[1]!)) && headOrg(headOf(w[2]!), w[2]!)) {
          wrappers.push(`${w[1]}-`)
          model = w[2]!
          note(() => `'${w[1]}-' is a plan prefix before a known family`)
        }
      }
    }

    const tokens = tokenize(model)
    let head = tokens[0]?.text ?? model
    // an organisation's name in place of its family word (stepfun-3.5-flash for step-3.5-flash): the one family
    // of that organisation known with this version (none, or several: the id stays as it is)
    const named = tokens[1]?.kind === 'version' ? orgNamedFamily(head, tokens[1].text) : undefined
    if (named && (!org || org === named.org)) {
      const word = head
      note(() => `'${word}' names the organisation ${named.org}; its family with version ${tokens[1]!.text} is '${named.family}' (learned:families)`)
      tokens[0] = { ...tokens[0]!, text: named.family }
      head = named.family
      org = named.org
      learnedBasis('learned:families')
    }
    if (!org) {
      const fam = headOrg(head, model)
      if (fam) {
        org = fam.org
        learnedBasis(fam.basis)
        note(() => `org from family '${head}' (${fam.basis})`)
      } else if (o.ownedBy && knownOrgs.has(o.ownedBy.toLowerCase())) {
        org = data.orgs[o.ownedBy.toLowerCase()] ?? o.ownedBy.toLowerCase()
        note(() => `org from owned_by '${o.ownedBy}'`)
      } else {
        org = o.provider.toLowerCase()
        basis = 'own'
        note(() => `no organisation known: the provider's own model`)
      }
    }

    // a version written without its dot (qwen35, gpt-54, m25, Azure's gpt-35) when the family has that dotted version
    const known = learned.versions.get(head)
    for (const t of tokens.slice(1, 2)) {
      if (t.kind !== 'version' || !known) continue
      const c = /^([a-z]?)([1-9])(\d)$/.exec(t.text)
      if (c && known.has(`${c[1]}${c[2]}.${c[3]}`)) {
        note(() => `version '${t.text}' is ${c[1]}${c[2]}.${c[3]} (learned: the family has it)`)
        t.text = `${c[1]}${c[2]}.${c[3]}`
        learnedBasis('learned:versions')
      }
    }
    const hasSize = tokens.some((t) => t.kind === 'size')
    let identity = tokens.filter((t) => !(t.kind === 'active' && hasSize))
    for (const t of tokens) if (t.kind === 'active' && hasSize) wrappers.push(t.text)

    let key = keyFor(org, head, identity)
    let own = identity.map((t, i) => (i === 0 ? t.text : `${t.glued ? '' : '-'}${t.text}`)).join('') || model
    // a display name more specific than the id ("Kimi K2.7 Code" for umans-kimi-k2.7): the name's model, when it
    // keeps every identity token of the id and other offerings list that model by id (a learned key)
    if (o.name && useLearnedSpelling) {
      const richer = namedModel(o.name, org, head, identity)
      if (richer) {
        note(() => `the display name '${o.name}' names ${richer.own} (learned:names)`)
        ;[key, own, identity] = [richer.key, richer.own, richer.identity]
        learnedBasis('learned:names')
      }
    }
    // a date is a wrapper (claude-sonnet-4-5-20250929 is Sonnet 4.5) unless the model is known in several
    // dated snapshots: then the date names one of them (gpt-4o-2024-05-13 is not gpt-4o-2024-11-20)
    const date = dateOf(wrappers)
    if (date) {
      if (useLearned === 'dates-unknown') learned.learnDate(key, date.compact)
      else if (learned.datesMatter(key)) {
        key = `${key}@${date.compact}`
        own = `${own}-${date.text}`
        wrappers.splice(wrappers.indexOf(date.raw), 1)
        note(() => `date ${date.text} names one of several snapshots (learned)`)
        learnedBasis('learned:dates')
      }
    }
    let rendered = own
    if (useLearnedSpelling) {
      const usual = learned.spellingOf(key)
      if (usual && usual !== own) {
        rendered = usual
        learnedBasis('learned:spelling')
        note(() => `spelled '${usual}' as most sources spell this model`)
      }
    }
    let id = `${org}/${rendered}`
    const alias = data.models[id] ?? data.models[`${org}/${own}`]
    if (alias) {
      note(() => `alias data: ${id} → ${alias}`)
      id = alias
      basis = 'override'
    }
    const kinds = (k: Token['kind']) => (useLearned === 'explain' ? identity.filter((t) => t.kind === k).map(keyOf) : [])
    return {
      id,
      basis,
      key,
      tokens: { org, family: kinds('family'), version: kinds('version'), size: kinds('size'), variant: kinds('variant'), wrappers },
      steps,
    }
  }

  /** (organisation, version) → its one family with that version; rebuilt when the learned tables change */
  const orgFamilies = new Map<string, string | null>()
  let orgFamiliesStamp = ''
  function orgNamedFamily(word: string, version: string): { org: string; family: string } | undefined {
    const org = orgSpelling(word)?.org ?? (knownOrgs.has(word) || learned.hasOrgName(word) ? word : undefined)
    if (!org) return undefined
    const own = headOrg(word, word)
    if (own && (own.org !== org || learned.versions.get(word)?.has(version))) return undefined // another's family, or a family of its own with that version
    const stamp = `${learned.generation}:${learned.novelty}:${learned.versionCount}`
    if (stamp !== orgFamiliesStamp) {
      orgFamilies.clear()
      orgFamiliesStamp = stamp
    }
    const cacheKey = `${org}\u0000${version}`
    let family = orgFamilies.get(cacheKey)
    if (family === undefined) {
      const found: string[] = []
      for (const [head, versions] of learned.versions) if (head !== word && versions.has(version) && headOrg(head, head)?.org === org) found.push(head)
      family = found.length === 1 ? found[0]! : null
      if (orgFamilies.size >= LEARNED_LIMITS.families) orgFamilies.clear()
      orgFamilies.set(cacheKey, family)
    }
    return family === null ? undefined : { org, family }
  }

  /**
   * The model a display name names, when it is the id's model made more specific: the same family head, every
   * identity token of the id and more, and a key some offering's id already has (learned). Else undefined.
   */
  function namedModel(name: string, org: string, head: string, idTokens: Token[]): { key: string; own: string; identity: Token[] } | undefined {
    if (name.length > MAX_NAME_CHARS) return undefined
    const text = name
      .replace(/^[^:]{2,40}:\s*/, '')
      .replace(/\([^)]*\)|\[[^\]]*\]/g, ' ')
      .trim()
    if (!text) return undefined
    const tokens = tokenize(normalizeModel(stripServingSuffixes(normalizeModel(text))))
    if (tokens[0]?.text !== head || tokens.some((t) => !/^[a-z0-9.]+$/.test(t.text))) return undefined
    const hasSize = tokens.some((t) => t.kind === 'size')
    const identity = tokens.filter((t) => !(t.kind === 'active' && hasSize))
    const mine = identity.map(keyOf)
    const theirs = idTokens.map(keyOf)
    if (mine.length <= theirs.length || theirs.some((t) => !mine.includes(t))) return undefined
    const key = keyFor(org, head, identity)
    if (key === keyFor(org, head, idTokens) || !learned.spellings.has(key)) return undefined
    return { key, own: identity.map((t, i) => (i === 0 ? t.text : `${t.glued ? '' : '-'}${t.text}`)).join(''), identity }
  }

  /** An organisation name the learned families know (`xiaomi` when some family is learned as xiaomi's). */
  function learnedOrgName(s: string): { org: string; basis: CanonicalBasis } | undefined {
    return learned.hasOrgName(s) ? { org: s, basis: 'learned:families' } : undefined
  }

  /** The weight of a vote from an id's organisation segment against one from a display name ("Org: Model"): one voter's ids outweigh its names. */
  const ID_VOTE = 1024
  /** learned.mergeInputs at the last merge: no new input, no merge */
  let mergedInputs = -1

  /**
   * Learns one batch of observations (a refresh's lists, all providers together; the catalog at startup).
   * Resolved organisation spellings are rebuilt once after the batch, not per vote; each live provider may
   * add at most LEARNED_LIMITS.newFamiliesPerBatch families and newSpellingsPerBatch spellings per batch
   * (its other observations are not admitted: a later batch learns them).
   * @param opts.merge false: skip the organisation-spelling merge (one id at a time; the next batch merges)
   * @param opts.budget false: no per-provider batch budget (what the catalog DB already holds: it was admitted batch by batch)
   * @returns how many observations were learned, and how many waited for a later batch
   */
  function learn(observations: Iterable<Observation>, opts: { merge?: boolean; budget?: boolean } = {}): { learned: number; deferred: number } {
    const fresh: Observation[] = []
    const strips: Stripped[] = []
    let deferred = 0
    learned.batch(() => {
      // pass 1: organisations of families, organisation spellings, versions
      const { orgHeads, modelOrgs } = learned
      const budgets = new Map<string, { families: number; spellings: number }>()
      for (const o of observations) {
        if (!learned.admit(o)) continue
        const pre = stripId(o.provider, o.id)
        const { orgSegment, model } = pre
        const tokens = tokenize(model)
        const head = tokens[0]?.text
        const provider = o.provider.toLowerCase()
        const org = orgSegment ? (orgSpelling(orgSegment)?.org ?? orgSegment) : (orgSpelling(provider)?.org ?? (knownOrgs.has(provider) ? provider : undefined))
        const votes = head !== undefined && org !== undefined && !namespaces.has(org)
        const { name, hfId } = readable(o)
        // "Xiaomi: MiMo-V2.5-Pro": a display name's organisation counts when it spells a known one (curated or learned)
        const named = name ? /^([^:]{2,40}):\s*(.+)$/.exec(name) : null
        const nameOrg = named
          ? named[1]!
              .trim()
              .toLowerCase()
              .replace(/[^a-z0-9]+/g, '-')
          : undefined
        const nameHead = named ? tokenize(normalizeModel(named[2]!))[0]?.text : undefined
        const resolved = nameOrg === undefined ? undefined : (orgSpelling(nameOrg)?.org ?? (knownOrgs.has(nameOrg) ? nameOrg : undefined))
        const nameSpells = org !== undefined && resolved !== undefined && resolved !== org && nameHead === head && !data.orgs[org]
        // hugging_face_id XiaomiMiMo/MiMo-V2.5-Pro beside the id xiaomi/mimo-v2.5-pro: another spelling of the org
        const hf = hfId ? /^([A-Za-z0-9_.-]{2,64})\/(.+)$/.exec(hfId) : null
        const hfOrg = hf && org ? hf[1]!.toLowerCase() : undefined
        const hfSpells = hfOrg !== undefined && hfOrg !== org && !data.orgs[hfOrg]
        if (o.source === 'live' && opts.budget !== false) {
          // what this provider may still add in this batch
          let b = budgets.get(o.provider)
          if (!b) budgets.set(o.provider, (b = { families: 0, spellings: 0 }))
          const families = (votes && !learned.families.has(head!) ? 1 : 0) + (nameHead && resolved && nameHead !== head && !learned.families.has(nameHead) ? 1 : 0)
          const spellings = (nameSpells && !learned.hasSpellingVotes(org!) ? 1 : 0) + (hfSpells && !learned.hasSpellingVotes(hfOrg!) ? 1 : 0)
          if (b.families + families > LEARNED_LIMITS.newFamiliesPerBatch || b.spellings + spellings > LEARNED_LIMITS.newSpellingsPerBatch) {
            learned.forget(o)
            deferred++
            continue
          }
          b.families += families
          b.spellings += spellings
        }
        fresh.push(o)
        strips.push(pre)
        if (!head) continue
        // the version right after the family word (qwen3.5, gpt-5.4): what a dotless spelling is read against
        if (tokens[1]?.kind === 'version') learned.learnVersion(head, tokens[1].text)
        if (votes) {
          learned.voteFamily(head, org!, o.source, o.provider, ID_VOTE)
          if (tokens.length > 1 && /\d/.test(model)) learned.learnNumbered(head)
        }
        if (nameHead && resolved) learned.voteFamily(nameHead, resolved, o.source, o.provider)
        if (nameSpells) learned.voteOrgSpelling(org!, resolved!, o.source, o.provider)
        if (orgSegment && !namespaces.has(orgSegment)) {
          let heads = orgHeads.get(orgSegment)
          if (!heads && orgHeads.size < LEARNED_LIMITS.orgSpellings) orgHeads.set(orgSegment, (heads = { heads: new Set(), voters: new Set() }))
          if (heads) {
            const voter = voterOf(o.source, o.provider)
            if (!heads.voters.has(voter) && heads.voters.size < 16) {
              heads.voters.add(voter)
              learned.mergeInputs++
            }
            if (heads.heads.size < 16 && !heads.heads.has(head)) {
              heads.heads.add(head)
              learned.mergeInputs++
            }
            let orgs = modelOrgs.get(model)
            if (!orgs && modelOrgs.size < LEARNED_LIMITS.spellings) modelOrgs.set(model, (orgs = new Set()))
            if (orgs && orgs.size < 8 && !orgs.has(orgSegment)) {
              orgs.add(orgSegment)
              learned.mergeInputs++
            }
          }
        }
        if (hfSpells) learned.voteOrgSpelling(hfOrg!, org!, o.source, o.provider)
      }
    })
    // (the first read of the learned spellings below rebuilds them, once)
    if (opts.merge !== false && learned.mergeInputs !== mergedInputs) {
      mergedInputs = learned.mergeInputs
      learned.merges++
      mergeOrgSpellings(learned.orgHeads, learned.modelOrgs, fresh[0]?.source ?? 'live')
    }
    // pass 2: the snapshot dates of each identity key, then (pass 3) its usual spelling
    const first = fresh.map((o, i) => decide({ provider: o.provider, id: o.id }, 'dates-unknown', strips[i]))
    fresh.forEach((o, i) => {
      // without a date the decision is the same: no second reading
      const d = first[i]!.tokens.wrappers.length === 0 ? first[i]! : decide({ provider: o.provider, id: o.id }, 'no-spelling')
      if (d.basis !== 'own') learned.learnSpelling(d.key, d.id.slice(d.id.indexOf('/') + 1))
    })
    return { learned: fresh.length, deferred }
  }

  /**
   * Organisation spellings that are one organisation: two org segments that publish exactly the same
   * families and list at least two identical models (`zai-org/glm-4.6` and `z-ai/glm-4.6`, `z-ai/glm-4.5`)
   * are one; the group takes a curated name when it has one, else its best-backed spelling (most voters: a
   * reference catalog first, then live providers) — and only when that spelling has two live providers or a
   * reference catalog behind it, so one upstream cannot give its spelling to another's organisation. A host
   * that publishes other families too (nvidia/llama-… beside nvidia/nemotron-…) is never folded in.
   * Recomputed as a whole each time (no first-come): the result replaces the previous merge.
   */
  function mergeOrgSpellings(orgHeads: Map<string, { heads: Set<string>; voters: Set<string> }>, modelOrgs: Map<string, Set<string>>, source: string) {
    const shared = new Map<string, number>()
    for (const orgs of modelOrgs.values()) {
      if (orgs.size < 2) continue
      const list = [...orgs].sort()
      for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) shared.set(`${list[i]}\u0000${list[j]}`, (shared.get(`${list[i]}\u0000${list[j]}`) ?? 0) + 1)
    }
    const parent = new Map<string, string>()
    const find = (x: string): string => {
      while (parent.has(x)) x = parent.get(x)!
      return x
    }
    const within = (a: Set<string>, b: Set<string>) => [...a].every((h) => b.has(h))
    // one spelling starts with the other: meta / meta-llama, mistral / mistralai, xiaomi / xiaomimimo
    const prefixed = (a: string, b: string) => Math.min(a.length, b.length) >= 3 && (a.startsWith(b) || b.startsWith(a))
    const curated = (s: string) => data.orgs[s] ?? (knownOrgs.has(s) ? s : undefined)
    for (const [pair, n] of shared) {
      const [a, b] = pair.split('\u0000') as [string, string]
      const ha = orgHeads.get(a)
      const hb = orgHeads.get(b)
      if (!ha || !hb) continue
      const same = n >= 2 && within(ha.heads, hb.heads) && within(hb.heads, ha.heads)
      const spelled = prefixed(a, b) && (within(ha.heads, hb.heads) || within(hb.heads, ha.heads))
      if (!same && !spelled) continue
      if (curated(a) && curated(b)) continue // both curated: the data decides
      const [ra, rb] = [find(a), find(b)]
      if (ra !== rb) parent.set(rb, ra)
    }
    const groups = new Map<string, string[]>()
    for (const org of parent.keys()) {
      const root = find(org)
      groups.set(root, [...(groups.get(root) ?? [root]), org])
    }
    const backing = (s: string) => {
      const voters = [...(orgHeads.get(s)?.voters ?? [])]
      return voters.some((v) => !v.startsWith('live:')) ? 1_000 + voters.length : voters.length
    }
    const merged = new Map<string, { org: string; source: string }>()
    for (const members of groups.values()) {
      const curatedName = members.map(curated).find(Boolean)
      const name = curatedName ?? members.slice().sort((x, y) => backing(y) - backing(x) || (x < y ? -1 : 1))[0]!
      if (!curatedName && backing(name) < MIN_LIVE_VOTERS) continue // one provider's word: no organisation is renamed for it
      for (const m of members) if (m !== name && !curated(m)) merged.set(m, { org: name, source })
    }
    learned.setMergedSpellings(merged)
  }

  const canonicalId = ((o: OfferingIdentity) => decide(o, 'all').id) as Canonicalizer
  Object.defineProperties(canonicalId, {
    explain: { value: (o: OfferingIdentity) => decide(o, 'explain') },
    identify: {
      value: (o: OfferingIdentity) => {
        const d = decide(o, 'all')
        return { id: d.id, basis: d.basis }
      },
      writable: true,
    },
    learn: { value: learn },
    learned: { value: learned },
    generation: { get: () => learned.generation },
  })
  return canonicalId
}

/** A display name longer than this is not read for identity. */
const MAX_NAME_CHARS = 200

const keyOf = (t: Token) => (t.kind === 'version' ? t.text.replace(/^v(?=\d)/, '') : t.text)

/**
 * The identity key: organisation, family head, and the other identity tokens in any order. `instruct` is
 * what a hosted model is unless it says otherwise (a base model says `-base` or `-pt`, which stay):
 * llama-3.3-70b and llama-3.3-70b-instruct are one model (the rendered id keeps the word when the id has it).
 */
function keyFor(org: string, head: string, identity: Token[]): string {
  return `${org}/${head}|${identity
    .slice(1)
    .filter((t) => t.text !== 'instruct')
    .map(keyOf)
    .sort()
    .join(',')}`
}

/** The snapshot date among the wrappers taken off an id (`2024-11-20`, `20250929`, `@20250805`). */
function dateOf(wrappers: string[]): { raw: string; text: string; compact: string } | undefined {
  for (const raw of wrappers) {
    const m = /^@?(\d{4})-?(\d{2})-?(\d{2})(?:-v\d+)?$/.exec(raw)
    if (m) return { raw, text: raw.replace(/^@/, '').replace(/-v\d+$/, ''), compact: `${m[1]}${m[2]}${m[3]}` }
  }
  return undefined
}

/** The first word of a model name: its family (`qwen3.5-max` → `qwen`). */
function headOf(model: string): string {
  const first = model.split(/[-.]/)[0] ?? model
  return /^([a-z]{2,})\d/.exec(first)?.[1] ?? first
}
