import { resolveProviderNames, type ResolvedProvider } from '../config'
import { ApiError } from './errors'

const bad = (param: string, message: string, code: string) => new ApiError(400, message, { param, code })

/**
 * `gateway` → the enabled provider ids it selects: an id, an alias, a comma-separated list, or `all`.
 * @throws ApiError 400 listing the valid gateways when a name is unknown or disabled.
 */
export function resolveGateways(providers: ResolvedProvider[], gateway: string | undefined, param = 'gateway'): string[] {
  const list = gateway ?? 'all'
  const enabled = providers.filter((p) => p.enabled)
  if (list.split(',').some((n) => n.trim().toLowerCase() === 'all') || !list.trim()) return enabled.map((p) => p.id).sort()
  const { ids, unknown, valid } = resolveProviderNames(providers, list)
  if (!ids.length && !unknown.length) return enabled.map((p) => p.id).sort() // only separators: as if absent
  if (unknown.length) throw bad(param, `unknown gateway '${unknown.join("', '")}'; valid gateways: ${['all', ...valid].join(', ')}`, 'unknown_gateway')
  const disabled = ids.filter((id) => !enabled.some((p) => p.id === id))
  if (disabled.length && param === 'gateway') {
    // An empty answer here would look like "this provider has no models": say what is going on instead.
    throw bad(param, `gateway '${disabled.join("', '")}' is disabled in this deployment; enabled gateways: ${enabled.map((p) => p.id).join(', ')}`, 'gateway_disabled')
  }
  return ids.sort()
}
