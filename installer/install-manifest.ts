/**
 * What install records for uninstall: the directories it had to create (they did not exist
 * before), so uninstall can remove exactly those and leave the ones the user already had.
 * Sorted and timestamp-free, so installing twice writes the same bytes.
 */
export interface InstallManifest {
  version: 1
  platform: string
  createdDirs: string[]
}

export function renderManifest(manifest: InstallManifest): string {
  return JSON.stringify({ ...manifest, createdDirs: [...new Set(manifest.createdDirs)].sort() }, null, 2) + '\n'
}

/** The manifest's directories; anything unreadable or foreign counts as "none recorded". */
export function parseManifest(text: string): InstallManifest | undefined {
  try {
    const value = JSON.parse(text) as Partial<InstallManifest>
    if (value.version !== 1 || typeof value.platform !== 'string' || !Array.isArray(value.createdDirs)) return undefined
    return { version: 1, platform: value.platform, createdDirs: value.createdDirs.filter((d): d is string => typeof d === 'string') }
  } catch {
    return undefined
  }
}
