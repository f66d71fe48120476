import { tmpdir } from 'node:os'
import type { Subprocess } from 'bun'
import { spawnGroup } from './process'

/**
 * A real, throwaway `redis-server` on 127.0.0.1 (no persistence, not daemonized) for integration tests.
 * Missing binary is an error, never a silent skip: CI installs it (`apt-get install -y redis-server`).
 */
export interface RedisServer {
  url: string
  port: number
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>
  /** SIGKILL and wait for exit (a crash, as far as clients can tell). */
  kill(): Promise<void>
  /** Starts again on the same port (stopping first if still running); resolves once it answers PING. */
  restart(): Promise<void>
}

const START_TIMEOUT_MS = 5_000

async function freePort(): Promise<number> {
  const probe = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
  const port = probe.port
  probe.stop(true)
  return port
}

/** One PING over raw TCP; true on +PONG. */
function ping(port: number, timeoutMs = 250): Promise<boolean> {
  return new Promise((resolve) => {
    let done = false
    const finish = (ok: boolean, socket?: { end(): void }) => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket?.end()
      resolve(ok)
    }
    const timer = setTimeout(() => finish(false), timeoutMs)
    Bun.connect({
      hostname: '127.0.0.1',
      port,
      socket: {
        open(s) {
          s.write('PING\r\n')
        },
        data(s, chunk) {
          finish(Buffer.from(chunk).toString().startsWith('+PONG'), s)
        },
        error(s) {
          finish(false, s)
        },
        close() {
          finish(false)
        },
        connectError() {
          finish(false)
        },
      },
    }).catch(() => finish(false))
  })
}

export async function startRedisServer(): Promise<RedisServer> {
  const bin = Bun.which('redis-server')
  if (!bin) {
    throw new Error('redis-server is not on PATH; the Redis integration tests need a real server: apt-get install -y redis-server')
  }
  const port = await freePort()
  let proc: Subprocess<'ignore', 'pipe', 'pipe'> | null = null
  let output = ''

  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder()
    try {
      for await (const chunk of stream) output = (output + decoder.decode(chunk)).slice(-8_000)
    } catch {
      // process gone
    }
  }

  const start = async () => {
    output = ''
    const p = spawnGroup([bin, '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', tmpdir()], {
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
    })
    proc = p
    void drain(p.stdout)
    void drain(p.stderr)
    const deadline = Date.now() + START_TIMEOUT_MS
    while (Date.now() < deadline) {
      if (p.exitCode !== null || p.signalCode !== null) {
        throw new Error(`redis-server exited early (code ${p.exitCode}, signal ${p.signalCode}) on port ${port}:\n${output}`)
      }
      if (await ping(port)) return
      await Bun.sleep(25)
    }
    p.kill('SIGKILL')
    await p.exited
    throw new Error(`redis-server did not answer PING on port ${port} within ${START_TIMEOUT_MS} ms:\n${output}`)
  }

  const halt = async (signal: 'SIGTERM' | 'SIGKILL') => {
    const p = proc
    proc = null
    if (!p || p.exitCode !== null || p.signalCode !== null) return
    p.kill(signal)
    await p.exited
  }

  await start()
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () => halt('SIGTERM'),
    kill: () => halt('SIGKILL'),
    restart: async () => {
      await halt('SIGTERM')
      await start()
    },
  }
}
