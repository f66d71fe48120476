import { useEffect, useState } from 'preact/hooks'
import { type CanonicalModel, type CanonicalOffering, getJson, modelPath, type Offering } from './api'
import { Failure, None, Price, Scroll, Status, describe } from './common'
import { day, integer, tokens, usdPerMillion } from './format'
import { lifecycle } from './models'
import { href } from './url'

/** Offerings fetched one by one for their full detail (sources, max output, first seen); past this many the summary only. */
const MAX_DETAILED = 100

const KNOWN_PRICES = new Set(['prompt', 'completion', 'input_cache_read', 'input_cache_write', 'request'])

interface Loaded {
  model: CanonicalModel
  detail: Map<string, Offering>
}

/** The canonical model of `id` (an offering id leads to its canonical model) and every offering's full object. */
async function load(id: string, signal: AbortSignal): Promise<Loaded> {
  let found = await getJson<CanonicalModel | Offering>(modelPath(id), signal)
  if ('canonical_id' in found && typeof found.canonical_id === 'string' && !('provider_count' in found)) found = await getJson<CanonicalModel>(modelPath(found.canonical_id), signal)
  const model = found as CanonicalModel
  const detail = new Map<string, Offering>()
  const offerings = await Promise.all(model.providers.slice(0, MAX_DETAILED).map((o) => getJson<Offering>(modelPath(o.id), signal).catch(() => null)))
  for (const o of offerings) if (o) detail.set(o.id, o)
  return { model, detail }
}

const num = (s: unknown) => (typeof s === 'string' && s !== '' && Number.isFinite(Number(s)) ? Number(s) : null)

export function ModelPage({ id }: { id: string }) {
  const [state, setState] = useState<{ loaded?: Loaded; error?: string }>({})
  useEffect(() => {
    if (!id) return setState({ error: "no model given: the URL needs '&id=<model id>'" })
    const c = new AbortController()
    setState({})
    load(id, c.signal).then(
      (loaded) => setState({ loaded }),
      (e: Error) => e.name !== 'AbortError' && setState({ error: e.message }),
    )
    return () => c.abort()
  }, [id])
  useEffect(() => {
    document.title = `${state.loaded?.model.name ?? id} · modelcat`
  }, [state.loaded, id])

  if (state.error)
    return (
      <>
        <h1>{id || 'Model'}</h1>
        <Failure message={state.error} />
        <p>
          <a href={href({ view: 'models' })}>← All models</a>
        </p>
      </>
    )
  if (!state.loaded) return <p aria-busy="true">Loading {id}…</p>
  const { model, detail } = state.loaded
  const offerings = [...model.providers].sort((a, b) => (num(a.pricing.prompt) ?? Infinity) - (num(b.pricing.prompt) ?? Infinity) || a.id.localeCompare(b.id))
  const cheapest = model.cheapest?.id
  return (
    <>
      <p>
        <a href={href({ view: 'models' })}>← All models</a>
      </p>
      <h1>{model.name}</h1>
      <dl class="facts">
        <dt>Canonical id</dt>
        <dd>
          <code>{model.id}</code>
        </dd>
        <dt>Organisation</dt>
        <dd>{model.owned_by}</dd>
        <dt>Offered by</dt>
        <dd>{model.provider_count === 1 ? '1 provider' : `${model.provider_count} providers`}</dd>
        <dt>Context</dt>
        <dd>{model.context_length ? `${integer(model.context_length)} tokens (largest)` : <None />}</dd>
        <dt>Modalities</dt>
        <dd>
          {model.architecture.input_modalities || model.architecture.output_modalities ? (
            `${(model.architecture.input_modalities ?? ['?']).join(', ')} → ${(model.architecture.output_modalities ?? ['?']).join(', ')}`
          ) : (
            <None />
          )}
        </dd>
        <dt>First seen</dt>
        <dd>{day(model.first_seen_at)}</dd>
        {model.cheapest ? (
          <>
            <dt>Cheapest</dt>
            <dd>
              {model.cheapest.provider}: {usdPerMillion(model.cheapest.pricing.prompt) ?? '—'} in / {usdPerMillion(model.cheapest.pricing.completion) ?? '—'} out per 1M tokens
            </dd>
          </>
        ) : null}
        {model.canonical_basis !== undefined ? (
          <>
            <dt>Identity</dt>
            <dd>{describe(model.canonical_basis)}</dd>
          </>
        ) : null}
      </dl>
      <h2 id="chart-title">Price per provider ($ per 1M tokens)</h2>
      <PriceChart offerings={offerings} cheapest={cheapest} />
      <h2>Offerings</h2>
      <Scroll label="Offerings">
        <table class="offerings">
          <caption class="visually-hidden">Every offering of {model.name}, cheapest input price first</caption>
          <thead>
            <tr>
              <th scope="col">Provider</th>
              <th scope="col">Status</th>
              <th scope="col">Input $/1M</th>
              <th scope="col">Output $/1M</th>
              <th scope="col">Cache read $/1M</th>
              <th scope="col">Cache write $/1M</th>
              <th scope="col">Per request</th>
              <th scope="col">Other prices, tiers</th>
              <th scope="col">Context</th>
              <th scope="col">Max output</th>
              <th scope="col">First seen</th>
              <th scope="col">Lifecycle</th>
              <th scope="col">Sources</th>
              <th scope="col">Conflicts</th>
            </tr>
          </thead>
          <tbody>
            {offerings.map((o) => (
              <OfferingRow key={o.id} o={o} full={detail.get(o.id)} cheapest={o.id === cheapest} />
            ))}
          </tbody>
        </table>
      </Scroll>
    </>
  )
}

function OfferingRow({ o, full, cheapest }: { o: CanonicalOffering; full: Offering | undefined; cheapest: boolean }) {
  const pricing = { ...(full?.pricing ?? {}), ...o.pricing }
  const others = Object.entries(pricing).filter(([k, v]) => !KNOWN_PRICES.has(k) && v !== undefined && v !== null)
  const conflicts = full?.conflicts ?? o.conflicts
  const stale = o.status !== 'ok'
  return (
    <tr data-id={o.id} class={cheapest ? 'cheapest' : undefined}>
      <th scope="row">
        {o.provider}
        {cheapest ? <strong class="badge"> ★ cheapest</strong> : null}
        <div class="id">{o.provider_model_id}</div>
      </th>
      <td>
        <Status status={o.status} />
        {stale ? <div class="hint">{o.status === 'bootstrap' ? 'not refreshed yet: prices from the embedded snapshot' : 'last refresh failed: these values may be out of date'}</div> : null}
      </td>
      <td class="num" data-col="prompt">
        <Price value={pricing.prompt} />
      </td>
      <td class="num" data-col="completion">
        <Price value={pricing.completion} />
      </td>
      <td class="num">
        <Price value={pricing.input_cache_read} />
      </td>
      <td class="num">
        <Price value={pricing.input_cache_write} />
      </td>
      <td class="num">
        <Price value={pricing.request} perUnit />
      </td>
      <td>
        {others.length ? others.map(([k, v]) => <div key={k}>{`${k.replaceAll('_', ' ')}: ${typeof v === 'string' ? (k === 'image' ? v : (usdPerMillion(v) ?? v)) : describe(v)}`}</div>) : <None />}
      </td>
      <td class="num" data-col="context" title={o.context_length ? integer(o.context_length) : undefined}>
        {tokens(o.context_length) ?? <None />}
      </td>
      <td class="num" title={full?.max_output_tokens ? integer(full.max_output_tokens) : undefined}>
        {tokens(full?.max_output_tokens) ?? <None />}
      </td>
      <td>{day(full?.first_seen_at) ?? <None />}</td>
      <td>{(full && lifecycle(full)) ?? <None />}</td>
      <td class="sources">
        {full && Object.keys(full.sources).length ? (
          <ul>
            {Object.entries(full.sources).map(([field, source]) => (
              <li key={field}>
                {field}: {source}
              </li>
            ))}
          </ul>
        ) : (
          <None />
        )}
      </td>
      <td>{conflicts !== undefined && conflicts !== null && describe(conflicts) ? describe(conflicts) : <None />}</td>
    </tr>
  )
}

/** Input and output price per provider as horizontal bars (inline SVG); values written beside the bars. */
function PriceChart({ offerings, cheapest }: { offerings: CanonicalOffering[]; cheapest: string | undefined }) {
  const rows = offerings.filter((o) => num(o.pricing.prompt) !== null || num(o.pricing.completion) !== null)
  if (!rows.length) return <p>No provider states a per-token price for this model.</p>
  const max = Math.max(...rows.flatMap((o) => [num(o.pricing.prompt) ?? 0, num(o.pricing.completion) ?? 0]), Number.MIN_VALUE)
  const label = 150
  const bars = 260
  const rowH = 34
  const width = label + bars + 120
  const bar = (v: number | null) => (v !== null && v > 0 ? Math.max(1, (v / max) * bars) : 0)
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${width} ${rows.length * rowH + 24}`} role="img" aria-labelledby="chart-svg-title chart-desc" width="100%" preserveAspectRatio="xMinYMin meet">
        <title id="chart-svg-title">Input and output price per provider, in $ per 1M tokens</title>
        <desc id="chart-desc">
          {rows
            .map(
              (o) => `${o.provider}: input ${usdPerMillion(o.pricing.prompt) ?? 'not stated'}, output ${usdPerMillion(o.pricing.completion) ?? 'not stated'}${o.id === cheapest ? ' (cheapest)' : ''}`,
            )
            .join('; ')}
        </desc>
        <defs>
          <pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
            <rect width="6" height="6" class="hatch-bg" />
            <line x1="0" y1="0" x2="0" y2="6" class="hatch-line" />
          </pattern>
        </defs>
        <g class="legend" transform="translate(0,12)">
          <rect x={label} y={-9} width={10} height={10} class="bar-in" />
          <text x={label + 14}>input</text>
          <rect x={label + 70} y={-9} width={10} height={10} class="bar-out" />
          <text x={label + 84}>output (hatched)</text>
        </g>
        {rows.map((o, i) => {
          const y = 24 + i * rowH
          const pin = num(o.pricing.prompt)
          const pout = num(o.pricing.completion)
          return (
            <g key={o.id} transform={`translate(0,${y})`} class={o.id === cheapest ? 'cheapest' : undefined}>
              <text x={0} y={18} class="bar-label">
                {o.id === cheapest ? `★ ${o.provider}` : o.provider}
              </text>
              <rect x={label} y={2} width={bar(pin)} height={12} class="bar-in" />
              <text x={label + bar(pin) + 4} y={12} class="bar-value">
                {usdPerMillion(o.pricing.prompt) ?? '—'}
              </text>
              <rect x={label} y={16} width={bar(pout)} height={12} class="bar-out" />
              <text x={label + bar(pout) + 4} y={26} class="bar-value">
                {usdPerMillion(o.pricing.completion) ?? '—'}
              </text>
            </g>
          )
        })}
      </svg>
      <figcaption>★ marks the cheapest offering (lowest input price, then output price).</figcaption>
    </figure>
  )
}
