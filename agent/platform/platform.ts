/**
 * What differs between Linux, macOS and Windows, behind one small interface: one object per OS
 * (linux.ts, darwin.ts, win32.ts), chosen once by agent/main.ts from `process.platform`. The
 * objects are data and pure functions, so every OS's choices are unit-tested on any OS.
 */

export const PLATFORM_IDS = ['linux', 'darwin', 'win32'] as const
export type PlatformId = (typeof PLATFORM_IDS)[number]

/** Where the machine-wide admin policy lives and how it is read. */
export type PolicyLocation =
  | { kind: 'file'; path: string }
  /** Read with `command` (`reg query <key> /s`), its output decoded by protocol/policy/parse-reg-query.ts. */
  | { kind: 'registry'; key: string; command: { file: string; args: readonly string[] } }

export interface Platform {
  id: PlatformId
  /** The admin policy's place (`EHAGENT_POLICY_FILE` replaces it in tests). */
  policy: PolicyLocation
  /**
   * Where the Belgian eID middleware (eid-mw, beidpkcs11) installs its PKCS#11 module, searched in
   * this order; a configured module path replaces the search.
   */
  pkcs11Modules: readonly string[]
  /** How to get the eID middleware, shown when the module is missing. */
  eidInstallHint: string
  /** The command that opens a URL in the user's default browser, the URL as one argument, no shell. */
  openUrlCommand(url: string): { file: string; args: string[] }
  /** What `ehagent install` makes the agent run as for the user. */
  serviceKind: 'systemd-user-unit' | 'launchd-agent' | 'scheduled-task'
  /** The tray helper of systray2 (getlantern/systray), in its `traybin/` folder. */
  trayHelper: string
  /**
   * How agent/callers finds the program behind a loopback connection: `/proc` and `ss` (Linux,
   * which also gives the peer's uid for the peer-uid check), `lsof` and `ps` (macOS), `netstat`
   * and CIM (Windows).
   */
  processLookup: 'proc-and-ss' | 'lsof-and-ps' | 'netstat-and-cim'
}
