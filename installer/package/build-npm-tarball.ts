import { join } from 'node:path'
import { runCommand } from './run-command.js'

/**
 * The npm tarball (`npm pack`) of the repository: package.json's `files` puts bin/, the compiled
 * dist/ and the README in it, so `npm install -g` of the tarball (or from a registry) needs no
 * TypeScript build; npm does not run `prepare` for a tarball. `--ignore-scripts`: dist/ was just
 * built, `prepare` would build it again.
 */
export async function buildNpmTarball(options: { repoRoot: string; outDir: string }): Promise<string> {
  const out = await runCommand('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', options.outDir], { cwd: options.repoRoot })
  const packed = JSON.parse(out) as { filename: string; files: { path: string }[] }[]
  const entry = packed[0]
  if (!entry) throw new Error(`npm pack printed nothing usable: ${out.slice(0, 200)}`)
  for (const needed of ['bin/ehagent.js', 'package.json']) {
    if (!entry.files.some((f) => f.path === needed)) throw new Error(`the npm tarball lacks ${needed}: check "files" in package.json`)
  }
  if (!entry.files.some((f) => f.path.startsWith('dist/'))) throw new Error('the npm tarball has no dist/: run `npm run build` first, and check "files" in package.json')
  return join(options.outDir, entry.filename)
}
