import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { build, type Metafile } from 'esbuild'
import { BUNDLE_DIR, BUNDLE_ENTRIES } from '../bundle-layout.js'

/**
 * The packages left out of the bundle, loaded from node_modules at run time: the optional
 * dependencies of package.json (pkcs11js, a native addon built on the user's machine, which may
 * be absent) and systray2, which runs a helper executable it finds beside its own files. They are
 * reached through `createRequire(import.meta.url)` or from a lazily loaded chunk, which resolve
 * them from the installation's node_modules as before.
 */
export function listBundleExternals(repoRoot: string): string[] {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { optionalDependencies?: Record<string, string> }
  return [...Object.keys(pkg.optionalDependencies ?? {}), 'systray2']
}

/**
 * esbuild's ESM output turns a CommonJS dependency's `require('crypto')` into a call that needs a
 * `require` in scope (esbuild's documentation, "Bundling for node": ESM output has no `require`),
 * so each chunk gets one made from its own URL. esbuild renames any `require` of our own code
 * that would clash with it (agent/tray/start-tray.ts has one).
 */
const REQUIRE_BANNER = "import { createRequire as __ehagentCreateRequire } from 'node:module'; const require = __ehagentCreateRequire(import.meta.url);"

/**
 * Bundle the programs `npm run build` ships (the `ehagent` CLI and the browser extension's native
 * messaging host) into `<outRoot>/dist/bundle/`: one file per program plus chunks shared between
 * them, every dependency inside but the externals. The CLI reaches the daemon, the sandbox, the
 * doctor and the installer by dynamic import (clients/cli/load-server.ts), and esbuild's code
 * splitting keeps each of those in chunks of its own, loaded when its command runs.
 *
 * Built from the TypeScript sources rather than from tsc's dist/: the sources use only erasable
 * syntax (tsconfig.json: erasableSyntaxOnly, verbatimModuleSyntax, isolatedModules), so esbuild
 * removing the types emits what tsc emits, and a bundle can then be made without a tsc build first
 * (installer/build/bundle-programs.test.ts makes one in a scratch folder).
 *
 * The chunks sit two folders below the package root, as the tsc tree's files sit two or more:
 * the lookups that start from `import.meta.url` walk up to the package root (package.json) and to
 * dist/agent/trust/ca-bundles (agent/trust/load-ca-bundle.ts), and createRequire resolves the
 * externals from the package's node_modules.
 *
 * A linked source map beside each file, without the sources' text (a clone has them, a package
 * needs only the names and lines): Node reads it only when started with --enable-source-maps,
 * which then names the `.ts` file and line in stack traces. Measured on the agent's start-up to
 * its first /health answer: no difference without the flag, some 20-40 ms more with it.
 */
export async function bundlePrograms(options: { repoRoot: string; outRoot?: string }): Promise<Metafile> {
  const outdir = join(options.outRoot ?? options.repoRoot, ...BUNDLE_DIR)
  // Chunk names carry a content hash: stale chunks of an earlier build would pile up.
  rmSync(outdir, { recursive: true, force: true })
  const result = await build({
    absWorkingDir: options.repoRoot,
    entryPoints: Object.fromEntries(Object.entries(BUNDLE_ENTRIES).map(([name, entry]) => [name, entry.source])),
    outdir,
    entryNames: '[name]',
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    tsconfig: join(options.repoRoot, 'tsconfig.build.json'),
    external: listBundleExternals(options.repoRoot),
    banner: { js: REQUIRE_BANNER },
    // Bundling renames identifiers that clash across modules (two classes `Node` become `Node`
    // and `Node2`); keepNames keeps `.name` as written, which jose's errors read
    // (`this.name = this.constructor.name`) and error messages show.
    keepNames: true,
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    logLevel: 'warning',
  })
  return result.metafile
}
