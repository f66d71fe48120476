import { CachedBody } from './cached-body'

/**
 * The hot-path answer cache: every answer is built once per (catalog generation, answer key) into a
 * CachedBody (bytes, ETag, compressed variants) and served as it is from then on. Bodies may also be built
 * elsewhere (the refresh thread builds the full list and the unique view of each new version) and adopted.
 * A request whose exact query string was answered in this generation is served before routing (fastPath).
 * It knows nothing of what the answers contain: the feature module builds them and names their keys.
 */

/** The cache key of an answer: the normalized query it answers (the same on every thread, for adoption). */
export type AnswerKey = string & { readonly __answerKey: true }
export const answerKey = (normalized: unknown): AnswerKey => JSON.stringify(normalized) as AnswerKey

/** A body built on another thread for a version, handed over with its buffers. */
export interface PrebuiltBody {
  key: AnswerKey
  etag: string
  bytes: Uint8Array
  gzip: Uint8Array
  br: Uint8Array
}

/** What the cache needs of the catalog: its version and generation, and consistent reads. */
export interface VersionedCatalog {
  readonly version: number
  /** Bumps whenever the content may have changed (a snapshot may keep the version number). */
  readonly generation: number
  readonly updatedAt: number
  readConsistent<T>(read: () => T): { value: T; version: number }
}

export class AnswerCache {
  #byKey = new Map<AnswerKey, CachedBody>()
  /** Raw query strings seen in this generation → their answer (the same objects as #byKey holds). */
  #byRawQuery = new Map<string, CachedBody>()
  #generation = -1
  readonly #maxEntries: number

  constructor(
    private readonly catalog: VersionedCatalog,
    opts: {
      /** The path whose GETs the fast path serves by raw query string (e.g. `/v1/models`). */
      fastPath: string
      maxEntries?: number
    },
  ) {
    this.#maxEntries = opts.maxEntries ?? 512
    this.#path = opts.fastPath
  }
  readonly #path: string

  /**
   * The cached body for `key`, built on a miss inside one read transaction. An answer of a version this
   * thread has not heard of yet is served but not cached.
   */
  get(key: AnswerKey, build: () => unknown): CachedBody {
    this.#rollOver()
    const cached = this.#byKey.get(key)
    if (cached) return cached
    const { value: json, version } = this.catalog.readConsistent(() => JSON.stringify(build()))
    const body = new CachedBody(json, version, new Date(this.catalog.updatedAt || 0))
    if (version !== this.catalog.version) return body
    if (this.#byKey.size >= this.#maxEntries) this.#byKey.delete(this.#byKey.keys().next().value!)
    this.#byKey.set(key, body)
    return body
  }

  /** Installs bodies built elsewhere for `version`; bodies of another version than the current one are ignored. */
  adopt(version: number, bodies: { key: AnswerKey; etag?: string; bytes: Uint8Array; gzip?: Uint8Array; br?: Uint8Array }[]) {
    if (version !== this.catalog.version) return
    this.#rollOver()
    for (const b of bodies) this.#byKey.set(b.key, new CachedBody(b.bytes, version, new Date(this.catalog.updatedAt || 0), b))
  }

  /**
   * The hot path: a GET of the fast path whose exact query string was answered before in this generation
   * is served before routing, validation and normalization. Undefined for anything else.
   */
  fastPath(request: Request): Response | Promise<Response> | undefined {
    if (this.#byRawQuery.size === 0 || this.catalog.generation !== this.#generation) return undefined
    const rest = this.#rawQueryOf(request.url)
    const body = rest === undefined ? undefined : this.#byRawQuery.get(rest)
    return body && request.method === 'GET' ? body.respond(request) : undefined
  }

  /** Remembers the raw query string of a request that went the full path and got `body`. */
  remember(request: Request, body: CachedBody) {
    const rest = this.#rawQueryOf(request.url)
    // a body of a version this thread has not heard of is not cached: nor is its query string
    if (rest !== undefined && body.version === this.catalog.version && this.#byRawQuery.size < this.#maxEntries * 4) this.#byRawQuery.set(rest, body)
  }

  #rollOver() {
    if (this.catalog.generation !== this.#generation) {
      this.#byKey.clear()
      this.#byRawQuery.clear()
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
