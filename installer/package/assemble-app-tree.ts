import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { APP_TREE, runtimePath, type TreePlatform } from './app-tree-layout.js'
import type { NodeRuntime } from './fetch-node-runtime.js'
import { pruneAppTree, type PruneReport } from './prune-app-tree.js'
import { runCommand } from './run-command.js'

/**
 * The part of an application tree that is the same on every OS: the repository's `bin/` and
 * compiled `dist/` as they are, package.json without its development scripts (npm ci would run
 * `prepare`, which builds from sources the tree does not hold), the production dependencies
 * installed by `npm ci --omit=dev` for that OS, the Node.js runtime and its licence, and nothing
 * of another OS (prune-app-tree.ts).
 *
 * Linux: dependencies' install scripts run, so node-gyp builds pkcs11js against the headers of
 * the runtime that will load it. Windows: npm resolves for win32/x64 and runs no scripts (a
 * Windows addon cannot be compiled here), so pkcs11js is present without its addon and the eID
 * says how to enable it.
 */
export async function assembleAppTree(options: {
  repoRoot: string
  treeDir: string
  platform: TreePlatform
  runtime: NodeRuntime
  /** The runtime's licence, when its registry package has none (Windows). */
  license: string
  log: (line: string) => void
}): Promise<PruneReport> {
  const { repoRoot, treeDir, platform, runtime } = options
  if (!existsSync(join(repoRoot, 'dist'))) throw new Error('dist/ is missing: run `npm run build` first')
  rmSync(treeDir, { recursive: true, force: true })
  mkdirSync(treeDir, { recursive: true })
  cpSync(join(repoRoot, 'bin'), join(treeDir, 'bin'), { recursive: true })
  cpSync(join(repoRoot, 'dist'), join(treeDir, 'dist'), { recursive: true })
  copyFileSync(join(repoRoot, 'README.md'), join(treeDir, 'README.md'))
  copyFileSync(join(repoRoot, 'package-lock.json'), join(treeDir, 'package-lock.json'))
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Record<string, unknown>
  delete pkg.scripts
  writeFileSync(join(treeDir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n')

  options.log(`installing the production dependencies for ${platform} (npm ci --omit=dev)`)
  const common = ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error']
  if (platform === 'linux') {
    await runCommand('npm', common, { cwd: treeDir, env: { ...process.env, npm_config_nodedir: runtime.dir } })
  } else {
    await runCommand('npm', [...common, '--ignore-scripts', '--os=win32', '--cpu=x64'], { cwd: treeDir })
  }

  mkdirSync(join(treeDir, APP_TREE.runtimeDir), { recursive: true })
  const node = join(treeDir, runtimePath(platform))
  copyFileSync(runtime.binary, node)
  chmodSync(node, 0o755)
  copyFileSync(runtime.license ?? options.license, join(treeDir, APP_TREE.runtimeDir, 'LICENSE'))
  return pruneAppTree(treeDir, platform)
}
