import { posix, win32 } from 'node:path'
import { NATIVE_HOST_NAME } from './names.js'

/** A Chrome / Chromium / Edge extension id: 32 letters a-p. */
const EXTENSION_ID = /^[a-p]{32}$/

/** Options of {@link renderHostManifest}. */
export interface HostManifestOptions {
  /** Absolute path of the executable Chrome starts (the wrapper script that runs the host). */
  path: string
  /**
   * Windows only: `path` is a file name in the manifest's own folder, which Chrome resolves there
   * (the host manifest documentation: "On Windows it can be relative to the directory containing
   * the manifest file"), so a manifest can ship inside an installation whose folder is not known
   * until it is installed (the MSI).
   */
  besideManifest?: boolean
  /** The extensions allowed to start the host: exact ids, never a wildcard. */
  extensionIds: readonly string[]
}

/**
 * The native messaging host manifest (https://developer.chrome.com/docs/extensions/develop/concepts/native-messaging#native-messaging-host):
 * Chrome starts `path` only for the extensions listed in `allowed_origins`, as
 * `chrome-extension://<id>/` with the trailing slash Chrome compares against. The same bytes for
 * the same input, so installing twice writes the same file.
 *
 * @example
 * ```ts
 * renderHostManifest({ path: '/home/dr/.local/share/ehealth-agent/native-messaging-host', extensionIds: [EXTENSION_ID] })
 * ```
 */
export function renderHostManifest(options: HostManifestOptions): string {
  if (options.besideManifest) {
    if (!/^[\w.-]+$/.test(options.path)) throw new Error(`a native host beside its manifest is named by its file name alone: ${options.path}`)
  } else if (!posix.isAbsolute(options.path) && !win32.isAbsolute(options.path)) {
    throw new Error(`the native host path must be absolute (Chrome resolves a relative one against the manifest's directory): ${options.path}`)
  }
  if (options.extensionIds.length === 0) throw new Error('the native host manifest needs at least one extension id')
  for (const id of options.extensionIds) {
    if (!EXTENSION_ID.test(id)) throw new Error(`not an extension id (32 letters a-p): ${JSON.stringify(id)}`)
  }
  const manifest = {
    name: NATIVE_HOST_NAME,
    description: 'ehealth-agent: signed eHealth SOAP envelopes for the ehealth-agent browser extension',
    path: options.path,
    type: 'stdio',
    allowed_origins: [...new Set(options.extensionIds)].map((id) => `chrome-extension://${id}/`),
  }
  return JSON.stringify(manifest, null, 2) + '\n'
}
