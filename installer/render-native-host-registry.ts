import { NATIVE_HOST_NAME } from '../protocol/browser-extension/names.js'
import { regString } from './render-windows-registry.js'

/**
 * The per-user keys under which Chrome and Chromium look for a native messaging host on Windows
 * (HKCU, so no administrator is needed); each key's default value is the manifest's path.
 */
export function listNativeHostRegistryKeys(): string[] {
  return ['Google\\Chrome', 'Chromium'].map((browser) => `HKEY_CURRENT_USER\\Software\\${browser}\\NativeMessagingHosts\\${NATIVE_HOST_NAME}`)
}

/** The registry file (`reg import`) that points Chrome and Chromium at the host manifest. */
export function renderNativeHostRegistry(manifestPath: string): string {
  return [
    'Windows Registry Editor Version 5.00',
    '',
    ...listNativeHostRegistryKeys().flatMap((key) => [`[${key}]`, `@=${regString(manifestPath)}`, '']),
  ].join('\r\n')
}
