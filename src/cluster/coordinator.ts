import { hostname } from 'node:os'
import Redis from 'ioredis'

/**
 * The Redis side of "N replicas, one refresher, one catalog".
 *
 * - Leadership per refresh interval: `SET <ns>:lock <replicaId> NX PX ttl`, the winner takes a fencing
 *   token from `INCR <ns>:fence`. The lock is only an efficiency device.
 * - Correctness comes from the fenced publish: one Lua script stores the snapshot only if its token is
 *   not older than the stored token and its version is newer than the stored version.
 * - Followers: pub/sub on `<ns>:snapshots` is a hint; `latest()` is cheap enough to poll.
 * - Redis down: commands fail fast (no offline queue, one retry, short command timeout) and the
 *   connection keeps reconnecting in the background; callers fall back to standalone.
 */

export interface CoordinatorLog {
  info(o: object, msg: string): void
  warn(o: object, msg: string): void
}

export interface ClusterCoordinatorOptions {
  url: string
  /** Key prefix; default 'modelcat'. */
  namespace?: string
  /** Per-command timeout; default 500 ms. */
  commandTimeoutMs?: number
  /** Identifies this replica in the lock value; default `<hostname>-<pid>-<random>`. */
  replicaId?: string
  log?: CoordinatorLog
}

export interface SnapshotMeta {
  version: number
  sha256: string
}

export interface Snapshot extends SnapshotMeta {
  data: Uint8Array
  /** The publisher's HMAC (src/cluster/replica.ts, with MODELCAT_CLUSTER_SECRET); stored and read as is. */
  signature?: string
}

export type PublishResult = 'published' | 'stale'

/** `healthy` turns false when the last success is older than this even without a failure. */
const HEALTHY_WINDOW_MS = 60_000
/** Reconnect backoff: 50 ms doubling, capped. */
const RECONNECT_BASE_MS = 50
const RECONNECT_CAP_MS = 2_000

/**
 * KEYS: token, version, sha256, data, signature. ARGV: token, version, sha256, data, channel, announcement,
 * signature ('' deletes it). Returns 1 when stored and announced, 0 when stale.
 */
const PUBLISH_LUA = `
local storedToken = tonumber(redis.call('GET', KEYS[1]))
local storedVersion = tonumber(redis.call('GET', KEYS[2]))
local token = tonumber(ARGV[1])
local version = tonumber(ARGV[2])
if storedToken ~= nil and token < storedToken then return 0 end
if storedVersion ~= nil and version <= storedVersion then return 0 end
redis.call('SET', KEYS[4], ARGV[4])
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SET', KEYS[3], ARGV[3])
redis.call('SET', KEYS[1], ARGV[1])
if ARGV[7] == '' then redis.call('DEL', KEYS[5]) else redis.call('SET', KEYS[5], ARGV[7]) end
redis.call('PUBLISH', ARGV[5], ARGV[6])
return 1
`
const PUBLISH_SHA1 = new Bun.CryptoHasher('sha1').update(PUBLISH_LUA).digest('hex')

const noopLog: CoordinatorLog = { info() {}, warn() {} }

const sha256Hex = (data: Uint8Array): string => new Bun.CryptoHasher('sha256').update(data).digest('hex')

const SHA256_RE = /^[0-9a-f]{64}$/

const errMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err))

/** Parses a stored integer; null when missing or garbage. */
const parseInt10 = (v: string | Buffer | null | undefined): number | null => {
  if (v == null) return null
  const s = v.toString()
  if (!/^-?\d+$/.test(s)) return null
  const n = Number(s)
  return Number.isSafeInteger(n) ? n : null
}

const parseAnnouncement = (raw: string): SnapshotMeta | null => {
  try {
    const o: unknown = JSON.parse(raw)
    if (typeof o !== 'object' || o === null) return null
    const { version, sha256 } = o as Record<string, unknown>
    if (typeof version !== 'number' || !Number.isSafeInteger(version)) return null
    if (typeof sha256 !== 'string' || !SHA256_RE.test(sha256)) return null
    return { version, sha256 }
  } catch {
    return null
  }
}

const parseProviders = (raw: string): string[] | undefined | null => {
  try {
    const o: unknown = JSON.parse(raw)
    if (typeof o !== 'object' || o === null) return null
    const { providers } = o as Record<string, unknown>
    if (providers === undefined || providers === null) return undefined
    if (!Array.isArray(providers) || !providers.every((p) => typeof p === 'string')) return null
    return providers
  } catch {
    return null
  }
}

export class ClusterCoordinator {
  readonly namespace: string
  readonly replicaId: string
  private readonly log: CoordinatorLog
  private readonly client: Redis
  private readonly sub: Redis
  private readonly keys: {
    lock: string
    fence: string
    token: string
    version: string
    sha256: string
    data: string
    signature: string
    snapshots: string
    refreshRequests: string
  }
  private lastOkAt = 0
  private lastFailed = true
  private started = false
  private closed = false
  /** Logged once per outage per connection, not once per reconnect attempt. */
  private readonly down = { client: false, sub: false }
  private readonly channels = new Set<string>()
  private readonly announceListeners = new Set<(a: SnapshotMeta) => void>()
  private readonly refreshListeners = new Set<(providers?: string[]) => void>()

  constructor(opts: ClusterCoordinatorOptions) {
    this.namespace = opts.namespace ?? 'modelcat'
    this.replicaId = opts.replicaId ?? `${hostname()}-${process.pid}-${crypto.randomUUID().slice(0, 8)}`
    this.log = opts.log ?? noopLog
    const ns = this.namespace
    this.keys = {
      lock: `${ns}:lock`,
      fence: `${ns}:fence`,
      token: `${ns}:snapshot:token`,
      version: `${ns}:snapshot:version`,
      sha256: `${ns}:snapshot:sha256`,
      data: `${ns}:snapshot:data`,
      signature: `${ns}:snapshot:signature`,
      snapshots: `${ns}:snapshots`,
      refreshRequests: `${ns}:refresh-requests`,
    }
    const commandTimeout = opts.commandTimeoutMs ?? 500
    this.client = new Redis(opts.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout,
      connectTimeout: Math.max(commandTimeout * 4, 1_000),
      // Keep reconnecting forever with capped exponential backoff (never return null: that gives up).
      retryStrategy: (times) => Math.min(RECONNECT_BASE_MS * 2 ** Math.min(times, 16), RECONNECT_CAP_MS),
    })
    // Re-subscription is ours (on every 'ready'): ioredis only re-subscribes channels that once succeeded.
    this.sub = this.client.duplicate({ autoResubscribe: false })
    this.wire(this.client, 'client')
    this.wire(this.sub, 'sub')
    this.sub.on('ready', () => void this.resubscribe())
    this.sub.on('message', (channel: string, message: string) => this.onMessage(channel, message))
  }

  /** Connects both connections. Never throws: when Redis is down it logs and keeps retrying. */
  async connect(): Promise<void> {
    if (this.started || this.closed) return
    this.started = true
    await Promise.all([this.connectOne(this.client, 'client'), this.connectOne(this.sub, 'sub')])
    if (this.client.status === 'ready') {
      try {
        await this.run(() => this.client.ping())
      } catch {
        // recorded by run(); reconnection continues in the background
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.lastFailed = true
    await Promise.all(
      [this.client, this.sub].map(async (c) => {
        if (c.status === 'ready') {
          try {
            await c.quit()
          } catch {
            // fall through to disconnect
          }
        }
        c.disconnect(false)
      }),
    )
  }

  /** True when the connection is up, the last command succeeded, and that was recent. */
  get healthy(): boolean {
    return !this.closed && this.client.status === 'ready' && !this.lastFailed && Date.now() - this.lastOkAt <= HEALTHY_WINDOW_MS
  }

  /**
   * One winner per lock TTL. Returns the winner's fencing token, null for losers.
   * Throws when Redis is unreachable (the caller decides, e.g. refresh standalone).
   */
  async tryLead(ttlMs: number): Promise<number | null> {
    if (!Number.isInteger(ttlMs) || ttlMs <= 0) throw new RangeError(`tryLead: ttlMs must be a positive integer, got ${ttlMs}`)
    const won = await this.run(() => this.client.set(this.keys.lock, this.replicaId, 'PX', ttlMs, 'NX'))
    if (won !== 'OK') return null
    const token = await this.run(() => this.client.incr(this.keys.fence))
    this.log.info({ replicaId: this.replicaId, token, ttlMs }, 'cluster: won refresh lock')
    return token
  }

  /** Whether this replica holds the refresh lock right now (its token is then the current leader's). */
  async holdsLock(): Promise<boolean> {
    return (await this.run(() => this.client.get(this.keys.lock))) === this.replicaId
  }

  /**
   * Atomically stores the snapshot and announces it, unless `token` is older than the stored token or
   * `version` is not newer than the stored version ('stale'). Throws when Redis is unreachable.
   */
  async publish(token: number, snapshot: Snapshot): Promise<PublishResult> {
    if (!Number.isSafeInteger(token)) throw new TypeError(`publish: token must be a safe integer, got ${token}`)
    if (!Number.isSafeInteger(snapshot.version)) throw new TypeError(`publish: version must be a safe integer, got ${snapshot.version}`)
    if (!SHA256_RE.test(snapshot.sha256)) throw new TypeError('publish: sha256 must be 64 lowercase hex characters')
    const data = Buffer.from(snapshot.data.buffer, snapshot.data.byteOffset, snapshot.data.byteLength)
    const announcement = JSON.stringify({ version: snapshot.version, sha256: snapshot.sha256 })
    const k = this.keys
    const args: (string | Buffer | number)[] = [
      k.token,
      k.version,
      k.sha256,
      k.data,
      k.signature,
      String(token),
      String(snapshot.version),
      snapshot.sha256,
      data,
      k.snapshots,
      announcement,
      snapshot.signature ?? '',
    ]
    const result = await this.run(async () => {
      try {
        return await this.client.evalsha(PUBLISH_SHA1, 5, ...args)
      } catch (err) {
        // Script cache is empty after a Redis restart / on a fresh server: send the body once.
        if (!errMessage(err).includes('NOSCRIPT')) throw err
        return await this.client.eval(PUBLISH_LUA, 5, ...args)
      }
    })
    const published = result === 1
    this.log.info(
      { token, version: snapshot.version, sha256: snapshot.sha256, bytes: data.byteLength, result: published ? 'published' : 'stale' },
      published ? 'cluster: snapshot published' : 'cluster: stale snapshot rejected',
    )
    return published ? 'published' : 'stale'
  }

  /** The stored snapshot's metadata (cheap: one MGET, no data). Null when nothing was published. */
  async latest(): Promise<(SnapshotMeta & { token: number }) | null> {
    const [version, sha256, token] = await this.run(() => this.client.mget(this.keys.version, this.keys.sha256, this.keys.token))
    const v = parseInt10(version)
    const t = parseInt10(token)
    if (v === null || t === null || sha256 == null || !SHA256_RE.test(sha256)) return null
    return { version: v, sha256, token: t }
  }

  /**
   * The stored snapshot (metadata and bytes read atomically). Null when nothing was published or the
   * bytes do not match the stored sha256 (logged).
   */
  async fetch(): Promise<Snapshot | null> {
    const [version, sha256, data, signature] = await this.run(() => this.client.mgetBuffer(this.keys.version, this.keys.sha256, this.keys.data, this.keys.signature))
    const v = parseInt10(version)
    const expected = sha256?.toString()
    if (v === null || expected === undefined || data == null) return null
    const actual = sha256Hex(data)
    if (actual !== expected) {
      this.log.warn({ version: v, expected, actual, bytes: data.byteLength }, 'cluster: snapshot sha256 mismatch, ignoring')
      return null
    }
    return { version: v, sha256: expected, data: new Uint8Array(data), ...(signature == null ? {} : { signature: signature.toString() }) }
  }

  /** The stored snapshot's size in bytes (STRLEN: checked against a cap before downloading it). */
  async size(): Promise<number> {
    return await this.run(() => this.client.strlen(this.keys.data))
  }

  /**
   * Announcements of new snapshots (a hint only: messages are lost while disconnected; poll `latest()`).
   * Never throws for connectivity: the subscription is (re)established whenever the connection is ready.
   */
  async subscribe(onAnnounce: (a: SnapshotMeta) => void): Promise<void> {
    this.announceListeners.add(onAnnounce)
    await this.ensureChannel(this.keys.snapshots)
  }

  /** Asks every replica (including this one) to run the shared refresh. Throws when Redis is unreachable. */
  async requestRefresh(providers?: string[]): Promise<void> {
    const message = JSON.stringify(providers === undefined ? {} : { providers })
    await this.run(() => this.client.publish(this.keys.refreshRequests, message))
  }

  /** Registers a refresh-request listener (hint, like announcements). Returns an unsubscribe function. */
  onRefreshRequest(cb: (providers?: string[]) => void): () => void {
    this.refreshListeners.add(cb)
    void this.ensureChannel(this.keys.refreshRequests)
    return () => {
      this.refreshListeners.delete(cb)
    }
  }

  // ---------------------------------------------------------------------------------------------

  private async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      const result = await fn()
      this.lastOkAt = Date.now()
      this.lastFailed = false
      return result
    } catch (err) {
      this.lastFailed = true
      throw err
    }
  }

  private async connectOne(c: Redis, name: 'client' | 'sub'): Promise<void> {
    try {
      await c.connect()
    } catch (err) {
      // ioredis keeps reconnecting through retryStrategy; the 'error' listener logs the outage.
      this.noteDown(name, err)
    }
  }

  private wire(c: Redis, name: 'client' | 'sub'): void {
    // Without an 'error' listener ioredis prints "Unhandled error event" on every attempt.
    c.on('error', (err: unknown) => this.noteDown(name, err))
    c.on('close', () => this.noteDown(name, new Error('connection closed')))
    c.on('ready', () => {
      if (this.down[name]) this.log.info({ connection: name }, 'cluster: redis connection restored')
      this.down[name] = false
    })
  }

  private noteDown(name: 'client' | 'sub', err: unknown): void {
    if (name === 'client') this.lastFailed = true
    if (this.closed || this.down[name]) return
    this.down[name] = true
    this.log.warn({ connection: name, err: errMessage(err) }, 'cluster: redis unavailable, retrying in the background')
  }

  private async ensureChannel(channel: string): Promise<void> {
    if (this.channels.has(channel)) return
    this.channels.add(channel)
    if (this.sub.status !== 'ready') return // subscribed on the next 'ready'
    try {
      await this.sub.subscribe(channel)
    } catch (err) {
      this.log.warn({ channel, err: errMessage(err) }, 'cluster: subscribe failed, retrying on reconnect')
    }
  }

  private async resubscribe(): Promise<void> {
    if (this.channels.size === 0 || this.closed) return
    try {
      await this.sub.subscribe(...this.channels)
    } catch (err) {
      this.log.warn({ channels: [...this.channels], err: errMessage(err) }, 'cluster: resubscribe failed, retrying on reconnect')
    }
  }

  private onMessage(channel: string, message: string): void {
    if (channel === this.keys.snapshots) {
      const a = parseAnnouncement(message)
      if (!a) {
        this.log.warn({ channel }, 'cluster: malformed snapshot announcement ignored')
        return
      }
      for (const cb of this.announceListeners) this.safeCall(() => cb(a))
    } else if (channel === this.keys.refreshRequests) {
      const providers = parseProviders(message)
      if (providers === null) {
        this.log.warn({ channel }, 'cluster: malformed refresh request ignored')
        return
      }
      for (const cb of this.refreshListeners) this.safeCall(() => cb(providers))
    }
  }

  private safeCall(fn: () => void): void {
    try {
      fn()
    } catch (err) {
      this.log.warn({ err: errMessage(err) }, 'cluster: listener threw')
    }
  }
}
