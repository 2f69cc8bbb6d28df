import type { Platform } from './platform.js'

/** macOS. */
export const darwinPlatform: Platform = {
  id: 'darwin',
  // Machine-wide application data that only an administrator may write.
  policy: { kind: 'file', path: '/Library/Application Support/ehealth-agent/policy.json' },
  pkcs11Modules: ['/Library/Belgium Identity Card/Pkcs11/beid-pkcs11.bundle/Contents/MacOS/libbeidpkcs11.dylib', '/usr/local/lib/libbeidpkcs11.dylib'],
  eidInstallHint: 'install the eID software for macOS from https://eid.belgium.be',
  openUrlCommand: (url) => ({ file: 'open', args: [url] }),
  serviceKind: 'launchd-agent',
  trayHelper: 'tray_darwin_release',
  processLookup: 'lsof-and-ps',
}
