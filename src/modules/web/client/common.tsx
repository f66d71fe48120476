import type { ComponentChildren } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import { getJson } from './api'
import { usd, usdPerMillion } from './format'

/** A fetch of a /v1 path that follows `path`: the last answer, an error, and whether a newer one is on its way. */
export function useApi<T>(path: string | null, refreshMs?: number): { data: T | undefined; error: string | undefined; loading: boolean; at: number; path: string | undefined } {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean; at: number; path?: string }>({ loading: path !== null, at: 0 })
  const tick = useRef(0)
  useEffect(() => {
    if (path === null) return
    const controller = new AbortController()
    let timer: ReturnType<typeof setTimeout> | undefined
    const load = () => {
      const n = ++tick.current
      setState((s) => ({ ...s, loading: true }))
      getJson<T>(path, controller.signal).then(
        (data) => n === tick.current && setState({ data, loading: false, at: Date.now(), path }),
        (err: Error) => err.name !== 'AbortError' && n === tick.current && setState((s) => ({ ...s, error: err.message, loading: false, at: Date.now(), path })),
      )
      if (refreshMs) timer = setTimeout(load, refreshMs)
    }
    setState((s) => ({ ...s, error: undefined }))
    load()
    return () => {
      controller.abort()
      clearTimeout(timer)
    }
  }, [path, refreshMs])
  return { data: state.data, error: state.error, loading: state.loading, at: state.at, path: state.path }
}

/** An error of the API, announced to screen readers. */
export const Failure = ({ message }: { message: string | undefined }) =>
  message ? (
    <p class="error" role="alert">
      <strong>Error:</strong> {message}
    </p>
  ) : null

/** A wide table: scrolls sideways on a narrow screen, reachable with the keyboard. */
export const Scroll = ({ label, children }: { label: string; children: ComponentChildren }) => (
  // a scrollable region is focusable, to scroll it with the keyboard
  <section class="scroll" aria-label={label} tabindex={0}>
    {children}
  </section>
)

/** A per-token price cell: $ per 1M tokens, the API's exact value kept in `data-usd-per-token`. */
export const Price = ({ value, perUnit = false }: { value: unknown; perUnit?: boolean }) => {
  const raw = typeof value === 'string' ? value : undefined
  const text = perUnit ? usd(raw) : usdPerMillion(raw)
  return text === null ? <span class="none">—</span> : <span data-usd-per-token={raw}>{text}</span>
}

/** A missing value, said in text. */
export const None = () => (
  <span class="none" title="not stated">
    —
  </span>
)

/** Status words with a shape beside the colour (colour is never the only signal). */
const STATUS_MARK: Record<string, string> = { ok: '●', stale: '◐', failing: '✕', needs_key: '!', misconfigured: '✕', disabled: '○', never_refreshed: '○', bootstrap: '◌' }
export const Status = ({ status }: { status: string }) => (
  <span class={`status status-${status}`}>
    <span aria-hidden="true">{STATUS_MARK[status] ?? '?'}</span> {status.replaceAll('_', ' ')}
  </span>
)

/** Any value the API adds later (tiers, lifecycle, conflicts…), shown as compact text. */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) return value.map(describe).join('; ')
  return Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? `(${describe(v)})` : describe(v)}`)
    .join(', ')
}
