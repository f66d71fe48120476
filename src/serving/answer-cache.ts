import { CachedBody, type StreamedIdentity } from './cached-body'
import { StreamedBody } from './streamed-body'

/**
 * The hot-path answer cache: every answer is built once per (catalog generation, answer key) into a
 * CachedBody (bytes, ETag, compressed variants) and served as it is from then on. Bodies may also be built
 * elsewhere (the refresh thread builds the full list and the unique view of each new version) and adopted.
 * A request whose exact query string was answered in this generation is served before routing (fastPath).
 * It knows nothing of what the answers contain: the feature module builds them and names their keys.
 *
 * Bounded: built answers live in an LRU (second-chance clock) bounded by bytes (each body plus its
 * compressed variants as they appear) and by entries; adopted bodies are pinned outside it, so a flood of
 * distinct queries can evict only other built answers, never the hot views. The raw-query map of the fast
 * path is bounded by entries and characters. Builds (the only synchronous work an answer can cost) pass
 * a BuildBudget: past it a build is refused (BuildRefused: 503 + Retry-After), cached answers never are.
 */

/** The cache key of an answer: the normalized query it answers (the same on every thread, for adoption). */
export type AnswerKey = string & { readonly __answerKey: true }
export const answerKey = (normalized: unknown): AnswerKey => JSON.stringify(normalized) as AnswerKey

/**
 * An answer built from a query index rather than read in the cache's transaction: its JSON bytes and the catalog
 * version of the index. The HTTP thread serves the version it was handed until the next handover, while the
 * DB may already be newer (the refresh thread committed and is building the next index): such an answer is of
 * the served version, and cached as one.
 */
export class IndexedAnswer {
  constructor(
    readonly bytes: Uint8Array,
    readonly version: number,
  ) {}
}

/**
 * An answer of a query index too large for the cache to hold (over `maxHeldBytes`): not built, but sent as it is
 * made (StreamedBody), piece by piece; its ETag is the builder's (from the index's content and the query).
 */
export class StreamedAnswer {
  constructor(
    readonly etag: string,
    /** The identity body's length in bytes. */
    readonly length: number,
    readonly version: number,
    readonly pieces: () => Iterator<Uint8Array>,
  ) {}
}

/**
 * A body built on another thread for a version, handed over with its compressed buffers only: its identity bytes
 * (`length` of them) are not held by the receiving thread; a client that takes no compression gets the gzip
 * inflated as it streams (the full list's 58.7 MB and the unique view's 16 MB at 50k offerings stay out of memory).
 */
export interface PrebuiltBody {
  key: AnswerKey
  etag: string
  /** The identity body's length in bytes. */
  length: number
  gzip: Uint8Array
  br: Uint8Array
}

/** What the cache needs of the catalog: its version and generation, and consistent reads. */
export interface VersionedCatalog {
  readonly version: number
  /** Bumps whenever the content may have changed (a snapshot may keep the version number). */
  readonly generation: number
  readonly updatedAt: number
  /** `read` in one read transaction, with the version it saw and that version's updated_at (ms). */
  readConsistent<T>(read: () => T): { value: T; version: number; updatedAt: number }
}

/** Defaults of the bounds and the build budget (README "Bounded answers and admission control"). */
export const ANSWER_CACHE_DEFAULTS = {
  maxBytes: 32 * 1024 * 1024,
  maxEntries: 4096,
  /** A refused build whose budget is back within this many ms waits for it instead (at most `maxWaiters` at a time). */
  maxWaitMs: 250,
  maxWaiters: 16,
  /** Streamed answers in flight at most (each holds a piece, its compressor's buffers and its version's index). */
  maxStreams: 4,
}

/**
 * What a streamed piece costs the process per millisecond of making it: sending it (the stream's machinery, the
 * compression on the libuv pool) costs about as much again. Measured at 50k offerings: a whole-catalog answer's
 * pieces took 0.28–0.49 s to make and the process 0.67–1.04 s of CPU to send them (identity, gzip, br).
 */
export const STREAM_COST = 2

/** A build refused by the budget: the caller answers 503 with Retry-After. */
export class BuildRefused extends Error {
  constructor(
    /** When the budget has room again. */
    readonly retryAfterMs: number,
  ) {
    super('too many uncached queries right now: the answer is not cached and the build budget is spent')
    this.name = 'BuildRefused'
  }
  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(this.retryAfterMs / 1000))
  }
}

/**
 * A token bucket of build milliseconds: it fills at `msPerSecond` up to BUILD_BURST_SECONDS' worth (a person
 * clicking through a UI or pasting examples after a pause is never refused; a sustained flood gets the rate); a build may start
 * while the bucket is above zero and is charged what it took afterwards (so one long build may overdraw it,
 * and the builds after it wait for the debt to be paid). Measured time, not a count: holds whatever a build costs.
 */
/** How many seconds of budget an idle bucket holds: the burst a quiet server allows before the rate applies. */
export const BUILD_BURST_SECONDS = 3

export class BuildBudget {
  #tokens: number
  #at: number
  readonly burstMs: number
  constructor(
    readonly msPerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.burstMs = msPerSecond * BUILD_BURST_SECONDS
    this.#tokens = this.burstMs
    this.#at = now()
  }
  #refill() {
    const t = this.now()
    this.#tokens = Math.min(this.burstMs, this.#tokens + ((t - this.#at) / 1000) * this.msPerSecond)
    this.#at = t
  }
  /** 0 when a build may start now, else the milliseconds until it may. */
  admit(): number {
    this.#refill()
    return this.#tokens > 0 ? 0 : Math.max(1, Math.ceil((-this.#tokens / this.msPerSecond) * 1000))
  }
  /** Charges a finished build. */
  charge(ms: number) {
    this.#refill()
    this.#tokens -= ms
  }
  get tokens() {
    this.#refill()
    return this.#tokens
  }
}

export interface AnswerCacheStats {
  hits: number
  misses: number
  evictions: number
  refused: number
  /** Answers too large to hold, sent as they were made (StreamedBody). */
  streamed: number
  /** Of them, in flight now. */
  streaming: number
  /** Bytes held by built (LRU) answers, with their compressed variants, plus the raw-query map's keys. */
  bytes: number
  /** Bytes held by pinned (adopted) answers. */
  pinnedBytes: number
  entries: number
}

interface Entry {
  body: CachedBody
  key: AnswerKey
  /** Second chance: set on a hit, cleared when the clock passes it. */
  used: boolean
}

export class AnswerCache {
  /** Built answers, oldest first (the clock hand starts at the front). */
  #lru = new Map<AnswerKey, Entry>()
  /** Adopted hot bodies of this generation: outside the LRU, never evicted by built answers. */
  #pinned = new Map<AnswerKey, CachedBody>()
  /** Raw query strings seen in this generation → their answer's key (oldest first). */
  #byRawQuery = new Map<string, AnswerKey>()
  #rawChars = 0
  #bytes = 0
  #pinnedBytes = 0
  #generation = -1
  #waiters = 0
  /** Streamed answers in flight. */
  #streams = 0
  readonly #maxBytes: number
  readonly #maxEntries: number
  readonly #maxRawEntries: number
  readonly #maxRawChars: number
  readonly #path: string
  /** The budget of uncached builds; undefined: every build is admitted (the refresh thread, the CLI). */
  readonly budget?: BuildBudget
  /** Hears each build's duration (seconds): /metrics. */
  onBuild?: (seconds: number) => void
  readonly stats = { hits: 0, misses: 0, evictions: 0, refused: 0, streamed: 0 }

  constructor(
    private readonly catalog: VersionedCatalog,
    opts: {
      /** The path whose GETs the fast path serves by raw query string (e.g. `/v1/models`). */
      fastPath: string
      maxBytes?: number
      maxEntries?: number
      /** Build milliseconds per second (0 or absent: no budget). */
      buildMsPerSecond?: number
      /** The budget's clock (ms, monotonic); tests drive it. */
      now?: () => number
    },
  ) {
    this.#path = opts.fastPath
    this.#maxBytes = opts.maxBytes ?? ANSWER_CACHE_DEFAULTS.maxBytes
    this.#maxEntries = opts.maxEntries ?? ANSWER_CACHE_DEFAULTS.maxEntries
    this.#maxRawEntries = this.#maxEntries * 4
    this.#maxRawChars = Math.max(64 * 1024, Math.floor(this.#maxBytes / 16))
    if (opts.buildMsPerSecond) this.budget = new BuildBudget(opts.buildMsPerSecond, opts.now)
  }

  /** The largest answer held (a quarter of the bound): a builder streams a larger one (StreamedAnswer) instead. */
  get maxHeldBytes(): number {
    return this.#maxBytes / 4
  }

  /** Counters and sizes (the /metrics collector reads them at scrape time). */
  snapshot(): AnswerCacheStats {
    return { ...this.stats, streaming: this.#streams, bytes: this.#bytes + this.#rawChars, pinnedBytes: this.#pinnedBytes, entries: this.#lru.size + this.#pinned.size }
  }

  /**
   * The cached body for `key`, built on a miss inside one read transaction: `build` returns the answer (serialized
   * with JSON.stringify) or its JSON as UTF-8 bytes (held as they are). An answer of a version this
   * thread has not heard of yet is served but not cached.
   * @throws BuildRefused when the answer is not cached and the build budget is spent
   */
  get(key: AnswerKey, build: () => unknown): CachedBody {
    const body = this.getOrStream(key, build)
    if (body instanceof StreamedBody) throw new Error('a StreamedAnswer is sent by getOrStream, never held') // a builder's mistake
    return body
  }

  /**
   * As `get`, but `build` may also return a StreamedAnswer (an answer too large to hold): it is neither built nor
   * held; its StreamedBody makes it as it is sent, each piece paced by and charged to the build budget.
   * @throws BuildRefused when the answer is not cached and the build budget is spent
   */
  getOrStream(key: AnswerKey, build: () => unknown): CachedBody | StreamedBody {
    this.#rollOver()
    const pinned = this.#pinned.get(key)
    if (pinned) {
      this.stats.hits++
      return pinned
    }
    const entry = this.#lru.get(key)
    if (entry) {
      entry.used = true
      this.stats.hits++
      return entry.body
    }
    const wait = this.budget?.admit() ?? 0
    if (wait > 0) {
      this.stats.refused++
      throw new BuildRefused(wait)
    }
    this.stats.misses++
    const started = performance.now()
    let body: CachedBody
    try {
      const {
        value: json,
        version,
        updatedAt,
      } = this.catalog.readConsistent(() => {
        const built = build()
        // bytes: the answer's JSON already, held as they are; an index's answer is of the index's version
        return built instanceof Uint8Array || built instanceof IndexedAnswer || built instanceof StreamedAnswer ? built : JSON.stringify(built)
      })
      if (json instanceof StreamedAnswer) {
        // the build budget paces each stream's pieces; this bounds how many run at once (their memory, and the
        // pieces they make when the budget has room)
        if (this.#streams >= ANSWER_CACHE_DEFAULTS.maxStreams) {
          this.stats.refused++
          throw new BuildRefused(1000)
        }
        this.#streams++
        this.stats.streamed++
        return new StreamedBody(json.etag, json.version, new Date(this.catalog.updatedAt || 0), json.length, json.pieces, {
          pace: () => this.budget?.admit() ?? 0,
          onPiece: (ms) => this.budget?.charge(ms * STREAM_COST),
          release: () => this.#streams--,
        })
      }
      // Last-Modified: that of the version the answer is of (an index's: the one this thread serves)
      body = json instanceof IndexedAnswer ? new CachedBody(json.bytes, json.version, new Date(this.catalog.updatedAt || 0)) : new CachedBody(json, version, new Date(updatedAt || 0))
    } finally {
      const ms = performance.now() - started
      this.budget?.charge(ms)
      this.onBuild?.(ms / 1000)
    }
    // an answer over a quarter of the bound is served but not held: two such answers in turn would evict
    // every other answer each time
    if (body.version !== this.catalog.version || body.size > this.#maxBytes / 4) {
      body.onCompressed = (_, ms) => this.budget?.charge(ms)
      return body
    }
    this.#insert(key, body)
    return body
  }

  /**
   * After `get` refused a build (`refused`): when the budget has room again within `maxWaitMs`, one wait for it
   * (at most `maxWaiters` requests wait at a time) and one more try of `answer`; otherwise, or when it is
   * refused again, the refusal goes to the caller (503). Any other error is rethrown as it is.
   */
  async waitFor<T>(refused: unknown, answer: () => T | Promise<T>, opts: { maxWaitMs?: number; maxWaiters?: number } = {}): Promise<T> {
    const maxWaitMs = opts.maxWaitMs ?? ANSWER_CACHE_DEFAULTS.maxWaitMs
    if (!(refused instanceof BuildRefused) || refused.retryAfterMs > maxWaitMs || this.#waiters >= (opts.maxWaiters ?? ANSWER_CACHE_DEFAULTS.maxWaiters)) throw refused
    this.#waiters++
    try {
      await Bun.sleep(refused.retryAfterMs)
    } finally {
      this.#waiters--
    }
    return answer()
  }

  /** `answer()`, or, when the build budget refused it, what `waitFor` makes of the refusal (one wait and retry, or the 503). */
  orWait<T>(answer: () => T | Promise<T>): T | Promise<T> {
    try {
      return answer()
    } catch (err) {
      return this.waitFor(err, answer)
    }
  }

  #insert(key: AnswerKey, body: CachedBody) {
    const entry: Entry = { body, key, used: false }
    this.#byBody.set(body, key)
    this.#lru.set(key, entry)
    this.#bytes += body.size
    // compressed variants count once they exist (and only while the body is held); compressing is work of
    // an uncached answer too (on the thread pool, but on the same cores): the budget is charged for it
    body.onCompressed = (n, ms) => {
      this.budget?.charge(ms)
      if (this.#lru.get(key) !== entry) return
      this.#bytes += n
      this.#evict()
    }
    this.#evict()
  }

  /** Second-chance clock: from the oldest, a used entry moves to the back once; an unused one goes. */
  #evict() {
    while (this.#lru.size > 0 && (this.#bytes > this.#maxBytes || this.#lru.size > this.#maxEntries)) {
      const oldest = this.#lru.values().next().value!
      this.#lru.delete(oldest.key)
      if (oldest.used && this.#lru.size > 0) {
        oldest.used = false
        this.#lru.set(oldest.key, oldest)
        continue
      }
      oldest.body.onCompressed = undefined
      this.#bytes -= oldest.body.size
      this.stats.evictions++
    }
  }

  /** Installs bodies built elsewhere for `version` (pinned: never evicted); bodies of another version than the current one are ignored. */
  adopt(version: number, bodies: { key: AnswerKey; etag?: string; bytes: Uint8Array | StreamedIdentity; gzip?: Uint8Array; br?: Uint8Array }[]) {
    if (version !== this.catalog.version) return
    this.#rollOver()
    for (const b of bodies) {
      const body = new CachedBody(b.bytes, version, new Date(this.catalog.updatedAt || 0), b)
      const had = this.#pinned.get(b.key)
      if (had) this.#pinnedBytes -= had.size
      const built = this.#lru.get(b.key)
      if (built) {
        this.#lru.delete(b.key)
        built.body.onCompressed = undefined
        this.#bytes -= built.body.size
      }
      this.#pinned.set(b.key, body)
      this.#byBody.set(body, b.key)
      this.#pinnedBytes += body.size
      body.onCompressed = (n) => {
        if (this.#pinned.get(b.key) === body) this.#pinnedBytes += n
      }
    }
  }

  /**
   * The hot path: a GET of the fast path whose exact query string was answered before in this generation
   * is served before routing, validation and normalization. Undefined for anything else.
   */
  fastPath(request: Request): Response | Promise<Response> | undefined {
    if (this.#byRawQuery.size === 0 || this.catalog.generation !== this.#generation) return undefined
    const rest = this.#rawQueryOf(request.url)
    const key = rest === undefined ? undefined : this.#byRawQuery.get(rest)
    if (key === undefined || request.method !== 'GET') return undefined
    let body = this.#pinned.get(key)
    if (!body) {
      const entry = this.#lru.get(key)
      if (!entry) {
        // its answer was evicted: the full path builds it again
        this.#byRawQuery.delete(rest!)
        this.#rawChars -= rest!.length
        return undefined
      }
      entry.used = true
      body = entry.body
    }
    this.stats.hits++
    return body.respond(request)
  }

  /** Remembers the raw query string of a request that went the full path and got `body`. */
  remember(request: Request, body: CachedBody) {
    const rest = this.#rawQueryOf(request.url)
    // a body that is not held (another version, too large) is not remembered: nor is its query string
    if (rest === undefined || this.#byRawQuery.has(rest)) return
    const key = this.#keyOf(body)
    if (key === undefined) return
    this.#byRawQuery.set(rest, key)
    this.#rawChars += rest.length
    while (this.#byRawQuery.size > this.#maxRawEntries || this.#rawChars > this.#maxRawChars) {
      const oldest = this.#byRawQuery.keys().next().value!
      this.#byRawQuery.delete(oldest)
      this.#rawChars -= oldest.length
    }
  }

  /** The key under which `body` is held now, if it is. */
  #keyOf(body: CachedBody): AnswerKey | undefined {
    const key = this.#byBody.get(body)
    if (key === undefined) return undefined
    return this.#pinned.get(key) === body || this.#lru.get(key)?.body === body ? key : undefined
  }
  /** Each held body's key (weak: an evicted body leaves with its entry). */
  #byBody = new WeakMap<CachedBody, AnswerKey>()

  #rollOver() {
    if (this.catalog.generation !== this.#generation) {
      for (const e of this.#lru.values()) e.body.onCompressed = undefined
      this.#lru.clear()
      this.#pinned.clear()
      this.#byRawQuery.clear()
      this.#bytes = this.#pinnedBytes = this.#rawChars = 0
      this.#generation = this.catalog.generation
    }
  }

  /** The raw query string ('' or '?…') of a URL of the fast path, or undefined for any other path. */
  #rawQueryOf(url: string): string | undefined {
    const path = url.indexOf('/', url.indexOf('//') + 2)
    if (!url.startsWith(this.#path, path)) return undefined
    const rest = url.slice(path + this.#path.length)
    return rest === '' || rest[0] === '?' ? rest : undefined
  }
}
