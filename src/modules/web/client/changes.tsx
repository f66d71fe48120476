import { useEffect, useMemo, useState } from 'preact/hooks'
import { type Change, getJson, type Provider } from './api'
import { Failure, describe, useApi } from './common'
import { tokens, usdPerMillion } from './format'
import { href, update } from './url'

const PAGE = 200
const WINDOWS: [string, string, number | null][] = [
  ['1h', 'last hour', 3600e3],
  ['24h', 'last 24 hours', 86_400e3],
  ['7d', 'last 7 days', 7 * 86_400e3],
  ['30d', 'last 30 days', 30 * 86_400e3],
  ['all', 'all time', null],
]
const MARK: Record<string, string> = { added: '+', removed: '−', changed: '~' }

/** The /v1/changes request of the page URL (`since` chosen as a window before now). */
export function changesPath(query: URLSearchParams, now = Date.now()): string {
  const p = new URLSearchParams({ limit: String(PAGE) })
  const window = WINDOWS.find(([k]) => k === (query.get('since') ?? '7d'))?.[2] ?? null
  if (window !== null) p.set('since', new Date(now - window).toISOString().replace(/\.\d+Z$/, 'Z'))
  for (const k of ['gateway', 'type']) if (query.get(k)) p.set(k, query.get(k)!)
  return `/v1/changes?${p}`
}

/** `pricing: { prompt: {from, to} }` or `{ from: {…}, to: {…} }`: "input $0.5 → $0.6" lines. */
function describeChange(field: string, value: unknown): string[] {
  const v = value as { from?: unknown; to?: unknown }
  if (field === 'pricing' && v && typeof v === 'object' && ('from' in v || 'to' in v)) {
    const from = (v.from ?? {}) as Record<string, unknown>
    const to = (v.to ?? {}) as Record<string, unknown>
    return [...new Set([...Object.keys(from), ...Object.keys(to)])]
      .filter((k) => JSON.stringify(from[k]) !== JSON.stringify(to[k]))
      .map((k) => `${k === 'prompt' ? 'input' : k === 'completion' ? 'output' : k.replaceAll('_', ' ')} ${price(from[k])} → ${price(to[k])} per 1M`)
  }
  if (v && typeof v === 'object' && ('from' in v || 'to' in v)) {
    const fmt = (x: unknown) => (field === 'context_length' && typeof x === 'number' ? (tokens(x) ?? '—') : x === null || x === undefined ? '—' : describe(x))
    return [`${field.replaceAll('_', ' ')}: ${fmt(v.from)} → ${fmt(v.to)}`]
  }
  return [`${field.replaceAll('_', ' ')}: ${describe(value)}`]
}
const price = (x: unknown) => (typeof x === 'string' ? (usdPerMillion(x) ?? x) : '—')

function details(c: Change): string[] {
  if (c.type === 'changed') return Object.entries(c.detail).flatMap(([k, v]) => describeChange(k, v))
  const pricing = (c.detail.pricing ?? {}) as Record<string, unknown>
  const parts = []
  if (pricing.prompt !== undefined || pricing.completion !== undefined) parts.push(`input ${price(pricing.prompt)}, output ${price(pricing.completion)} per 1M`)
  if (typeof c.detail.context_length === 'number') parts.push(`context ${tokens(c.detail.context_length)}`)
  return parts
}

export function Changes({ query }: { query: URLSearchParams }) {
  const key = query.toString()
  // the window is fixed when the filters change, not per render (a new path would fetch again)
  const first = useMemo(() => changesPath(query), [key])
  const providers = useApi<{ data: Provider[] }>('/v1/providers')
  const page = useApi<{ data: Change[]; has_more: boolean; next_cursor: string | null }>(first)
  // further pages, loaded on demand (oldest first, as the API orders them)
  const [more, setMore] = useState<{ data: Change[]; next: string | null; error?: string }>({ data: [], next: null })
  useEffect(() => setMore({ data: [], next: null }), [first])
  const changes = [...(page.data?.data ?? []), ...more.data]
  const next = more.data.length ? more.next : (page.data?.next_cursor ?? null)
  return (
    <>
      <h1>Changes</h1>
      <p>
        What each refresh added, removed or repriced, oldest first. New models are also an <a href="/v1/changes.atom">Atom feed</a>.
      </p>
      <form class="inline-filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Provider{' '}
          <select value={query.get('gateway') ?? ''} onChange={(e) => update({ gateway: e.currentTarget.value || undefined })}>
            <option value="">all</option>
            {(providers.data?.data ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.name || p.id}
              </option>
            ))}
          </select>
        </label>
        <label>
          Type{' '}
          <select value={query.get('type') ?? ''} onChange={(e) => update({ type: e.currentTarget.value || undefined })}>
            <option value="">all</option>
            <option value="added">added</option>
            <option value="removed">removed</option>
            <option value="changed">changed (price, context…)</option>
          </select>
        </label>
        <label>
          Since{' '}
          <select value={query.get('since') ?? '7d'} onChange={(e) => update({ since: e.currentTarget.value === '7d' ? undefined : e.currentTarget.value })}>
            {WINDOWS.map(([k, label]) => (
              <option key={k} value={k}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </form>
      <Failure message={page.error ?? more.error} />
      {page.data && !changes.length ? <p>No change in this window.</p> : null}
      <ol class="timeline" aria-busy={page.loading ? 'true' : 'false'}>
        {changes.map((c) => (
          <li key={c.id} class={`change change-${c.type}`} data-type={c.type} data-model={c.model}>
            <time dateTime={c.at}>
              {c.at
                .replace('T', ' ')
                .replace(/\.\d+Z$/, ' UTC')
                .replace(/Z$/, ' UTC')}
            </time>
            <span class="kind">
              <span aria-hidden="true">{MARK[c.type] ?? '•'}</span> {c.type}
            </span>
            <span class="what">
              <a href={href({ view: 'model', id: c.canonical_id })}>{c.name}</a> <span class="id">{c.model}</span>
            </span>
            <ul class="detail">
              {details(c).map((d) => (
                <li key={d}>{d}</li>
              ))}
            </ul>
          </li>
        ))}
      </ol>
      {next ? (
        <button
          type="button"
          onClick={() =>
            getJson<{ data: Change[]; next_cursor: string | null }>(`${first}&cursor=${encodeURIComponent(next)}`).then(
              (r) => setMore((m) => ({ data: [...m.data, ...r.data], next: r.next_cursor })),
              (e: Error) => setMore((m) => ({ ...m, error: e.message })),
            )
          }
        >
          Load more changes
        </button>
      ) : null}
    </>
  )
}
