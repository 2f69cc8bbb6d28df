import type { Platform } from './platform.js'

const POLICY_KEY = 'HKLM\\SOFTWARE\\Policies\\ehealth-agent'

/** Windows 10/11 (and terminal servers). */
export const win32Platform: Platform = {
  id: 'win32',
  // Where Group Policy writes application policies; only administrators may write under it.
  // `reg query KEY /s` lists its values and subkeys (Microsoft Learn, Windows Commands, "reg query").
  policy: { kind: 'registry', key: POLICY_KEY, command: { file: 'reg.exe', args: ['query', POLICY_KEY, '/s'] } },
  pkcs11Modules: ['C:\\Windows\\System32\\beidpkcs11.dll'],
  eidInstallHint: 'install the eID software for Windows from https://eid.belgium.be',
  // `cmd /c start` would parse `&` in the URL; the URL protocol handler takes it as one argument.
  openUrlCommand: (url) => ({ file: 'rundll32', args: ['url.dll,FileProtocolHandler', url] }),
  serviceKind: 'scheduled-task',
  trayHelper: 'tray_windows_release.exe',
  processLookup: 'netstat-and-cim',
}
