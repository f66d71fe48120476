import { DEFAULTS, loadConfig } from '../config'

export const healthcheckCommand = {
  name: 'healthcheck',
  summary: 'exit 0 when GET /health on 127.0.0.1:$PORT answers 200 (Docker HEALTHCHECK)',
  usage: 'Usage: modelcat healthcheck\n\nGET http://127.0.0.1:$PORT/health; exit 0 on 200, 1 otherwise (the image has no curl).',
  args: {},
  async run() {
    let port = DEFAULTS.port
    try {
      port = loadConfig().port
    } catch {}
    const ok = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) })
      .then((res) => res.ok)
      .catch(() => false)
    process.exit(ok ? 0 : 1)
  },
}
