import { writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { listTree } from './list-tree-files.js'
import { listMsiCommands, listMsiRegistryValues } from './msi-entries.js'
import { nameBasedUuid } from './name-based-uuid.js'
import type { PackageFacts } from './read-package-facts.js'
import { renderWxs } from './render-wxs.js'
import { runCommand } from './run-command.js'

/**
 * Fixed for the product's lifetime: Windows Installer recognises an earlier version by it
 * (MajorUpgrade). Never change it.
 */
export const UPGRADE_CODE = '3B8D48D6-12FD-478F-8078-33671E4D07CD'

/**
 * The per-user MSI from the Windows tree, with msitools' `wixl` (x64). The WiX source is kept
 * beside the MSI (`.wxs`), the file sources relative to it. Returns the MSI's path.
 */
export async function buildMsi(options: { windowsTreeDir: string; outDir: string; facts: PackageFacts; manufacturer: string }): Promise<string> {
  const { windowsTreeDir, outDir, facts } = options
  if (dirname(windowsTreeDir) !== outDir) throw new Error('the Windows tree must be a folder of the output folder')
  const treeName = basename(windowsTreeDir)
  const stem = `${facts.name}-${facts.version}-x64`
  const wxsPath = join(outDir, `${stem}.wxs`)
  const msiPath = join(outDir, `${stem}.msi`)
  const files = listTree(windowsTreeDir)
    .filter((e) => e.kind === 'file')
    .map((e) => ({ path: e.path, source: `${treeName}/${e.path}` }))
  const wxs = renderWxs({
    name: facts.name,
    manufacturer: options.manufacturer,
    version: facts.version,
    upgradeCode: UPGRADE_CODE,
    productCode: nameBasedUuid(UPGRADE_CODE, `${facts.name} ${facts.version} x64`),
    description: facts.description,
    files,
    registry: listMsiRegistryValues(),
    ...listMsiCommands(),
  })
  writeFileSync(wxsPath, wxs)
  await runCommand('wixl', ['--arch', 'x64', '--output', msiPath, wxsPath], { cwd: outDir, timeoutMs: 900_000 })
  return msiPath
}
