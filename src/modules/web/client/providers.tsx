import { useEffect, useState } from 'preact/hooks'
import type { Provider } from './api'
import { Failure, None, Scroll, Status, useApi } from './common'
import { ago, integer } from './format'
import { href, update } from './url'

/** The providers view asks /v1/providers again this often. */
export const PROVIDERS_REFRESH_MS = 5000

function hint(p: Provider): string | null {
  if (p.status === 'needs_key') return 'Needs an API key to list models: set api_key or api_key_env in its config.'
  if (p.status === 'misconfigured') return 'The provider refused the key (401/403): fix the key, then reset its breaker.'
  if (!p.enabled) return 'Disabled in the config.'
  if (p.key_required && !p.has_key) return 'No API key set.'
  return null
}

export function Providers({ query }: { query: URLSearchParams }) {
  const showDisabled = query.get('disabled') === '1'
  const { data, error, at } = useApi<{ data: Provider[] }>('/v1/providers', PROVIDERS_REFRESH_MS)
  // ages ("12 s ago") move on between fetches
  const [, tick] = useState(0)
  useEffect(() => {
    const t = setInterval(() => tick((n) => n + 1), 1000)
    return () => clearInterval(t)
  }, [])
  const all = data?.data ?? []
  const providers = showDisabled ? all : all.filter((p) => p.enabled)
  const hidden = all.length - providers.length
  return (
    <>
      <h1>Providers</h1>
      <p class="summary">
        {all.filter((p) => p.enabled).length} enabled · {providers.filter((p) => p.status === 'ok').length} ok · refreshes every {PROVIDERS_REFRESH_MS / 1000} s
        {at ? ` · updated ${ago(new Date(at).toISOString())}` : ''}
      </p>
      <Failure message={error} />
      <label>
        <input type="checkbox" checked={showDisabled} onChange={(e) => update({ disabled: e.currentTarget.checked ? '1' : undefined })} /> show built-in providers that are not enabled
        {hidden ? ` (${hidden})` : ''}
      </label>
      <Scroll label="Providers">
        <table class="providers">
          <caption class="visually-hidden">Every configured provider and its refresh state</caption>
          <thead>
            <tr>
              <th scope="col">Provider</th>
              <th scope="col">Status</th>
              <th scope="col">Breaker</th>
              <th scope="col">Models (total / unique / exclusive)</th>
              <th scope="col">Last success</th>
              <th scope="col">Last error</th>
            </tr>
          </thead>
          <tbody>
            {providers.map((p) => {
              const h = hint(p)
              return (
                <tr key={p.id} data-id={p.id}>
                  <th scope="row">
                    {p.name}
                    <div class="id">{p.id}</div>
                  </th>
                  <td>
                    <Status status={p.status} />
                    {h ? <div class="hint">{h}</div> : null}
                  </td>
                  <td>
                    {p.breaker.replaceAll('_', ' ')}
                    {p.breaker_retry_at ? <div class="hint">retries {ago(p.breaker_retry_at)}</div> : null}
                  </td>
                  <td class="num">
                    {p.total ? (
                      <a href={href({ view: 'models', every: '1', gateway: p.id })}>
                        {integer(p.total)} / {integer(p.unique)} / {integer(p.exclusive)}
                      </a>
                    ) : (
                      `${integer(p.total)} / ${integer(p.unique)} / ${integer(p.exclusive)}`
                    )}
                  </td>
                  <td>{p.last_success_at ? <time dateTime={p.last_success_at}>{ago(p.last_success_at)}</time> : 'never'}</td>
                  <td class="error-cell">
                    {p.last_error ? <pre class="last-error">{p.last_error}</pre> : <None />}
                    {p.last_warning ? <div class="hint">warning: {p.last_warning}</div> : null}
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      </Scroll>
    </>
  )
}
