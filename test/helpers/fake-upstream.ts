import type { Server } from 'bun'

export const FIXTURES = `${import.meta.dir}/../fixtures/upstream`

export type Behaviour =
  | { kind: 'file'; path: string; contentType?: string; status?: number; delayMs?: number }
  | { kind: 'body'; body: string; contentType?: string; status?: number; delayMs?: number; headers?: Record<string, string> }
  | { kind: 'hang' }
  | { kind: 'drip'; chunk: string; everyMs: number }
  | { kind: 'handler'; handle: (req: Request) => Response | Promise<Response> }

/**
 * A stand-in for the internet: an HTTP server on 127.0.0.1 (port 0) that replays real captures
 * under any path, counts the requests per path and records their headers.
 */
export class FakeUpstream {
  readonly hits = new Map<string, number>()
  readonly lastHeaders = new Map<string, Headers>()
  readonly #routes = new Map<string, Behaviour>()
  readonly server: Server<undefined>

  constructor(port = 0) {
    this.server = Bun.serve({
      hostname: '127.0.0.1',
      port,
      idleTimeout: 0,
      fetch: (req) => this.#handle(req),
    })
  }

  get url() {
    return `http://127.0.0.1:${this.server.port}`
  }

  /** Serves `fixture` (relative to test/fixtures/upstream) at `path`. */
  replay(path: string, fixture: string, extra: Partial<Extract<Behaviour, { kind: 'file' }>> = {}) {
    this.#routes.set(path, { kind: 'file', path: `${FIXTURES}/${fixture}`, ...extra })
    return this
  }

  set(path: string, behaviour: Behaviour) {
    this.#routes.set(path, behaviour)
    return this
  }

  count(path: string) {
    return this.hits.get(path) ?? 0
  }

  stop() {
    this.server.stop(true)
  }

  async #handle(req: Request): Promise<Response> {
    const path = new URL(req.url).pathname
    this.hits.set(path, this.count(path) + 1)
    this.lastHeaders.set(path, req.headers)
    const b = this.#routes.get(path)
    if (!b) return new Response('{"error":"no such fixture route"}', { status: 404, headers: { 'content-type': 'application/json' } })
    switch (b.kind) {
      case 'file':
        if (b.delayMs) await Bun.sleep(b.delayMs)
        return new Response(Bun.file(b.path), { status: b.status ?? 200, headers: { 'content-type': b.contentType ?? 'application/json' } })
      case 'body':
        if (b.delayMs) await Bun.sleep(b.delayMs)
        return new Response(b.body, { status: b.status ?? 200, headers: { 'content-type': b.contentType ?? 'application/json', ...b.headers } })
      case 'handler':
        return b.handle(req)
      case 'hang':
        return new Promise<Response>((resolve) => req.signal.addEventListener('abort', () => resolve(new Response(null))))
      case 'drip': {
        const { chunk, everyMs } = b
        let timer: ReturnType<typeof setInterval>
        const stream = new ReadableStream<string>({
          start(controller) {
            controller.enqueue('{"data":[')
            timer = setInterval(() => {
              try {
                controller.enqueue(chunk)
              } catch {
                clearInterval(timer)
              }
            }, everyMs)
          },
          cancel() {
            clearInterval(timer)
          },
        })
        return new Response(stream, { headers: { 'content-type': 'application/json' } })
      }
    }
  }
}
