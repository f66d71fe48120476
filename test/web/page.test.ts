import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { perMillionExact, usdPerMillion } from '../../src/modules/web/client/format'
import { fetchPatiently, launchChromium, screenshot, startService, watchedPage } from '../helpers/browser'
import { FakeUpstream, FIXTURES } from '../helpers/fake-upstream'
import { tomlFor } from '../helpers/harness'
import type { spawnGroup } from '../helpers/process'

/**
 * The catalog page in a real browser (Debian's chromium driven by playwright-core) against the real
 * service started as a process, its providers answered by a fake upstream replaying real captures.
 */
setDefaultTimeout(90_000)

const GROQ = '/groq/openai/v1'
const TOGETHER = '/together/v1'
const XAI = '/xai/v1'
const TOGETHER_FIXTURE = 'together/together_v1_models_2026-01-23.json'

let up: FakeUpstream
let proc: ReturnType<typeof spawnGroup>
let url: string
let browser: Browser
let context: BrowserContext

const api = async <T>(path: string, init?: RequestInit): Promise<T> => {
  const r = await fetchPatiently(`${url}${path}`, init)
  if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`)
  return (await r.json()) as T
}
type Row = { id: string; pricing: Record<string, string>; provider_count?: number }

beforeAll(async () => {
  up = new FakeUpstream()
    .replay(`${GROQ}/models`, 'groq/groq_models_2026-01-22.json')
    .replay(`${TOGETHER}/models`, TOGETHER_FIXTURE)
    .replay(`${XAI}/models`, 'errors/xai_models_error_invalid-api-key_2026-02-27.json', { status: 400 })
  ;[browser, { url, proc }] = await Promise.all([launchChromium(), startService(tomlFor(up.url, { groq: GROQ, together: TOGETHER, xai: XAI }), { MODELCAT_ADMIN_TOKEN: 'tok' })])
  // the live lists landed, and xai's refusal is recorded
  for (let i = 0; ; i++) {
    const { data } = await api<{ data: { id: string; status: string; last_error: string | null }[] }>('/v1/providers')
    const by = (id: string) => data.find((p) => p.id === id)
    if (by('groq')?.status === 'ok' && by('together')?.status === 'ok' && by('xai')?.last_error) break
    if (i > 400) throw new Error(`providers never refreshed: ${JSON.stringify(data)}`)
    await Bun.sleep(50)
  }
  // and served: /v1/providers reads the DB at once, the page's /v1/models the version the refresh thread handed
  // over; an admin refresh with wait answers once the handovers in flight are done (the lists, unchanged, commit nothing)
  const settled = await fetch(`${url}/admin/refresh?wait=true`, { method: 'POST', headers: { authorization: 'Bearer tok' } })
  if (!settled.ok) throw new Error(`the admin refresh failed: ${settled.status} ${await settled.text()}`)
  context = await browser.newContext({ viewport: { width: 1360, height: 900 } })
})
afterAll(async () => {
  await browser?.close()
  proc?.kill('SIGKILL')
  up?.stop()
})

/** Waits until the models table shows the API answer of a URL matching `want` (no fetch in flight). */
async function loadedPath(page: Page, want: (path: string) => boolean): Promise<string> {
  const deadline = Date.now() + 20_000
  let last = ''
  while (Date.now() < deadline) {
    const [busy, path] = await page.evaluate(() => {
      const t = (globalThis as any).document.querySelector('table.models')
      return [t?.getAttribute('aria-busy') ?? 'true', t?.getAttribute('data-loaded-path') ?? '']
    })
    last = path
    if (busy === 'false' && path && want(path)) return path
    await Bun.sleep(25)
  }
  throw new Error(`the table never showed the wanted answer; last: ${last}`)
}
const rowIds = (page: Page, table: string) => page.$$eval(`table.${table} tbody tr`, (rows) => rows.map((r) => r.getAttribute('data-id')!))

describe('the catalog page in Chromium', () => {
  test('loads with no console error and no request to another host; the JSON API is unchanged', async () => {
    const { page, errors, requests } = await watchedPage(context)
    const res = await page.goto(`${url}/`)
    expect(res!.headers()['content-type']).toContain('text/html')
    expect(res!.headers()['content-security-policy']).toContain("default-src 'none'")
    await loadedPath(page, (p) => p.startsWith('/v1/models?unique=true'))
    const rows = await rowIds(page, 'models')
    const first = await api<{ data: Row[]; total: number }>('/v1/models?unique=true&limit=50')
    expect(rows).toEqual(first.data.map((m) => m.id))
    expect(await page.textContent('.summary')).toContain(`${first.total.toLocaleString('en-US')} models match`)
    // prices read as $ per 1M tokens, the exact API value alongside
    const cell = await page.$eval('table.models tbody tr td:nth-of-type(3) [data-usd-per-token]', (e) => [e.getAttribute('data-usd-per-token'), e.textContent])
    expect(cell[1]).toBe(usdPerMillion(cell[0]!))
    await screenshot(page, 'models')
    await page.setViewportSize({ width: 360, height: 780 })
    await screenshot(page, 'models-360px')
    await page.setViewportSize({ width: 1360, height: 900 })
    expect(errors).toEqual([])
    expect(requests.length).toBeGreaterThan(2)
    expect(requests.filter((r) => new URL(r).origin !== url)).toEqual([])
    // JSON clients are answered as before
    expect((await fetch(`${url}/v1/models`)).headers.get('content-type')).toContain('application/json')
    await page.close()
  })

  test('typing a search narrows the table to the models the API returns for that q', async () => {
    const { page, errors } = await watchedPage(context)
    await page.goto(`${url}/`)
    const all = await loadedPath(page, (p) => !p.includes('q='))
    await page.getByLabel('Search models').pressSequentially('llama', { delay: 30 })
    const path = await loadedPath(page, (p) => p.includes('q=llama'))
    expect(path).toBe('/v1/models?unique=true&q=llama&limit=50')
    const want = (await api<{ data: Row[] }>(path)).data.map((m) => m.id)
    expect(want.length).toBeGreaterThan(0)
    expect(await rowIds(page, 'models')).toEqual(want)
    // it narrowed: fewer than the unfiltered view, and every row is a llama
    expect(want.length).toBeLessThan((await api<{ total: number }>(all)).total)
    expect(new URL(page.url()).searchParams.get('q')).toBe('llama')
    // a term nothing matches: an empty table and a sentence saying so
    await page.getByLabel('Search models').fill('no-such-model-anywhere')
    await loadedPath(page, (p) => p.includes('q=no-such-model-anywhere'))
    expect(await rowIds(page, 'models')).toEqual([])
    expect(await page.textContent('main')).toContain('No model matches these filters.')
    expect(errors).toEqual([])
    await page.close()
  })

  test('sorting by price orders the rows as the API does, both ways', async () => {
    const { page } = await watchedPage(context)
    await page.goto(`${url}/?every=1&limit=100`)
    await loadedPath(page, (p) => !p.includes('sort='))
    await page.getByRole('button', { name: /Input \$\/1M/ }).click()
    const asc = await loadedPath(page, (p) => p.includes('sort=prompt_price') && !p.includes('order='))
    const prices = await page.$$eval('table.models tbody tr td:nth-of-type(3)', (tds) => tds.map((td) => td.querySelector('[data-usd-per-token]')?.getAttribute('data-usd-per-token') ?? null))
    const stated = prices.filter((p): p is string => p !== null).map(Number)
    expect(stated.length).toBeGreaterThan(10)
    expect(stated).toEqual([...stated].sort((a, b) => a - b))
    // rows without a price come last
    expect(prices.slice(0, stated.length).every((p) => p !== null)).toBe(true)
    expect(await rowIds(page, 'models')).toEqual((await api<{ data: Row[] }>(asc)).data.map((m) => m.id))
    expect(await page.getAttribute('th[aria-sort]', 'aria-sort')).toBe('ascending')
    await page.getByRole('button', { name: /Input \$\/1M/ }).click()
    const desc = await loadedPath(page, (p) => p.includes('sort=prompt_price') && p.includes('order=desc'))
    const down = (await page.$$eval('table.models tbody tr td:nth-of-type(3) [data-usd-per-token]', (es) => es.map((e) => Number(e.getAttribute('data-usd-per-token'))))).slice(0, 20)
    expect(down).toEqual([...down].sort((a, b) => b - a))
    expect(down[0]).toBeGreaterThan(down[down.length - 1]!)
    expect(await rowIds(page, 'models')).toEqual((await api<{ data: Row[] }>(desc)).data.map((m) => m.id))
    expect(await page.getAttribute('th[aria-sort]', 'aria-sort')).toBe('descending')
    await page.close()
  })

  test('a model page shows exactly the offerings and prices the API returns, cheapest marked', async () => {
    const top = (await api<{ data: (Row & { providers: Row[]; cheapest: { id: string } | null })[] }>('/v1/models?unique=true&sort=provider_count&order=desc&limit=1')).data[0]!
    expect(top.providers.length).toBeGreaterThan(1)
    const { page, errors } = await watchedPage(context)
    await page.goto(`${url}/?view=model&id=${encodeURIComponent(top.id)}`)
    await page.waitForSelector('table.offerings tbody tr')
    expect((await rowIds(page, 'offerings')).sort()).toEqual(top.providers.map((o) => o.id).sort())
    for (const o of top.providers) {
      const row = `table.offerings tr[data-id="${o.id}"]`
      for (const k of ['prompt', 'completion'] as const) {
        const cell = await page.$(`${row} td[data-col="${k}"] [data-usd-per-token]`)
        if (o.pricing[k] === undefined) expect(cell).toBeNull()
        else {
          expect(await cell!.getAttribute('data-usd-per-token')).toBe(o.pricing[k]!)
          expect(await cell!.textContent()).toBe(usdPerMillion(o.pricing[k])!)
        }
      }
    }
    expect(await page.textContent(`table.offerings tr[data-id="${top.cheapest!.id}"] th`)).toContain('cheapest')
    expect(await page.$$eval('table.offerings tbody tr th', (ths) => ths.filter((t) => t.textContent!.includes('cheapest')).length)).toBe(1)
    // the chart: a bar pair per priced offering, named in text
    expect(await page.textContent('figure.chart desc')).toContain(top.providers[0]!.id.split('/')[0]!)
    // an offering id leads to the same canonical page
    await screenshot(page, 'model')
    await page.goto(`${url}/?view=model&id=${encodeURIComponent(top.providers[0]!.id)}`)
    await page.waitForSelector('table.offerings tbody tr')
    expect((await rowIds(page, 'offerings')).sort()).toEqual(top.providers.map((o) => o.id).sort())
    // an unknown id: the API's 404 message
    await page.goto(`${url}/?view=model&id=nobody/nothing`)
    expect(await page.textContent('[role=alert]')).toContain('not found')
    expect(errors.filter((e) => !e.includes('404'))).toEqual([])
    await page.close()
  })

  test('a failing provider shows its error on the providers view, which refreshes itself', async () => {
    const xai = (await api<{ data: { id: string; status: string; last_error: string }[] }>('/v1/providers')).data.find((p) => p.id === 'xai')!
    const { page, errors } = await watchedPage(context)
    await page.goto(`${url}/?view=providers`)
    const row = page.locator('table.providers tr[data-id="xai"]')
    await row.waitFor()
    expect(await row.locator('pre.last-error').textContent()).toBe(xai.last_error)
    expect(await row.locator('.status').textContent()).toContain(xai.status.replaceAll('_', ' '))
    expect(await page.locator('table.providers tr[data-id="groq"] pre.last-error').count()).toBe(0)
    await screenshot(page, 'providers')
    // it asks again by itself
    await page.waitForRequest((r) => r.url() === `${url}/v1/providers`, { timeout: 15_000 })
    expect(errors).toEqual([])
    await page.close()
  })

  test('a change appears on the timeline after a refresh that reprices a model', async () => {
    const list = JSON.parse(readFileSync(`${FIXTURES}/${TOGETHER_FIXTURE}`, 'utf8')) as { id: string; type: string; pricing: { input: number; output: number } }[]
    const target = list.find((m) => m.type === 'chat' && m.pricing.input > 0)!
    const offering = `together/${target.id}`
    const { page, errors } = await watchedPage(context)
    const timeline = `${url}/?view=changes&type=changed&gateway=together`
    await page.goto(timeline)
    await page.waitForSelector('ol.timeline[aria-busy="false"]', { state: 'attached' })
    expect(await page.locator(`li[data-model="${offering}"]`).count()).toBe(0)
    const before = (await api<Row>(`/v1/models/${offering}`)).pricing.prompt!
    // the provider's second generation: the same list, one model repriced
    target.pricing.input = target.pricing.input * 2
    up.set(`${TOGETHER}/models`, { kind: 'body', body: JSON.stringify(list) })
    await api('/admin/refresh?wait=true&provider=together', { method: 'POST', headers: { authorization: 'Bearer tok' } })
    const after = (await api<Row>(`/v1/models/${offering}`)).pricing.prompt!
    expect(Number(after)).toBe(Number(before) * 2)
    await page.reload()
    const item = page.locator(`li[data-model="${offering}"]`)
    await item.waitFor()
    expect(await item.getAttribute('data-type')).toBe('changed')
    expect(await item.textContent()).toContain(`input ${usdPerMillion(before)} → ${usdPerMillion(after)} per 1M`)
    expect(await page.getAttribute('a[href="/v1/changes.atom"]', 'href')).toBe('/v1/changes.atom')
    await screenshot(page, 'changes')
    // the provider filter: groq's timeline does not show it
    await page.goto(`${url}/?view=changes&type=changed&gateway=groq`)
    await page.waitForSelector('ol.timeline[aria-busy="false"]', { state: 'attached' })
    await page.waitForSelector('text=No change in this window.')
    expect(await page.locator(`li[data-model="${offering}"]`).count()).toBe(0)
    expect(errors).toEqual([])
    await page.close()
  })

  test('the URL reproduces a filtered view', async () => {
    const { page } = await watchedPage(context)
    await page.goto(`${url}/`)
    await loadedPath(page, (p) => !p.includes('q='))
    await page.getByLabel('Search models').fill('llama')
    await loadedPath(page, (p) => p.includes('q=llama'))
    await page.locator('details.filters summary').click()
    await page.getByLabel('Min context (tokens)').fill('100000')
    await page.getByLabel('Min context (tokens)').press('Enter')
    await loadedPath(page, (p) => p.includes('min_context=100000'))
    await page.getByRole('checkbox', { name: 'groq', exact: false }).first().check()
    await loadedPath(page, (p) => p.includes('gateway=groq'))
    await page.getByRole('button', { name: /Context/ }).click()
    const path = await loadedPath(page, (p) => p.includes('sort=context_length'))
    const rows = await rowIds(page, 'models')
    expect(rows.length).toBeGreaterThan(0)
    const link = page.url()
    expect(new URL(link).search).toContain('min_context=100000')

    const again = await context.newPage()
    await again.goto(link)
    expect(await loadedPath(again, (p) => p.includes('sort=context_length'))).toBe(path)
    expect(await rowIds(again, 'models')).toEqual(rows)
    expect(await again.getByLabel('Search models').inputValue()).toBe('llama')
    expect(await again.getByLabel('Min context (tokens)').inputValue()).toBe('100000')
    expect(await again.getAttribute('th[aria-sort]', 'aria-sort')).toBe('ascending')
    // the API agrees: the same rows, from /v1/models with the same filters
    expect((await api<{ data: Row[] }>(path)).data.map((m) => m.id)).toEqual(rows)
    // and the near miss: without the filters it is another view
    expect((await api<{ data: Row[] }>('/v1/models?unique=true&limit=50')).data.map((m) => m.id)).not.toEqual(rows)
    await page.emulateMedia({ colorScheme: 'dark' })
    await screenshot(page, 'models-filtered-dark')
    await page.close()
    await again.close()
  })

  test('keyboard: the sort buttons and links are reachable with Tab, focus is visible', async () => {
    const { page } = await watchedPage(context)
    await page.goto(`${url}/`)
    await loadedPath(page, () => true)
    await page.keyboard.press('Tab') // skip link
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.textContent)).toBe('Skip to content')
    const outline = await page.evaluate(() => (globalThis as any).getComputedStyle((globalThis as any).document.activeElement).outlineStyle)
    expect(outline).toBe('solid')
    // walk to the Input price sort button and press Enter
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press('Tab')
      if ((await page.evaluate(() => (globalThis as any).document.activeElement?.textContent ?? '')).startsWith('Input $/1M')) break
    }
    await page.keyboard.press('Enter')
    await loadedPath(page, (p) => p.includes('sort=prompt_price'))
    await page.close()
  })
})

test('perMillionExact scales exactly (no binary floating point)', () => {
  expect(perMillionExact('0.00000059')).toBe('0.59')
  expect(perMillionExact('0.0000001')).toBe('0.1')
  expect(perMillionExact('0')).toBe('0')
  expect(perMillionExact('15')).toBe('15000000')
  expect(perMillionExact('0.000000000123')).toBe('0.000123')
  expect(usdPerMillion('0.00000059')).toBe('$0.59')
  expect(usdPerMillion(undefined)).toBeNull()
})
