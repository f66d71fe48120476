import { useEffect, useRef, useState } from 'preact/hooks'
import type { CanonicalModel, ModelList, Offering, Provider } from './api'
import { Failure, None, Price, Scroll, describe, useApi } from './common'
import { day, integer, perTokenFromMillion, tokens } from './format'
import { href, update } from './url'

/** Parameters of the page's URL passed to /v1/models as they are (same names, same meaning). */
const PASSED = ['q', 'input_modalities', 'output_modalities', 'supported_parameters', 'min_context', 'free', 'gateway', 'sort', 'order', 'cursor'] as const
const DEFAULT_LIMIT = '50'
/** Typing waits this long for the next keystroke before asking the API (a keystroke → table well within 150 ms). */
const SEARCH_DEBOUNCE_MS = 60

const MODALITIES = ['text', 'image', 'audio', 'video', 'file']
const PARAMETERS = ['tools', 'tool_choice', 'response_format', 'structured_outputs', 'reasoning', 'logprobs', 'seed']

/** The /v1/models request for a page URL: `every=1` lists offerings, else the unique view; prices typed in $/1M become USD per token. */
export function apiQuery(query: URLSearchParams): { path: string; error?: string } {
  const p = new URLSearchParams()
  if (query.get('every') !== '1') p.set('unique', 'true')
  for (const k of PASSED) {
    const v = query.get(k)
    if (v) p.set(k, v)
  }
  p.set('limit', query.get('limit') || DEFAULT_LIMIT)
  for (const [page, api] of [
    ['max_input', 'max_prompt_price'],
    ['max_output', 'max_completion_price'],
  ] as const) {
    const v = query.get(page)
    if (!v) continue
    const perToken = perTokenFromMillion(v)
    if (perToken === null) return { path: '', error: `'${page}' must be a price in $ per 1M tokens, e.g. 0.5` }
    p.set(api, perToken)
  }
  return { path: `/v1/models?${p}` }
}

type Row = (CanonicalModel | Offering) & { provider_count?: number; provider?: string }

/** Columns: label, the API's sort key (null: the API cannot sort by it across pages). */
const COLUMNS: { label: string; sort: string | null; offeringsSort?: string | null }[] = [
  { label: 'Model', sort: 'id' },
  { label: 'Organisation', sort: null },
  { label: 'Providers', sort: 'provider_count', offeringsSort: null },
  { label: 'Input $/1M', sort: 'prompt_price' },
  { label: 'Output $/1M', sort: 'completion_price' },
  { label: 'Context', sort: 'context_length' },
  { label: 'Max output', sort: null },
  { label: 'Modalities', sort: null },
  { label: 'Capabilities', sort: null },
  { label: 'First seen', sort: 'newest' },
  { label: 'Lifecycle', sort: null },
]

export function lifecycle(row: Record<string, unknown>): string | null {
  if (row.lifecycle !== undefined && row.lifecycle !== null) {
    const l = row.lifecycle as Record<string, unknown> | string
    return typeof l === 'string' ? l : describe(l)
  }
  const d = row.deprecation as Offering['deprecation'] | undefined
  if (d)
    return [d.date ? `deprecated ${d.date.slice(0, 10)}` : 'deprecated', d.end_of_life ? `ends ${d.end_of_life.slice(0, 10)}` : '', d.replacement ? `→ ${d.replacement}` : '']
      .filter(Boolean)
      .join(', ')
  return null
}

function capabilities(row: Row): string | null {
  const caps = (row as { capabilities?: Record<string, boolean | undefined> }).capabilities
  if (!caps) return null
  const on = Object.entries(caps)
    .filter(([, v]) => v)
    .map(([k]) => k.replaceAll('_', ' '))
  return on.length ? on.join(', ') : null
}

const modalities = (a: Row['architecture']) => (a?.input_modalities || a?.output_modalities ? `${(a.input_modalities ?? ['?']).join(', ')} → ${(a.output_modalities ?? ['?']).join(', ')}` : null)

export function Models({ query }: { query: URLSearchParams }) {
  const every = query.get('every') === '1'
  const { path, error: inputError } = apiQuery(query)
  const list = useApi<ModelList<Row>>(inputError ? null : path)
  const providers = useApi<{ data: Provider[] }>('/v1/providers')
  // previous pages' cursors, to step back (a cursor only knows what comes after it)
  const [back, setBack] = useState<(string | null)[]>([])
  const scope = path.replace(/[?&]cursor=[^&]*/, '')
  useEffect(() => setBack([]), [scope])

  const sort = query.get('sort') ?? ''
  const order = query.get('order') ?? (sort === 'newest' ? 'desc' : 'asc')
  const rows = list.data?.data ?? []
  const busy = list.loading
  const shown = list.path === path ? list.data : undefined

  return (
    <>
      <h1>Models</h1>
      <Search query={query} />
      <Filters query={query} providers={providers.data?.data ?? []} />
      <fieldset class="toggle">
        <legend>Show</legend>
        <label>
          <input type="radio" name="every" checked={!every} onChange={() => update({ every: undefined, cursor: undefined, sort: sort === 'provider_count' ? undefined : query.get('sort') })} /> one row
          per model
        </label>
        <label>
          <input type="radio" name="every" checked={every} onChange={() => update({ every: '1', cursor: undefined, sort: sort === 'provider_count' ? undefined : query.get('sort') })} /> every offering
          (one row per provider)
        </label>
      </fieldset>
      <Failure message={inputError ?? list.error} />
      <p class="summary" aria-live="polite">
        {shown ? `${integer(shown.total ?? rows.length)} ${every ? 'offerings' : 'models'} match${back.length ? ` · page ${back.length + 1}` : ''}` : busy ? 'Loading…' : ''}
      </p>
      <Scroll label="Models">
        <table class="models" aria-busy={busy ? 'true' : 'false'} data-loaded-path={list.path ?? ''}>
          <caption class="visually-hidden">{every ? 'Every offering' : 'Models, one row each'}, sortable by the column buttons</caption>
          <thead>
            <tr>
              {COLUMNS.map((c) => {
                const key = every && c.offeringsSort !== undefined ? c.offeringsSort : c.sort
                const label = every && c.label === 'Providers' ? 'Provider' : c.label
                const active = key !== null && sort === key
                const next = active ? (order === 'asc' ? 'desc' : 'asc') : key === 'newest' ? 'desc' : 'asc'
                return (
                  <th key={c.label} scope="col" aria-sort={active ? (order === 'asc' ? 'ascending' : 'descending') : undefined}>
                    {key === null ? (
                      label
                    ) : (
                      <button
                        type="button"
                        class="sort"
                        onClick={() => update({ sort: key, order: key === 'newest' ? (next === 'desc' ? undefined : 'asc') : next === 'asc' ? undefined : 'desc', cursor: undefined })}
                      >
                        {label}
                        <span aria-hidden="true">{active ? (order === 'asc' ? ' ▲' : ' ▼') : ' ⇅'}</span>
                      </button>
                    )}
                  </th>
                )
              })}
            </tr>
          </thead>
          <tbody>
            {rows.map((m) => {
              const canonical = every ? (m as Offering).canonical_id : m.id
              return (
                <tr key={m.id} data-id={m.id}>
                  <th scope="row">
                    <a href={href({ view: 'model', id: canonical })}>{m.name}</a>
                    <div class="id">{m.id}</div>
                  </th>
                  <td>{m.owned_by}</td>
                  <td>{every ? (m as Offering).provider : integer(m.provider_count ?? 1)}</td>
                  <td class="num">
                    <Price value={m.pricing?.prompt} />
                  </td>
                  <td class="num">
                    <Price value={m.pricing?.completion} />
                  </td>
                  <td class="num" title={m.context_length ? integer(m.context_length) : undefined}>
                    {tokens(m.context_length) ?? <None />}
                  </td>
                  <td class="num" title={m.max_output_tokens ? integer(m.max_output_tokens) : undefined}>
                    {tokens(m.max_output_tokens) ?? <None />}
                  </td>
                  <td>{modalities(m.architecture) ?? <None />}</td>
                  <td>{capabilities(m) ?? <None />}</td>
                  <td>{day(m.first_seen_at) ?? <None />}</td>
                  <td>{lifecycle(m) ?? <None />}</td>
                </tr>
              )
            })}
          </tbody>
        </table>
      </Scroll>
      {shown && !rows.length ? <p>No model matches these filters.</p> : null}
      <nav class="pager" aria-label="Pages">
        <button
          type="button"
          disabled={!back.length}
          onClick={() => {
            const prev = back[back.length - 1]
            setBack(back.slice(0, -1))
            update({ cursor: prev ?? undefined })
          }}
        >
          ← Previous page
        </button>
        <button
          type="button"
          disabled={!shown?.next_cursor}
          onClick={() => {
            setBack([...back, query.get('cursor')])
            update({ cursor: shown?.next_cursor ?? undefined })
          }}
        >
          Next page →
        </button>
        <label>
          Per page{' '}
          <select value={query.get('limit') || DEFAULT_LIMIT} onChange={(e) => update({ limit: e.currentTarget.value === DEFAULT_LIMIT ? undefined : e.currentTarget.value, cursor: undefined })}>
            {['25', '50', '100', '200'].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      </nav>
    </>
  )
}

/** The search box: the URL (and so the API request) follows the typing after a short pause. */
function Search({ query }: { query: URLSearchParams }) {
  const [text, setText] = useState(query.get('q') ?? '')
  const timer = useRef<ReturnType<typeof setTimeout>>()
  const q = query.get('q') ?? ''
  // back/forward or a link changed q: show it
  useEffect(() => {
    if (q !== text.trim()) setText(q)
  }, [q])
  return (
    // biome-ignore lint/a11y/useSemanticElements: <search> is too new for every browser; a form with role=search is the landmark
    <form role="search" class="search" onSubmit={(e) => e.preventDefault()}>
      <label for="q">Search models</label>
      <input
        id="q"
        type="search"
        value={text}
        maxLength={200}
        autocomplete="off"
        placeholder="id, name or description"
        onInput={(e) => {
          const v = e.currentTarget.value
          setText(v)
          clearTimeout(timer.current)
          timer.current = setTimeout(() => update({ q: v.trim() || undefined, cursor: undefined }, true), SEARCH_DEBOUNCE_MS)
        }}
      />
    </form>
  )
}

const csv = (query: URLSearchParams, key: string) => (query.get(key) ?? '').split(',').filter(Boolean)

function Checks({ query, name, legend, options }: { query: URLSearchParams; name: string; legend: string; options: { value: string; label: string }[] }) {
  const selected = csv(query, name)
  return (
    <fieldset>
      <legend>{legend}</legend>
      {options.map((o) => (
        <label key={o.value}>
          <input
            type="checkbox"
            name={name}
            value={o.value}
            checked={selected.includes(o.value)}
            onChange={(e) => {
              const next = e.currentTarget.checked ? [...selected, o.value] : selected.filter((s) => s !== o.value)
              update({ [name]: next.join(',') || undefined, cursor: undefined })
            }}
          />{' '}
          {o.label}
        </label>
      ))}
    </fieldset>
  )
}

/** A number field that applies on change (Enter or leaving it), not per keystroke. */
function NumberField({ query, name, label, step, hint }: { query: URLSearchParams; name: string; label: string; step: string; hint?: string }) {
  return (
    <label class="field">
      {label}
      <input
        type="number"
        name={name}
        min="0"
        step={step}
        inputMode="decimal"
        value={query.get(name) ?? ''}
        onChange={(e) => update({ [name]: e.currentTarget.value || undefined, cursor: undefined })}
        aria-describedby={hint ? `${name}-hint` : undefined}
      />
      {hint ? (
        <small id={`${name}-hint`} class="hint">
          {hint}
        </small>
      ) : null}
    </label>
  )
}

function Filters({ query, providers }: { query: URLSearchParams; providers: Provider[] }) {
  const active = ['input_modalities', 'output_modalities', 'supported_parameters', 'min_context', 'max_input', 'max_output', 'free', 'gateway'].filter((k) => query.get(k)).length
  const mods = MODALITIES.map((m) => ({ value: m, label: m }))
  return (
    <details class="filters" open={active > 0}>
      <summary>Filters{active ? ` (${active} active)` : ''}</summary>
      <div class="filter-grid">
        <Checks query={query} name="input_modalities" legend="Input modalities" options={mods} />
        <Checks query={query} name="output_modalities" legend="Output modalities" options={mods} />
        <Checks query={query} name="supported_parameters" legend="Capabilities (supported parameters)" options={PARAMETERS.map((p) => ({ value: p, label: p.replaceAll('_', ' ') }))} />
        <Checks query={query} name="gateway" legend="Providers" options={providers.filter((p) => p.enabled).map((p) => ({ value: p.id, label: p.name || p.id }))} />
        <fieldset>
          <legend>Limits</legend>
          <NumberField query={query} name="min_context" label="Min context (tokens)" step="1" />
          <NumberField query={query} name="max_input" label="Max input price" step="any" hint="$ per 1M tokens" />
          <NumberField query={query} name="max_output" label="Max output price" step="any" hint="$ per 1M tokens" />
          <label>
            <input type="checkbox" name="free" checked={query.get('free') === 'true'} onChange={(e) => update({ free: e.currentTarget.checked ? 'true' : undefined, cursor: undefined })} /> free only
          </label>
        </fieldset>
      </div>
      <p>
        <a href={href({ view: 'models' })}>Clear all filters</a>
      </p>
    </details>
  )
}
