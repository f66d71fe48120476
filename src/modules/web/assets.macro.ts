/**
 * Runs at bundle time (imported `with { type: 'macro' }`): the page's JavaScript, CSS and HTML,
 * bundled by ./bundle.ts (Bun.build) in a child process, are inlined into the program as strings,
 * like the migrations of src/db/migrations.macro.ts. From source (`bun run start`, `bun test`) the
 * macro runs as the module loads.
 */
export function pageAssets(): { js: string; css: string; html: string } {
  const run = Bun.spawnSync([process.execPath, `${import.meta.dir}/bundle.ts`], { stdout: 'pipe', stderr: 'pipe' })
  if (run.exitCode !== 0) throw new Error(`bundling the page failed: ${run.stderr.toString()}`)
  return JSON.parse(run.stdout.toString())
}
