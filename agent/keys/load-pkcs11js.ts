import { createRequire } from 'node:module'
import type * as Pkcs11js from 'pkcs11js'
import { AgentError } from '../../protocol/errors.js'

/**
 * Loading pkcs11js, the native addon that talks PKCS#11 to the eID middleware: the only runtime
 * importer of the package. It is an optional dependency, built on the user's machine by
 * node-gyp; an `npm install -g` without a C++ toolchain (or a package built for another OS)
 * has none. It is loaded on first use, so such an installation still starts and signs in with
 * the keystore or IAM Connect, and only an eID sign-in fails, with ERR_EID_UNAVAILABLE saying how
 * to add it.
 */

export type Pkcs11jsExports = typeof Pkcs11js

/** Returns the pkcs11js module or throws what `require` threw. Injected in tests. */
export type Pkcs11jsLoader = () => Pkcs11jsExports

/** The real loader: `require('pkcs11js')` (CommonJS with a `.node` addon, hence createRequire). */
export const requirePkcs11js: Pkcs11jsLoader = () => createRequire(import.meta.url)('pkcs11js') as Pkcs11jsExports

/** How to add the addon, per OS (`process.platform` values). */
const ENABLE_HINTS: Record<string, string> = {
  linux:
    'install the Debian/Ubuntu package ehealth-agent (it includes the module), or install a compiler (apt-get install python3 make g++) and run `npm rebuild pkcs11js` in the folder the agent is installed in (with Debian\'s nodejs: npm_config_nodedir=/usr)',
  darwin: 'install the Xcode command line tools (xcode-select --install) and run `npm rebuild pkcs11js` in the folder the agent is installed in',
  win32:
    'the Windows installer does not include the module yet: install the agent with npm (npm install -g) on a machine with the Visual Studio Build Tools ("Desktop development with C++") and Python',
}

/**
 * The error for "pkcs11js cannot be loaded": missing (never installed, or removed by npm after a
 * failed build of an optional dependency) or present but unloadable (built for another Node.js
 * or OS). `data` says which and how to enable it; no path, no stack.
 */
export function createEidUnavailableError(platform: string, cause: unknown): AgentError {
  const missing = (cause as { code?: unknown } | undefined)?.code === 'MODULE_NOT_FOUND'
  const enable = ENABLE_HINTS[platform] ?? 'build pkcs11js for this system (`npm rebuild pkcs11js` in the agent\'s folder)'
  return new AgentError(
    'ERR_EID_UNAVAILABLE',
    missing
      ? 'eID sign-in is not available: the native module pkcs11js is not installed'
      : 'eID sign-in is not available: the native module pkcs11js could not be loaded (built for another Node.js or system?)',
    { detail: missing ? 'pkcs11js not installed' : 'pkcs11js failed to load', enable },
    { cause },
  )
}

/**
 * A loader that calls `load` until it succeeds once and then keeps the module; each failure is
 * an ERR_EID_UNAVAILABLE (a later `npm rebuild` is picked up without restarting the agent).
 */
export function memoizePkcs11jsLoader(load: Pkcs11jsLoader, platform: string = process.platform): Pkcs11jsLoader {
  let loaded: Pkcs11jsExports | undefined
  return () => {
    if (loaded) return loaded
    try {
      loaded = load()
    } catch (cause) {
      throw createEidUnavailableError(platform, cause)
    }
    return loaded
  }
}

/** For `ehagent doctor`: undefined when pkcs11js loads, else the error saying how to enable it. */
export function probeEidSupport(load: Pkcs11jsLoader = requirePkcs11js, platform: string = process.platform): AgentError | undefined {
  try {
    memoizePkcs11jsLoader(load, platform)()
    return undefined
  } catch (error) {
    return error as AgentError
  }
}
