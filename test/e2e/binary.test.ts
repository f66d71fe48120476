import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { copyFileSync, existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fetchPatiently, launchChromium, screenshot, watchedPage } from '../helpers/browser'
import { checkedFetch, routeTable, tempDir } from '../helpers/harness'
import { listeningUrl, spawnGroup } from '../helpers/process'

/**
 * The shipped artifact: `bun run build` → dist/modelcat, copied alone into an empty directory and run
 * there with no config and no network (the upstream hosts do not resolve here): it creates its DB,
 * serves the bootstrap catalog, Swagger UI with its own assets, and stops cleanly on SIGTERM.
 */
setDefaultTimeout(120_000)
const ROOT = join(import.meta.dir, '..', '..')
let dir: string
let proc: ReturnType<typeof spawnGroup>
let url: string
let get: ReturnType<typeof checkedFetch> // every JSON answer against the schema its route declares

beforeAll(async () => {
  get = checkedFetch(await routeTable())
  const build = Bun.spawnSync(['bun', 'run', 'build'], { cwd: ROOT, stdout: 'pipe', stderr: 'pipe' })
  if (build.exitCode !== 0) throw new Error(`build failed: ${build.stderr.toString()}`)
  dir = tempDir('modelcat-binary-')
  copyFileSync(join(ROOT, 'dist', 'modelcat'), join(dir, 'modelcat'))
  Bun.spawnSync(['chmod', '+x', join(dir, 'modelcat')])
  proc = spawnGroup([join(dir, 'modelcat')], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: dir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const started = await listeningUrl(proc, 20_000)
  if (started.url) {
    url = started.url
    return
  }
  const { text } = started
  throw new Error(`binary did not start: ${text}`)
})
afterAll(() => proc?.kill('SIGKILL'))

describe('the compiled binary, alone in an empty directory, with no network', () => {
  test('creates its DB from nothing (embedded migrations)', () => {
    expect(existsSync(join(dir, 'data', 'catalog.db'))).toBe(true)
    expect(readdirSync(dir).sort()).toEqual(['data', 'modelcat'])
  })

  test('/health answers and /ready is 200 with the bootstrap catalog', async () => {
    expect(await (await get(`${url}/health`)).json()).toEqual({ status: 'ok' })
    expect((await get(`${url}/ready`)).status).toBe(200)
  })

  test('/v1/models serves the embedded snapshot, marked bootstrap', async () => {
    const body = (await (await get(`${url}/v1/models`)).json()) as { data: { source: string; provider: string }[] }
    expect(body.data.length).toBeGreaterThan(100)
    expect(body.data.every((m) => m.source === 'bootstrap')).toBe(true)
    expect(new Set(body.data.map((m) => m.provider))).toContain('openrouter')
  })

  test('/swagger renders from the assets it serves itself', async () => {
    const page = await (await fetch(`${url}/swagger`)).text()
    expect(page).toContain('/swagger/assets/swagger-ui-bundle.js')
    const js = await fetch(`${url}/swagger/assets/swagger-ui-bundle.js`)
    expect(js.status).toBe(200)
    expect((await js.arrayBuffer()).byteLength).toBeGreaterThan(500_000)
    expect((await fetch(`${url}/swagger/json`)).status).toBe(200)
  })

  test('serves the catalog page, embedded in the binary: Chromium renders it with no console error and no request elsewhere', async () => {
    const browser = await launchChromium()
    try {
      const { page, errors, requests } = await watchedPage(await browser.newContext())
      // the start's own commits (the embedded references) may land while the page loads: compared within one version
      const firstPage = async () => {
        const res = await fetchPatiently(`${url}/v1/models?unique=true&limit=50`)
        return { version: res.headers.get('x-catalog-version'), ids: ((await res.json()) as { data: { id: string }[] }).data.map((m) => m.id) }
      }
      for (let attempt = 0; ; attempt++) {
        const before = await firstPage()
        await page.goto(`${url}/`)
        await page.waitForSelector('table.models tbody tr')
        const shown = await page.$$eval('table.models tbody tr', (rows) => rows.map((r) => r.getAttribute('data-id')))
        const after = await firstPage()
        if (before.version !== after.version && attempt < 10) continue // a new version landed meanwhile: again
        expect(shown).toEqual(after.ids)
        break
      }
      await page.goto(`${url}/?view=providers`)
      await page.waitForSelector('table.providers tbody tr')
      await screenshot(page, 'binary-providers')
      expect(errors).toEqual([])
      expect(requests.filter((r) => new URL(r).origin !== url)).toEqual([])
    } finally {
      await browser.close()
    }
  })

  test('SIGTERM stops it with exit code 0', async () => {
    proc.kill('SIGTERM')
    expect(await proc.exited).toBe(0)
  })
})
