import { AgentError } from '../../protocol/errors.js'
import { darwinPlatform } from '../platform/darwin.js'
import { linuxPlatform } from '../platform/linux.js'
import { win32Platform } from '../platform/win32.js'

/**
 * Where the Belgian eID middleware (eid-mw, beidpkcs11) installs its PKCS#11 module, per OS: the
 * platform objects' lists (agent/platform), following the official packages and the paths the
 * eHealth technical connector searches (protocol §7: TC 3.20.2 `pkcs11/*`). A configured module
 * path replaces this search.
 */
export const PKCS11_MODULE_CANDIDATES = {
  linux: linuxPlatform.pkcs11Modules,
  darwin: darwinPlatform.pkcs11Modules,
  win32: win32Platform.pkcs11Modules,
} as const satisfies Record<string, readonly string[]>

/** How to get the module on each OS; shown when it is missing. */
const INSTALL_HINTS: Record<string, string> = {
  linux: linuxPlatform.eidInstallHint,
  darwin: darwinPlatform.eidInstallHint,
  win32: win32Platform.eidInstallHint,
}

/** The candidate module paths for a platform (`process.platform` values); none for others. */
export function listPkcs11ModuleCandidates(platform: string): readonly string[] {
  return (PKCS11_MODULE_CANDIDATES as Record<string, readonly string[]>)[platform] ?? []
}

/** The first candidate that exists, or an AgentError naming every path tried and how to install. */
export function findPkcs11Module(platform: string, exists: (path: string) => boolean): string {
  const candidates = listPkcs11ModuleCandidates(platform)
  const found = candidates.find((path) => exists(path))
  if (found === undefined) throw createModuleMissingError(platform, candidates)
  return found
}

/**
 * The error for "no usable PKCS#11 module": which paths were tried and what to do. The paths are
 * the public install locations (or the one the user configured), so they are safe to show.
 */
export function createModuleMissingError(platform: string, tried: readonly string[], cause?: unknown): AgentError {
  const install = INSTALL_HINTS[platform] ?? 'install the Belgian eID middleware'
  const where = tried.length > 0 ? `tried: ${tried.join(', ')}` : `no known location on ${platform}`
  return new AgentError(
    'ERR_KEY_SOURCE',
    `the eID PKCS#11 module (beidpkcs11) was not found or could not be loaded (${where}); ${install}, or set the PKCS#11 module path in the agent configuration`,
    { detail: 'pkcs11 module missing', triedPaths: [...tried], install },
    cause === undefined ? undefined : { cause },
  )
}
