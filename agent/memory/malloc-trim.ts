import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { findNativeAddon, requireNativeAddon } from '../platform/native-addon.js'

/** The addon `npm run build` compiles from agent/memory/native/malloc-trim.c (NATIVE_ADDONS in installer/bundle-layout.ts). */
const ADDON_FILE = 'malloc-trim.node'

/** Where the addon is, seen from this module in any of the package's layouts (agent/platform/native-addon.ts). */
export function findMallocTrimAddon(from: string = dirname(fileURLToPath(import.meta.url))): string | undefined {
  return findNativeAddon(ADDON_FILE, from, 2)
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
  const addon = requireNativeAddon(path)
  return typeof addon?.trim === 'function' ? (addon.trim as () => boolean) : undefined
}
