/**
 * Finding and loading the agent's native addons, which `npm run build` compiles into
 * dist/native/ (installer/bundle-layout.ts lists them as NATIVE_ADDONS; the installer and the
 * daemon share no code, so the file names are written again by each loader).
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve, sep } from 'node:path'

/**
 * Where `npm run build` put the addon `file` (<package>/dist/native/), seen from a module `depth`
 * folders below the package root (agent/memory/ is 2, agent/callers/linux/ is 3). The package
 * root is told from the module's own folder, in whichever of the package's three layouts it is:
 * the bundle (dist/bundle/), tsc's output (dist/agent/...) or the sources (agent/..., tests).
 * Only there: a search further up would load, into the process that holds the signing session,
 * whatever anyone put in a folder above the package (a clone in /tmp, or a package named `dist`
 * beside this one in node_modules).
 */
export function findNativeAddon(file: string, from: string, depth: number): string | undefined {
  const parts = resolve(from).split(sep)
  const roots: string[] = []
  if (parts.at(-1) === 'bundle' && parts.at(-2) === 'dist') roots.push(join(from, '..', '..'))
  if (parts.at(-depth) === 'agent') {
    const holder = join(from, ...Array.from({ length: depth }, () => '..'))
    roots.push(parts.at(-depth - 1) === 'dist' ? join(holder, '..') : holder)
  }
  for (const root of roots) {
    const candidate = join(root, 'dist', 'native', file)
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
