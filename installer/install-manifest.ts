import * as z from 'zod'

/**
 * What install records for uninstall: the directories it had to create (they did not exist
 * before), so uninstall can remove exactly those and leave the ones the user already had.
 * Sorted and timestamp-free, so installing twice writes the same bytes.
 */
export const INSTALL_MANIFEST_SCHEMA = z
  .object({
    version: z.literal(1),
    platform: z.string().min(1),
    createdDirs: z.array(z.string().min(1)),
  })
  .strict()

export type InstallManifest = z.infer<typeof INSTALL_MANIFEST_SCHEMA>

export function renderManifest(manifest: InstallManifest): string {
  return JSON.stringify({ ...manifest, createdDirs: [...new Set(manifest.createdDirs)].sort() }, null, 2) + '\n'
}

/** A manifest read back: its content, or what is wrong with it (naming the field). */
export type ManifestReading = { ok: true; manifest: InstallManifest } | { ok: false; problem: string }

/**
 * Check a manifest's text against the schema. A file that is not one is reported, not thrown:
 * install rewrites it and uninstall goes on without it, each saying so.
 */
export function parseManifest(text: string): ManifestReading {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return { ok: false, problem: 'it is not JSON' }
  }
  const parsed = INSTALL_MANIFEST_SCHEMA.safeParse(json)
  if (parsed.success) return { ok: true, manifest: parsed.data }
  const issue = parsed.error.issues[0]!
  return { ok: false, problem: `${issue.path.join('.') || '(root)'}: ${issue.message}` }
}
