import { describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

/**
 * The direction of imports in src/, written once. A folder (or top-level file) may import its own layer
 * and the layers before it in this list, never one after it. README "Architecture" explains each.
 */
export const LAYERS = [
  'lib', // leaf helpers: exact decimals, the scrubber, the logger; import nothing of src
  'domain', // the shared vocabulary: offering types, change types, breaker states, refresh report schema
  'db', // drizzle schema, the SQLite connection, embedded migrations
  'upstream', // talking to providers: adapter contract, one file per list format, built-in registry, bounded fetch
  'reference', // models.dev and LiteLLM: parsers and embedded snapshots
  'config', // env + TOML → a typed Config (the only reader of process.env)
  'catalog', // the store: one write transaction per refresh, named reads, identity, enrichment, snapshots
  'refresh', // refreshers: schedule, fan-out, breakers, reference catalogs
  'cluster', // replicas sharing one refresher through Redis
  'webhooks', // outbound change deliveries
  'serving', // answers as bytes: cached bodies, the version-keyed answer cache, the hot path
  'http', // the front door, error shape, admin auth, docs, metrics, query parsing
  'modules', // feature modules (routes + schemas + service): models, providers, changes, health, admin
  'app', // createApp(deps): the Elysia app
  'runtime', // the composition root: what runs on which thread, for every role
  'cli', // commands
  'index', // the entry point
] as const

const SRC = resolve(import.meta.dir, '..', 'src')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : []
  })
}

/** Relative module specifiers a file imports: `import … from`, `export … from`, `import()`, `import '…'`. */
export function importsOf(text: string): string[] {
  const specs = new Set<string>()
  const patterns = [/(?:^|[\s;])(?:import|export)\s[^'"]*?\sfrom\s*['"]([^'"]+)['"]/g, /(?:^|[\s;])import\s*['"]([^'"]+)['"]/g, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g]
  for (const re of patterns) for (const m of text.matchAll(re)) specs.add(m[1]!)
  return [...specs].filter((s) => s.startsWith('.'))
}

function resolveImport(from: string, spec: string): string | null {
  const base = resolve(dirname(from), spec)
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate
    } catch {}
  }
  return null
}

/** The layer of a file: its first path segment below src/ (a folder, or a top-level file without extension). */
export const layerOf = (file: string) =>
  relative(SRC, file)
    .split('/')[0]!
    .replace(/\.tsx?$/, '')

/** Violations of the layer order in an import graph (file → imported files). */
export function upwardEdges(graph: Map<string, string[]>, layerOfFile: (f: string) => string): string[] {
  const rank = new Map<string, number>(LAYERS.map((l, i) => [l, i]))
  const out: string[] = []
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const a = layerOfFile(from)
      const b = layerOfFile(to)
      if (!rank.has(a) || !rank.has(b)) {
        out.push(`${rel(from)} → ${rel(to)}: layer '${rank.has(a) ? b : a}' is not in LAYERS`)
        continue
      }
      if (rank.get(b)! > rank.get(a)!) out.push(`${rel(from)} (${a}) → ${rel(to)} (${b})`)
    }
  }
  return out
}

/** Every cycle's files (strongly connected components with more than one file, or a file importing itself). */
export function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0
  const indices = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  const visit = (v: string) => {
    indices.set(v, index)
    low.set(v, index++)
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!))
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = []
      let w: string
      do {
        w = stack.pop()!
        onStack.delete(w)
        component.push(w)
      } while (w !== v)
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.map(rel).sort())
    }
  }
  for (const v of graph.keys()) if (!indices.has(v)) visit(v)
  return found
}

const rel = (f: string) => relative(SRC, f)

function srcGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>()
  for (const file of sourceFiles(SRC)) {
    const targets = importsOf(readFileSync(file, 'utf8'))
      .map((spec) => resolveImport(file, spec))
      .filter((t): t is string => typeof t === 'string' && t.startsWith(SRC) && /\.tsx?$/.test(t))
    graph.set(file, targets)
  }
  return graph
}

describe('architecture: imports in src/ run one way', () => {
  const graph = srcGraph()

  test('every top-level folder and file of src/ has a place in LAYERS', () => {
    const unknown = [...new Set([...graph.keys()].map(layerOf))].filter((l) => !(LAYERS as readonly string[]).includes(l))
    expect(unknown).toEqual([])
  })

  test('no import points to a later layer', () => {
    expect(upwardEdges(graph, layerOf)).toEqual([])
  })

  test('no file-level import cycle', () => {
    expect(cycles(graph)).toEqual([])
  })

  test('feature modules never import each other: what two need lives in a lower layer', () => {
    const module = (f: string) => (layerOf(f) === 'modules' ? rel(f).split('/')[1] : undefined)
    const edges = [...graph].flatMap(([from, targets]) => targets.filter((to) => module(from) && module(to) && module(from) !== module(to)).map((to) => `${rel(from)} → ${rel(to)}`))
    expect(edges).toEqual([])
  })

  test('only the catalog and db wing touch the schema (everyone else reads through catalog/)', () => {
    const schema = join(SRC, 'db', 'schema.ts')
    const outside = [...graph].filter(([from, targets]) => targets.includes(schema) && !['catalog', 'db'].includes(layerOf(from))).map(([from]) => rel(from))
    expect(outside).toEqual([])
  })

  test('the store is constructed in one place: the composition root', () => {
    const constructing = [...graph.keys()].filter((f) => /new CatalogStore\(/.test(readFileSync(f, 'utf8'))).map(rel)
    expect(constructing).toEqual(['runtime/catalog.ts'])
  })
})

// The checks themselves can fail: near misses on a made-up graph.
describe('architecture check: near misses', () => {
  const f = (p: string) => join(SRC, p)
  const layer = (file: string) => layerOf(file)

  test('an upward edge is reported, a downward or same-layer edge is not', () => {
    const g = new Map([
      [f('catalog/store.ts'), [f('refresh/worker.ts'), f('db/schema.ts'), f('catalog/query.ts')]],
      [f('db/schema.ts'), []],
    ])
    expect(upwardEdges(g, layer)).toEqual(['catalog/store.ts (catalog) → refresh/worker.ts (refresh)'])
  })

  test('a folder missing from LAYERS is reported', () => {
    const g = new Map([[f('misc/x.ts'), [f('db/schema.ts')]]])
    expect(upwardEdges(g, layer)).toHaveLength(1)
  })

  test('a two-file and a three-file cycle are found; a chain is not a cycle', () => {
    const g = new Map([
      [f('catalog/a.ts'), [f('catalog/b.ts')]],
      [f('catalog/b.ts'), [f('catalog/a.ts')]],
      [f('http/x.ts'), [f('http/y.ts')]],
      [f('http/y.ts'), [f('http/z.ts')]],
      [f('http/z.ts'), [f('http/x.ts')]],
      [f('lib/p.ts'), [f('lib/q.ts')]],
      [f('lib/q.ts'), []],
    ])
    expect(cycles(g)).toEqual([
      ['catalog/a.ts', 'catalog/b.ts'],
      ['http/x.ts', 'http/y.ts', 'http/z.ts'],
    ])
  })

  test('import forms: from, export from, side-effect, dynamic; type-only imports count too', () => {
    const text = `import { a } from './a'\nimport type { B } from "../b"\nexport * from './c'\nimport './d'\nconst e = await import('./e')\nimport x from 'zod'`
    expect(importsOf(text).sort()).toEqual(['../b', './a', './c', './d', './e'])
  })
})
