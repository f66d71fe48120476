/**
 * The refresh thread: fetching, parsing and — above all — the synchronous SQLite write transaction run
 * here, on a connection of their own, so the HTTP thread never stalls behind a refresh (a 50,000-offering
 * write takes seconds). The main thread learns of each new catalog version and reads it (WAL).
 * What runs here is built by the composition root (openRefreshThread); this file only speaks the protocol.
 */
import { loadConfig } from '../config'
import { createLogger } from '../lib/log'
import { scrubberFor } from '../lib/scrub'
import { openRefreshThread } from './catalog'
import { indexBuffers } from '../catalog/engine'
import type { FromThread, ToThread } from './thread-protocol'

declare const self: Worker

const post = (m: FromThread) => self.postMessage(m)
let runtime: ReturnType<typeof openRefreshThread> | undefined

self.onmessage = async (event: MessageEvent<ToThread>) => {
  const m = event.data
  try {
    switch (m.type) {
      case 'init': {
        const config = loadConfig(m.env)
        const log = createLogger(config.logLevel, { scrub: scrubberFor(config) }).child({ thread: 'refresh' })
        runtime = openRefreshThread(config, log, {
          onVersion(version, bodies, index) {
            const message: FromThread = { type: 'committed', version, bodies, index }
            // every buffer once in the transfer list
            const buffers = new Set([...bodies.flatMap((b) => [b.gzip.buffer, b.br.buffer]), ...indexBuffers(index)])
            self.postMessage(message, [...buffers] as ArrayBuffer[])
          },
          onSnapshotRejected: (reason) => post({ type: 'snapshotRejected', reason }),
        })
        runtime.onReport((report) => post({ type: 'report', report }))
        post({ type: 'ready' })
        runtime.handOverNow()
        break
      }
      case 'start':
        // the first index first: until it is handed over the HTTP thread answers from SQLite (at the DB's version),
        // and a commit before it would make that index older than answers already given
        await runtime!.handedOver()
        runtime!.start()
        break
      case 'refresh': {
        await runtime!.handedOver() // (as 'start': no commit before the first index is handed over)
        const report = await runtime!.refresher.refresh(m.opts)
        await runtime!.handedOver() // the HTTP thread serves the new version before the caller hears it landed
        post({ type: 'result', id: m.id, report })
        break
      }
      case 'resetBreakers':
        post({ type: 'result', id: m.id, breakers: await runtime!.refresher.resetBreakers(m.provider) })
        break
      case 'stop':
        await runtime?.stop()
        post({ type: 'stopped' })
        break
    }
  } catch (err) {
    if (m.type === 'refresh' || m.type === 'resetBreakers') post({ type: 'result', id: m.id, error: (err as Error).message })
    else post({ type: 'fatal', error: (err as Error).stack ?? String(err) })
  }
}
