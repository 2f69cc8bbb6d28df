import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The addon `npm run build` compiles from agent/memory/native/malloc-trim.c, from the package
 * root (installer/bundle-layout.ts names the same file as NATIVE_ADDON.built; the installer and
 * the daemon share no code).
 */
const ADDON = ['dist', 'native', 'malloc-trim.node'] as const

/**
 * Where `npm run build` put the addon, seen from this module in each of the package's three
 * layouts: the bundle (dist/bundle/), tsc's output (dist/agent/memory/) and the sources
 * (agent/memory/, tests). Only these fixed places, all inside the package: a search further up
 * would load, into the process that holds the signing session, whatever anyone put in a folder
 * above the package (a clone in /tmp, or a package named `dist` beside this one in node_modules).
 */
export function findMallocTrimAddon(from: string = dirname(fileURLToPath(import.meta.url))): string | undefined {
  const candidates = [
    [from, '..', 'native'], // dist/bundle/ -> dist/native/
    [from, '..', '..', 'native'], // dist/agent/memory/ -> dist/native/
    [from, '..', '..', ...ADDON.slice(0, -1)], // agent/memory/ -> dist/native/
  ]
  for (const dir of candidates) {
    const candidate = join(...dir, ADDON[ADDON.length - 1]!)
    if (existsSync(candidate)) return candidate
  }
  return undefined
}

/**
 * glibc's malloc_trim(0) (see malloc-trim.c): gives the free pages inside malloc's heap back to
 * the system; true when some were. Undefined where it is not available: not Linux, the addon not
 * built (no C compiler at build time), or a libc it cannot load with. The agent then keeps the
 * memory glibc keeps; nothing else depends on it.
 */
export function loadMallocTrim(): (() => boolean) | undefined {
  return process.platform === 'linux' ? loadMallocTrimAt(findMallocTrimAddon()) : undefined
}

/** {@link loadMallocTrim} from a given file; undefined when there is none or it does not load. */
export function loadMallocTrimAt(path: string | undefined): (() => boolean) | undefined {
  if (!path) return undefined
  try {
    const addon = createRequire(import.meta.url)(path) as { trim?: unknown }
    return typeof addon.trim === 'function' ? (addon.trim as () => boolean) : undefined
  } catch {
    return undefined
  }
}
