/**
 * Finding and loading the agent's native addons, which `npm run build` compiles into
 * dist/native/ (installer/bundle-layout.ts lists them as NATIVE_ADDONS; the installer and the
 * daemon share no code, so the file names are written again by each loader).
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

/**
 * Where `npm run build` put the addon `file`, seen from a module two folders below the package
 * root, in each of the package's three layouts: the bundle (dist/bundle/), tsc's output
 * (dist/agent/<room>/) and the sources (agent/<room>/, tests). Only these fixed places, all inside
 * the package: a search further up would load, into the process that holds the signing session,
 * whatever anyone put in a folder above the package (a clone in /tmp, or a package named `dist`
 * beside this one in node_modules).
 */
export function findNativeAddon(file: string, from: string): string | undefined {
  const candidates = [
    [from, '..', 'native'], // dist/bundle/ -> dist/native/
    [from, '..', '..', 'native'], // dist/agent/<room>/ -> dist/native/
    [from, '..', '..', 'dist', 'native'], // agent/<room>/ -> dist/native/
  ]
  for (const dir of candidates) {
    const candidate = join(...dir, file)
    if (existsSync(candidate)) return candidate
  }
  return undefined
}

/** The addon's exports; undefined when there is no file or it does not load (another OS, libc or architecture). */
export function requireNativeAddon(path: string | undefined): Record<string, unknown> | undefined {
  if (!path) return undefined
  try {
    return createRequire(import.meta.url)(path) as Record<string, unknown>
  } catch {
    return undefined
  }
}
