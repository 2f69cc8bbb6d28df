import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { APP_TREE } from './app-tree-layout.js'
import { assembleAppTree } from './assemble-app-tree.js'
import type { NodeRuntime } from './fetch-node-runtime.js'
import { renderPosixLauncher } from './render-launchers.js'
import { runCommand } from './run-command.js'
import { stripBinaries } from './strip-binaries.js'

/**
 * The self-contained Linux application tree the Debian package is made from (and that runs from
 * wherever it is unpacked): assembleAppTree's tree with pkcs11js compiled, its ELF files
 * stripped, and the `ehagent` launcher. Checked before it is returned: the launcher prints the
 * version, and `ehagent doctor` finds the eID support (pkcs11js loads in the bundled runtime).
 */
export async function buildAppTree(options: { repoRoot: string; treeDir: string; runtime: NodeRuntime; version: string; log: (line: string) => void }): Promise<void> {
  const { treeDir, runtime, log } = options
  if (!runtime.license) throw new Error(`${runtime.spec} has no LICENSE`)
  const pruned = await assembleAppTree({ ...options, platform: 'linux', license: runtime.license })
  log(`pruned ${pruned.removed.length} files not used on Linux (${(pruned.bytes / 1e6).toFixed(1)} MB)`)
  log(`stripped ${(await stripBinaries(treeDir)).join(', ')}`)
  writeFileSync(join(treeDir, APP_TREE.launcher.linux), renderPosixLauncher(), { mode: 0o755 })

  const printed = (await runCommand(join(treeDir, APP_TREE.launcher.linux), ['--version'])).trim()
  if (printed !== options.version) throw new Error(`the tree's launcher printed ${JSON.stringify(printed)}, not the version ${options.version}`)
  // The agent's own check, through its own loader: does this tree's runtime load pkcs11js?
  const stateDir = mkdtempSync(join(tmpdir(), 'ehagent-package-doctor-'))
  const doctor = await runCommand(join(treeDir, APP_TREE.launcher.linux), ['doctor', '--json', '--state-dir', stateDir], { okCodes: [0, 1] }).finally(() =>
    rmSync(stateDir, { recursive: true, force: true }),
  )
  const eid = (JSON.parse(doctor) as { checks: { id: string; status: string; detail: string }[] }).checks.find((c) => c.id === 'eid-support')
  if (eid?.status !== 'ok') {
    throw new Error(`the eID's native module pkcs11js did not build into the tree (${eid?.detail ?? 'no eid-support check'}); install a compiler (apt-get install -y python3 make g++) and run again`)
  }
}
