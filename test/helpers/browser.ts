import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { tempDir } from './harness'
import { listeningUrl, spawnGroup } from './process'

const ROOT = join(import.meta.dir, '..', '..')
/** Screenshots of the page's views (gitignored): look at them after a run. */
export const SCREENSHOTS = join(ROOT, 'test-output', 'screenshots')

/**
 * Debian's chromium (`apt-get install chromium`; .ci/run installs it), driven by playwright-core.
 * Playwright's own browser download is never used: it needs the internet. CHROMIUM_PATH overrides.
 */
export function chromiumPath(): string {
  for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']) if (p && existsSync(p)) return p
  throw new Error('chromium not found: apt-get install -y chromium (or set CHROMIUM_PATH)')
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    // root in a container has no user namespaces for the sandbox; the page is our own, on 127.0.0.1
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
    timeout: 60_000,
  })
}

/** A page that records console errors, uncaught exceptions and every request's URL. */
export async function watchedPage(context: BrowserContext): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const page = await context.newPage()
  const errors: string[] = []
  const requests: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text())
  })
  page.on('pageerror', (e) => errors.push(String(e)))
  page.on('request', (r) => requests.push(r.url()))
  return { page, errors, requests }
}

export async function screenshot(page: Page, name: string) {
  mkdirSync(SCREENSHOTS, { recursive: true })
  writeFileSync(join(SCREENSHOTS, `${name}.png`), await page.screenshot({ fullPage: true }))
}

/** Starts `bun run start` (or `cmd`) with the given TOML on any free port; resolves once it logs "listening". */
export async function startService(toml: string, env: Record<string, string> = {}, cmd = ['bun', 'run', 'start']) {
  const dir = tempDir('modelcat-page-')
  writeFileSync(join(dir, 'modelcat.toml'), toml)
  const proc = spawnGroup(cmd, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, PORT: '0', HOST: '127.0.0.1', MODELCAT_DB: join(dir, 'catalog.db'), MODELCAT_CONFIG: join(dir, 'modelcat.toml'), ...env },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const { url, text } = await listeningUrl(proc, 30_000)
  if (url) return { url, proc, dir }
  proc.kill('SIGKILL')
  throw new Error(`service did not start: ${text} ${await new Response(proc.stderr as ReadableStream).text()}`)
}

/**
 * fetch() as a well-behaved client: a 503 of the build budget (an uncached answer refused while the service is
 * busy, e.g. a cold process building its first answers) is asked again after its Retry-After, a few times.
 */
export async function fetchPatiently(url: string, init?: RequestInit): Promise<Response> {
  let res = await fetch(url, init)
  for (let attempt = 0; res.status === 503 && attempt < 5; attempt++) {
    await Bun.sleep(Math.min(5, Math.max(1, Number(res.headers.get('retry-after')) || 1)) * 1000)
    res = await fetch(url, init)
  }
  return res
}
