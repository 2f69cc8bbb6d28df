/**
 * The one place where the CLI reaches beyond clients/ and protocol/: the programs and tools it
 * launches, each loaded by a dynamic import at the moment its command runs, never by a static
 * import. So `ehagent status` or `ehagent sign` load neither the daemon nor the sandbox (a small,
 * fast CLI), the daemon never sees the sandbox's code, and the dependency lines stay checkable
 * (test/layer-boundaries.test.ts allows dynamic imports of agent/ and installer/ here, and only
 * here).
 *
 * - `ehagent start` loads the daemon's entry point (agent/main.ts);
 * - `ehagent sandbox` loads the sandbox's (agent/sandbox/main.ts), a program of its own;
 * - `ehagent doctor` loads the doctor's checks (agent/doctor/): they run the agent's own code —
 *   the settings schema, the keystore reader, the PKCS#11 binding — against this machine, so
 *   they belong with the agent rather than copied into the CLI;
 * - `ehagent install` / `uninstall` load the installer (installer/), which writes service
 *   definitions and runs system tools: nothing the other commands should carry.
 *
 * Types the commands need from these modules are derived from the loaders below, so no other
 * file of clients/ names a path outside clients/ and protocol/.
 */

/** The daemon's entry point: `runAgent`. */
export const loadDaemon = () => import('../../agent/main.js')
/** The sandbox program's entry point: `runSandbox`. */
export const loadSandbox = () => import('../../agent/sandbox/main.js')
/** The doctor's checks and the real machine they look at. */
export const loadDoctor = () => import('../../agent/doctor/index.js')
/** The per-user installer. */
export const loadInstaller = () => import('../../installer/index.js')

export type InstallerModule = Awaited<ReturnType<typeof loadInstaller>>
/** Runs the system tools install and uninstall need; tests inject one that touches nothing. */
export type ToolRunner = Parameters<InstallerModule['applyInstall']>[1]
export type InstallContext = Parameters<InstallerModule['planInstall']>[0]
export type InstallPlan = ReturnType<InstallerModule['planInstall']>
export type InstallStep = InstallPlan['install'][number]
