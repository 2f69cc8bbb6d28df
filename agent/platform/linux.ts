import type { Platform } from './platform.js'

/** Linux (Debian, Ubuntu and the like). */
export const linuxPlatform: Platform = {
  id: 'linux',
  // The FHS's place for host-specific configuration (FHS 3.0 §3.7 /etc).
  policy: { kind: 'file', path: '/etc/ehealth-agent/policy.json' },
  // The eid-mw packages' install paths (and those the eHealth technical connector searches).
  pkcs11Modules: ['/usr/lib/x86_64-linux-gnu/libbeidpkcs11.so.0', '/usr/lib/aarch64-linux-gnu/libbeidpkcs11.so.0', '/usr/lib/libbeidpkcs11.so', '/usr/local/lib/libbeidpkcs11.so'],
  eidInstallHint: 'install the eID middleware (Debian/Ubuntu: apt-get install eid-mw, from https://eid.belgium.be)',
  // xdg-utils' opener: the desktop's default browser.
  openUrlCommand: (url) => ({ file: 'xdg-open', args: [url] }),
  serviceKind: 'systemd-user-unit',
  trayHelper: 'tray_linux_release',
  processLookup: 'proc-and-ss',
}
