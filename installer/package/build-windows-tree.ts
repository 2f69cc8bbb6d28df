import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { EXTENSION_ID, NATIVE_HOST_NAME } from '../../protocol/browser-extension/names.js'
import { renderHostManifest } from '../../protocol/browser-extension/render-host-manifest.js'
import { APP_TREE } from './app-tree-layout.js'
import { assembleAppTree } from './assemble-app-tree.js'
import type { NodeRuntime } from './fetch-node-runtime.js'
import { renderWindowsLauncher, renderWindowsNativeHost } from './render-launchers.js'

/** The host manifest's file name in the Windows tree (Chrome finds it through the registry). */
export const WINDOWS_HOST_MANIFEST = `${NATIVE_HOST_NAME}.json`

/**
 * The Windows application tree the MSI is made from: assembleAppTree's tree for win32 (the
 * Windows runtime from the npm registry, dependencies resolved for Windows, no Linux or macOS
 * executables, pkcs11js without its addon), `ehagent.cmd`, and the browser extension's native
 * messaging host beside the manifest that names it.
 */
export async function buildWindowsTree(options: { repoRoot: string; treeDir: string; runtime: NodeRuntime; license: string; log: (line: string) => void }): Promise<void> {
  const { treeDir } = options
  const pruned = await assembleAppTree({ ...options, platform: 'win32' })
  options.log(`pruned ${pruned.removed.length} files not used on Windows (${(pruned.bytes / 1e6).toFixed(1)} MB)`)
  writeFileSync(join(treeDir, APP_TREE.launcher.win32), renderWindowsLauncher())
  writeFileSync(join(treeDir, APP_TREE.nativeHost.win32), renderWindowsNativeHost())
  writeFileSync(join(treeDir, WINDOWS_HOST_MANIFEST), renderHostManifest({ path: APP_TREE.nativeHost.win32, besideManifest: true, extensionIds: [EXTENSION_ID] }))
}
