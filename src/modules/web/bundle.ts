/**
 * Bundles the page (client/) with Bun's bundler and prints `{ js, css, html }` as JSON on stdout.
 * Run by assets.macro.ts at build time (a macro may not call Bun.build itself: it would wait on the
 * bundler that runs it), so the compiled binary carries the page and `bun run start` / `bun test`
 * bundle it as they load the module, with no separate step.
 */
import { readFileSync } from 'node:fs'

const dir = `${import.meta.dir}/client`
const result = await Bun.build({
  entrypoints: [`${dir}/main.tsx`],
  target: 'browser',
  format: 'esm',
  minify: true,
  // one file: the page loads one script, no chunks to fetch
  splitting: false,
})
if (!result.success) {
  for (const log of result.logs) console.error(log)
  process.exit(1)
}
const js = await result.outputs.find((o) => o.kind === 'entry-point')!.text()
process.stdout.write(JSON.stringify({ js, css: readFileSync(`${dir}/style.css`, 'utf8'), html: readFileSync(`${dir}/index.html`, 'utf8') }))
