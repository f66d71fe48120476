import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { compileErrors, validate } from '@readme/openapi-parser'
import { shareSchemas } from '../../src/http/docs'
import { makeHarness, type Harness } from '../helpers/harness'

/**
 * Issue 20, "a spec clients can generate from": /swagger/json is a valid OpenAPI 3.1 document whose refs
 * resolve from the document root. Checked by two tools nobody here wrote: @readme/openapi-parser (validation)
 * and openapi-typescript (the most used TypeScript client generator), and by walking every $ref.
 */
setDefaultTimeout(30_000)

// openapi-typescript drives the TypeScript 5 compiler API; the project's `typescript` is 7 (native, no JS
// API), so TypeScript 5 is a dev dependency of its own (`typescript5`), handed to openapi-typescript here.
const TS5 = require.resolve('typescript5')
Bun.plugin({
  name: 'typescript5-for-openapi-typescript',
  setup(build) {
    build.onLoad({ filter: /node_modules\/typescript\/lib\/version\.cjs$/ }, () => ({ contents: `import ts from ${JSON.stringify(TS5)}; export default ts;`, loader: 'js' }))
  },
})
// imported by a computed name: its typings pull node:stream/web into the whole typecheck, which clashes with Bun's DOM streams
const OPENAPI_TYPESCRIPT = 'openapi-typescript'
const { default: openapiTS, astToString } = (await import(OPENAPI_TYPESCRIPT)) as { default: (spec: unknown) => Promise<unknown>; astToString: (ast: unknown) => string }
let h: Harness
let spec: Record<string, any>
beforeAll(async () => {
  h = makeHarness({ toml: '[refresh]\nproviders = []\n', env: { MODELCAT_ADMIN_TOKEN: 'a'.repeat(32) } })
  spec = (await (await h.get('/swagger/json')).json()) as Record<string, any>
})
afterAll(() => h.close())

/** Every `$ref` in a document with where it sits. */
function refs(doc: unknown, at = '#'): [string, string][] {
  if (!doc || typeof doc !== 'object') return []
  return Object.entries(doc).flatMap(([k, v]) => (k === '$ref' && typeof v === 'string' ? [[v, at] as [string, string]] : refs(v, `${at}/${k}`)))
}
/** A local ref (`#/a/b`) resolved from the document root, or undefined. */
const resolve = (doc: unknown, ref: string) =>
  ref
    .slice(2)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<any>((node, key) => (node && typeof node === 'object' ? node[key] : undefined), doc)

describe('/swagger/json', () => {
  test('is OpenAPI 3.1 with the shared schemas under components/schemas, and every $ref resolves from the root', () => {
    expect(spec.openapi).toStartWith('3.1')
    const all = refs(spec)
    expect(all.length).toBeGreaterThan(30)
    expect(all.filter(([ref]) => resolve(spec, ref) === undefined)).toEqual([])
    expect(all.filter(([ref]) => ref.startsWith('#/$defs/'))).toEqual([])
    expect(JSON.stringify(spec)).not.toContain('"$defs"')
    for (const name of ['Model', 'ModelList', 'CanonicalModel', 'PriceTier', 'Error', 'Quote', 'QuoteRequest', 'QuoteBatch', 'OpenRouterModelList', 'LitellmExport', 'ModelsDevExport'])
      expect(Object.keys(spec.components.schemas)).toContain(name)
  })

  test('@readme/openapi-parser finds it valid', async () => {
    const result = await validate(structuredClone(spec) as never)
    expect(result.valid ? [] : compileErrors(result)).toEqual([])
    expect(result.valid).toBe(true)
  })

  test('openapi-typescript generates a client from it, with the paths clients call', async () => {
    const ts = astToString(await openapiTS(structuredClone(spec) as never))
    for (const path of ['"/v1/models"', '"/v1/models/{id}"', '"/v1/changes"', '"/v1/providers"', '"/ready"', '"/v1/quote"', '"/api/v1/models"', '"/v1/export/litellm.json"', '"/admin/refresh"'])
      expect(ts).toContain(path)
    expect(ts).toContain('QuoteRequest: {')
  })

  test("the near miss: the same document with one ref to a schema's own $defs (as before) fails both tools", async () => {
    const broken = structuredClone(spec)
    broken.paths['/v1/models'].get.responses['200'].content['application/json'].schema = { $ref: '#/$defs/ModelList' }
    expect((await validate(structuredClone(broken) as never)).valid).toBe(false)
    await expect(openapiTS(structuredClone(broken) as never)).rejects.toThrow()
  })

  test('shareSchemas hoists nested $defs and rewrites their refs; it is idempotent', () => {
    const doc = { paths: { '/x': { get: { schema: { $ref: '#/$defs/A', $defs: { A: { type: 'object', properties: { b: { $ref: '#/$defs/B' } } }, B: { type: 'string' } } } } } } }
    const once = shareSchemas(doc)
    expect(once).toEqual({
      paths: { '/x': { get: { schema: { $ref: '#/components/schemas/A' } } } },
      components: { schemas: { A: { type: 'object', properties: { b: { $ref: '#/components/schemas/B' } } }, B: { type: 'string' } } },
    } as never)
    expect(shareSchemas(once)).toEqual(once)
  })
})
