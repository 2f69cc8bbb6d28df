/**
 * The second half of `npm run build`, after tsc has compiled the tree into dist/ (the `./client`
 * exports and their type declarations come from there): copies the eHealth CA bundles beside
 * the compiled agent/trust/ (dist/agent/trust/ca-bundles, where the agent looks for them),
 * bundles the programs into dist/bundle/ (bundle-programs.ts) and, on Linux, compiles the
 * malloc_trim addon into dist/native/ (build-native.ts). It takes no arguments.
 */
import { cpSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BUNDLE_DIR } from '../bundle-layout.js'
import { buildNativeAddons } from './build-native.js'
import { bundlePrograms } from './bundle-programs.js'

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

cpSync(join(REPO_ROOT, 'agent', 'trust', 'ca-bundles'), join(REPO_ROOT, 'dist', 'agent', 'trust', 'ca-bundles'), { recursive: true })
const started = performance.now()
const metafile = await bundlePrograms({ repoRoot: REPO_ROOT })
const code = Object.entries(metafile.outputs).filter(([path]) => path.endsWith('.js'))
const bytes = code.reduce((sum, [, o]) => sum + o.bytes, 0)
process.stderr.write(`build: ${BUNDLE_DIR.join('/')}/: ${code.length} files of ${(bytes / 1024 / 1024).toFixed(1)} MB and their source maps, in ${Math.round(performance.now() - started)} ms\n`)
for (const addon of buildNativeAddons({ repoRoot: REPO_ROOT })) process.stderr.write(`build: native addon: ${addon.message}\n`)
