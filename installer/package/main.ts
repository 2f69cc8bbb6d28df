import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { NATIVE_ADDONS } from '../bundle-layout.js'
import { APP_TREE } from './app-tree-layout.js'
import { buildAppTree } from './build-app-tree.js'
import { buildDeb } from './build-deb.js'
import { buildMsi } from './build-msi.js'
import { buildNpmTarball } from './build-npm-tarball.js'
import { buildWindowsTree } from './build-windows-tree.js'
import { fetchNodeRuntime } from './fetch-node-runtime.js'
import { PACKAGE_USAGE, parsePackageArgs, type PackageOptions } from './parse-package-args.js'
import { readPackageFacts } from './read-package-facts.js'
import { runCommand } from './run-command.js'

/**
 * `npm run package -- --out DIR`: the entry point of the packager (it reads its own argv and
 * environment). Builds the code, the self-contained Linux application tree, and from it the
 * Debian package, the npm tarball and the Windows MSI; writes DIR/packages.json listing them.
 */

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** What a run produced, in DIR/packages.json (the tests read it). */
export interface PackagesManifest {
  version: string
  nodeVersion: string
  tree: string
  deb?: string
  npm?: string
  windowsTree?: string
  msi?: string
  /** Seconds per step. */
  seconds: Record<string, number>
}

async function main(): Promise<void> {
  let options: PackageOptions
  try {
    options = parsePackageArgs(process.argv.slice(2), { nodeVersion: process.versions.node, cacheDir: join(REPO_ROOT, '.package-cache') })
  } catch (error) {
    process.stderr.write(`package: ${(error as Error).message}\n\n${PACKAGE_USAGE}\n`)
    process.exit(2)
  }
  const log = (line: string) => process.stderr.write(`package: ${line}\n`)
  const outDir = resolve(options.outDir)
  mkdirSync(outDir, { recursive: true })
  const workDir = join(outDir, '.work')
  const facts = readPackageFacts(REPO_ROOT)
  const seconds: Record<string, number> = {}
  const step = async <T>(name: string, run: () => Promise<T> | T): Promise<T> => {
    const started = performance.now()
    log(`${name}…`)
    const result = await run()
    seconds[name] = Math.round((performance.now() - started) / 100) / 10
    log(`${name}: ${seconds[name]} s`)
    return result
  }

  await step('build', () => runCommand('npm', ['run', 'build', '--silent'], { cwd: REPO_ROOT }))
  // The build goes on without the addons (a developer's machine may lack a compiler); packages may
  // not: the .deb and the npm tarball promise them (README).
  for (const addon of Object.values(NATIVE_ADDONS)) {
    if (!existsSync(join(REPO_ROOT, ...addon.built))) throw new Error(`${addon.built.join('/')} was not built (see the build's "native addon" lines): install a C compiler (apt-get install gcc) and Node's headers, then package again`)
  }
  const linuxRuntime = await step('node-linux', () => fetchNodeRuntime('linux', options.nodeVersion, options.cacheDir, log))
  const tree = join(outDir, `${facts.name}-${facts.version}-linux-x64`)
  await step('tree', () => buildAppTree({ repoRoot: REPO_ROOT, treeDir: tree, runtime: linuxRuntime, version: facts.version, log }))
  const manifest: PackagesManifest = { version: facts.version, nodeVersion: options.nodeVersion, tree, seconds }
  const maintainer = options.maintainer ?? facts.author ?? readCommitAuthor()

  if (options.targets.includes('deb')) {
    manifest.deb = await step('deb', () =>
      buildDeb({ treeDir: tree, outDir, workDir, facts, maintainer, runtimeVersion: linuxRuntime.version, date: readCommitDate(), log }),
    )
  }
  if (options.targets.includes('npm')) manifest.npm = await step('npm', () => buildNpmTarball({ repoRoot: REPO_ROOT, outDir }))
  if (options.targets.includes('msi')) {
    const windowsRuntime = await step('node-win', () => fetchNodeRuntime('win32', options.nodeVersion, options.cacheDir, log))
    const windowsTree = join(outDir, `${facts.name}-${facts.version}-win-x64`)
    // The registry's Windows package holds node.exe alone; the licence is the same release's.
    await step('windows-tree', () =>
      buildWindowsTree({ repoRoot: REPO_ROOT, treeDir: windowsTree, runtime: windowsRuntime, license: join(tree, APP_TREE.runtimeDir, 'LICENSE'), log }),
    )
    manifest.windowsTree = windowsTree
    manifest.msi = await step('msi', () => buildMsi({ windowsTreeDir: windowsTree, outDir, facts, manufacturer: maintainer.replace(/\s*<.*$/, '') }))
  }
  rmSync(workDir, { recursive: true, force: true })
  writeFileSync(join(outDir, 'packages.json'), JSON.stringify(manifest, null, 2) + '\n')
  for (const [what, path] of Object.entries({ deb: manifest.deb, npm: manifest.npm, msi: manifest.msi })) {
    if (path) log(`${what}: ${path} (${(statSync(path).size / 1e6).toFixed(1)} MB)`)
  }
  log(`seconds: ${Object.entries(seconds).map(([k, v]) => `${k} ${v}`).join(', ')}`)
}

/** Who made the commit being packaged, when package.json names no author (`Name <email>`). */
function readCommitAuthor(): string {
  try {
    return execFileSync('git', ['log', '-1', '--format=%an <%ae>'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim()
  } catch {
    throw new Error('package.json has no "author" and this is not a git checkout: pass --maintainer "Name <email>"')
  }
}

/** The commit's date (or SOURCE_DATE_EPOCH, reproducible-builds.org), so a rebuild says the same. */
function readCommitDate(): Date {
  const epoch = process.env.SOURCE_DATE_EPOCH
  if (epoch && /^\d+$/.test(epoch)) return new Date(Number(epoch) * 1000)
  try {
    return new Date(Number(execFileSync('git', ['log', '-1', '--format=%ct'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim()) * 1000)
  } catch {
    return new Date()
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`package: ${(error as Error).message}\n`)
  process.exit(1)
})
