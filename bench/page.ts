/**
 * The catalog page at 50,000 offerings, measured in Chromium (Debian's, via playwright-core):
 *   - first view interactive: navigation start → the models table shows the API's first page (script
 *     run, rows rendered, no fetch in flight), cold browser cache. Target ≤ 1 s.
 *   - a search keystroke: keydown → the table shows the answer for the new `q` (debounce, request,
 *     server query, render). Each keystroke makes a new query (no cached answer). Target ≤ 150 ms.
 *
 *   bun bench/page.ts [--offerings 50000] [--keystrokes 24]
 */
import { parseArgs } from 'node:util'
import { launchChromium } from '../test/helpers/browser'
import { startSyntheticService } from './synthetic'

// the functions handed to the browser run there, with the DOM (this file is checked without the DOM lib)
const window = globalThis as any
const document = (globalThis as any).document

const { values } = parseArgs({ options: { offerings: { type: 'string', default: '50000' }, keystrokes: { type: 'string', default: '24' } } })
const total = Number(values.offerings)

// 1. the catalog; 2. the service, as a process
const { outcomes, service, base } = await startSyntheticService({ total, prefix: 'modelcat-page-bench-', portBase: 19_000, readyTries: 300 })
try {
  // the start-up refresh (every provider tried once: 127.0.0.1:9 refuses) and the answers it re-warms
  // settle first: the figures are the page's, not the start-up's
  for (let i = 0; ; i++) {
    const { data } = (await (await fetch(`${base}/v1/providers`)).json()) as { data: { enabled: boolean; last_attempt_at: string | null }[] }
    if (data.filter((p) => p.enabled).every((p) => p.last_attempt_at)) break
    if (i > 600) throw new Error('start-up refresh never finished')
    await Bun.sleep(100)
  }
  const settle = performance.now()
  let version = ''
  for (;;) {
    const v = (await fetch(`${base}/v1/models?limit=1`)).headers.get('x-catalog-version') ?? ''
    if (v === version && performance.now() - settle > 5000) break
    version = v
    await Bun.sleep(1000)
  }
  // the API alone, for the same requests the page makes (each q new to the answer cache)
  const apiTimes: number[] = []
  for (const q of ['a', 'ab', 'abc', 'mod', 'mode', 'model', 'model 9', 'model 98']) {
    const t = performance.now()
    await (await fetch(`${base}/v1/models?unique=true&q=${encodeURIComponent(q)}&limit=50`)).arrayBuffer()
    apiTimes.push(performance.now() - t)
  }
  const timed = async (path: string) => {
    const t = performance.now()
    await (await fetch(`${base}${path}`)).arrayBuffer()
    return performance.now() - t
  }
  const health = [await timed('/health'), await timed('/health'), await timed('/health')]
  const cached = [await timed('/v1/models?unique=true&q=a&limit=50'), await timed('/v1/models?unique=true&q=a&limit=50')]
  if (process.env.BENCH_DEBUG) console.log({ health, cached, version, now: (await fetch(`${base}/v1/models?limit=1`)).headers.get('x-catalog-version') })
  const browser = await launchChromium()
  // 3. probes injected before the page's own script (CDP init scripts are outside the page's CSP):
  // when the table last settled on an answer, and when the last key went down
  const probe = () => {
    const w = window as unknown as { __ready: { path: string; at: number }[]; __keydown: number }
    w.__ready = []
    w.__keydown = 0
    document.addEventListener('keydown', () => (w.__keydown = performance.now()), true)
    ;new (globalThis as any).MutationObserver(() => {
      const t = document.querySelector('table.models')
      const path = t?.getAttribute('data-loaded-path')
      if (t && path && t.getAttribute('aria-busy') === 'false' && w.__ready[w.__ready.length - 1]?.path !== path) w.__ready.push({ path, at: performance.now() })
    }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-busy', 'data-loaded-path'] })
  }
  const firstViews: number[] = []
  const breakdown: { script: number; apiStart: number; api: number }[] = []
  for (let run = 0; run < 5; run++) {
    const context = await browser.newContext() // a cold cache each time
    const page = await context.newPage()
    await page.addInitScript(probe)
    await page.goto(`${base}/`)
    await page.waitForFunction(() => (window as unknown as { __ready: unknown[] }).__ready.length > 0, undefined, { timeout: 30_000 })
    const [ready, rows] = await page.evaluate(() => [(window as unknown as { __ready: { at: number }[] }).__ready[0]!.at, document.querySelectorAll('table.models tbody tr').length])
    if (rows === 0) throw new Error('no rows rendered')
    firstViews.push(ready)
    // where the time went: the script loaded, the API request started and answered (resource timing)
    const [script, api] = await page.evaluate(() => {
      const entries = performance.getEntriesByType('resource') as PerformanceResourceTiming[]
      const js = entries.find((e) => e.name.includes('/assets/app.js'))
      const models = entries.find((e) => e.name.includes('/v1/models'))
      return [js?.responseEnd ?? 0, models ? [models.startTime, models.responseEnd - models.startTime] : [0, 0]] as const
    })
    breakdown.push({ script, apiStart: api[0] ?? 0, api: api[1] ?? 0 })
    await context.close()
  }

  const context = await browser.newContext()
  const page = await context.newPage()
  await page.addInitScript(probe)
  await page.goto(`${base}/`)
  await page.waitForFunction(() => (window as unknown as { __ready: unknown[] }).__ready.length > 0)
  const box = page.getByLabel('Search models')
  await box.focus()
  // each keystroke a query never asked before: "Model 1", "Model 12", … then a second word
  const text = 'model 1234 instruct meta'.slice(0, Number(values.keystrokes))
  const keystrokes: number[] = []
  for (const ch of text) {
    const before = await page.evaluate(() => (window as unknown as { __ready: unknown[] }).__ready.length)
    await page.keyboard.type(ch)
    const typed = await box.inputValue()
    if (!typed.trim() || typed.endsWith(' ')) continue // a trailing space does not change q
    const q = new URLSearchParams({ q: typed.trim() }).toString()
    await page.waitForFunction(
      ([n, want]) => {
        const r = (window as unknown as { __ready: { path: string }[] }).__ready
        return r.length > (n as number) && r[r.length - 1]!.path.includes(`&${want}&`)
      },
      [before, q] as const,
      { timeout: 10_000 },
    )
    const took = await page.evaluate(() => {
      const w = window as unknown as { __ready: { at: number }[]; __keydown: number }
      return w.__ready[w.__ready.length - 1]!.at - w.__keydown
    })
    keystrokes.push(took)
  }
  await browser.close()
  if (process.env.BENCH_DEBUG)
    console.log({
      versionAtEnd: (await fetch(`${base}/v1/models?limit=1`)).headers.get('x-catalog-version'),
      providers: ((await (await fetch(`${base}/v1/providers`)).json()) as { data: { id: string; status: string; breaker: string; last_attempt_at: string }[] }).data
        .filter((p) => p.id.startsWith('synth'))
        .slice(0, 3),
    })

  const sorted = (a: number[]) => [...a].sort((x, y) => x - y)
  const median = (a: number[]) => sorted(a)[Math.floor(a.length / 2)]!
  const max = (a: number[]) => sorted(a)[a.length - 1]!
  const p95 = (a: number[]) => sorted(a)[Math.min(a.length - 1, Math.ceil(a.length * 0.95) - 1)]!
  const fmt = (n: number) => `${n.toFixed(0)} ms`
  console.log(`catalog: ${total} offerings, ${outcomes.length} providers (synthetic, shaped like the captures)`)
  console.log(`first view interactive (cold cache, ${firstViews.length} runs): median ${fmt(median(firstViews))}, max ${fmt(max(firstViews))}   target ≤ 1000 ms`)
  console.log(
    `search keystroke → table updated (${keystrokes.length} keystrokes, each a new q): median ${fmt(median(keystrokes))}, p95 ${fmt(p95(keystrokes))}, max ${fmt(max(keystrokes))}   target ≤ 150 ms`,
  )
  console.log(
    `first view, medians: script loaded at ${fmt(median(breakdown.map((b) => b.script)))}, /v1/models asked at ${fmt(median(breakdown.map((b) => b.apiStart)))} and answered in ${fmt(median(breakdown.map((b) => b.api)))}`,
  )
  console.log(`the API alone, /v1/models?unique=true&q=…&limit=50 (new q each): median ${fmt(median(apiTimes))}, max ${fmt(max(apiTimes))}`)
  console.log(`  per keystroke: ${keystrokes.map((k) => k.toFixed(0)).join(' ')}`)
} finally {
  service.kill('SIGKILL')
}
