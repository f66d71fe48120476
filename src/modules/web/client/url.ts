import { useEffect, useState } from 'preact/hooks'

/** The page's state is its URL's query: a link reproduces the view. */
const listeners = new Set<() => void>()
const notify = () => {
  for (const l of listeners) l()
}
window.addEventListener('popstate', notify)

/** The current query, re-rendered on every navigation (links, back/forward, `navigate`). */
export function useQuery(): URLSearchParams {
  const [, tick] = useState(0)
  useEffect(() => {
    const l = () => tick((n) => n + 1)
    listeners.add(l)
    return () => void listeners.delete(l)
  }, [])
  return new URLSearchParams(location.search)
}

/** A page URL from parameters (empty values dropped, so URLs stay short and canonical). */
export function href(params: Record<string, string | undefined | null>): string {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, v)
  const s = p.toString()
  return s ? `/?${s}` : '/'
}

/** Goes to a page URL without a reload; `replace` for typing (no history entry per keystroke). */
export function go(url: string, replace = false) {
  if (url === location.pathname + location.search) return
  history[replace ? 'replaceState' : 'pushState'](null, '', url)
  notify()
}

/** Changes some parameters of the current URL (undefined/empty: removed). */
export function update(changes: Record<string, string | undefined | null>, replace = false) {
  const current = Object.fromEntries(new URLSearchParams(location.search))
  go(href({ ...current, ...changes }), replace)
}

/** Same-page links (`/?…`) navigate in place; modified clicks (new tab) and other paths are left to the browser. */
document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
  const a = (e.target as Element | null)?.closest?.('a')
  if (!a || a.target || a.hasAttribute('download')) return
  const url = new URL(a.href, location.href)
  if (url.origin !== location.origin || url.pathname !== '/') return
  e.preventDefault()
  go(url.pathname + url.search)
  document.getElementById('main')?.focus({ preventScroll: true })
  window.scrollTo(0, 0)
})
