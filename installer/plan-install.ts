import type { AgentPaths } from '../protocol/discovery/resolve-paths.js'
import { EXTENSION_ID, HOST_CREDENTIAL_DIR, NATIVE_HOST_NAME } from '../protocol/browser-extension/names.js'
import { renderHostManifest } from '../protocol/browser-extension/render-host-manifest.js'
import { buildNativeHostCommand, INSTALL_NAMES, selectPathFunctions, type InstallContext } from './install-context.js'
import type { InstallPlan, InstallStep, ToolStep } from './install-plan.js'
import { renderTokenHandlerEntry, renderTrayAutostartEntry } from './render-desktop-entries.js'
import { renderLaunchdPlist } from './render-launchd-plist.js'
import { renderTokenHandlerInfoPlist, renderTokenHandlerScript } from './render-mac-token-handler.js'
import { renderMimePackage } from './render-mime-package.js'
import { listNativeHostRegistryKeys, renderNativeHostRegistry } from './render-native-host-registry.js'
import { renderPosixHostWrapper, renderWindowsHostWrapper } from './render-native-host-wrapper.js'
import { renderSystemdUnit } from './render-systemd-unit.js'
import { listWindowsRegistryKeys, renderWindowsRegistry } from './render-windows-registry.js'
import { encodeUtf16Le, renderWindowsTask } from './render-windows-task.js'

/** Options of {@link planInstall}. */
export interface PlanOptions {
  /** The agent's version (task and applet metadata). */
  version: string
  /** Install without starting the agent now (it starts at the next login). */
  noStart?: boolean
  /** The user's uid (macOS: `launchctl bootstrap gui/<uid>`). */
  uid: number
  /** The agent's own files (from agent/paths.ts), named on uninstall and left alone. */
  agentPaths: AgentPaths
}

/**
 * What `ehagent install` / `uninstall` do for the current user on this platform, as data: the
 * files with their exact content, the tools to run, what to remove. Pure, so every platform's
 * plan is tested here; the I/O is apply-install.ts / apply-uninstall.ts.
 */
export function planInstall(ctx: InstallContext, options: PlanOptions): InstallPlan {
  switch (ctx.platform) {
    case 'linux':
      return planLinux(ctx, options)
    case 'darwin':
      return planMac(ctx, options)
    case 'win32':
      return planWindows(ctx, options)
    default:
      throw new Error(`installing ehealth-agent as a service is supported on Linux, macOS and Windows, not on ${ctx.platform}`)
  }
}

function makeToolStep(command: string, args: string[], why: string, required = false): ToolStep {
  return { kind: 'run', command, args, why, required }
}

function listDataLeft(paths: AgentPaths, p: ReturnType<typeof selectPathFunctions>): InstallPlan['dataLeft'] {
  return [
    { what: 'settings', path: p.dirname(paths.configFile) },
    { what: 'paired applications', path: paths.clientsFile },
    { what: 'browser extension pairing', path: p.join(p.dirname(paths.clientsFile), HOST_CREDENTIAL_DIR) },
    { what: 'privacy log', path: paths.auditDir },
    { what: 'sandbox test keys', path: paths.sandboxDir },
  ]
}

/**
 * The browser extension's native messaging host: the manifest that tells each browser where the
 * host is and which extension may start it (the exact id of clients/browser-extension/extension),
 * one per browser directory, all naming the same host.
 */
function writeHostManifests(manifests: string[], hostPath: string): InstallStep[] {
  const content = renderHostManifest({ path: hostPath, extensionIds: [EXTENSION_ID] })
  return manifests.map((path) => ({ kind: 'file', path, content, mode: 0o644 }))
}

function planLinux(ctx: InstallContext, options: PlanOptions): InstallPlan {
  const p = selectPathFunctions('linux')
  const configHome = ctx.env.XDG_CONFIG_HOME || p.join(ctx.home, '.config')
  const dataHome = ctx.env.XDG_DATA_HOME || p.join(ctx.home, '.local', 'share')
  const unitDir = p.join(configHome, 'systemd', 'user')
  const unit = p.join(unitDir, INSTALL_NAMES.systemdUnit)
  const wants = p.join(unitDir, 'default.target.wants', INSTALL_NAMES.systemdUnit)
  const autostart = p.join(configHome, 'autostart', INSTALL_NAMES.desktopTrayAutostart)
  const applications = p.join(dataHome, 'applications')
  const handler = p.join(applications, INSTALL_NAMES.desktopTokenHandler)
  const mime = p.join(dataHome, 'mime')
  const mimePackage = p.join(mime, 'packages', INSTALL_NAMES.mimePackage)
  // Chrome and Chromium read a user's hosts from NativeMessagingHosts/ in their profile directory.
  const hostWrapper = p.join(dataHome, 'ehealth-agent', INSTALL_NAMES.nativeHostWrapper)
  const hostManifests = ['chromium', 'google-chrome'].map((browser) => p.join(configHome, browser, 'NativeMessagingHosts', `${NATIVE_HOST_NAME}.json`))
  const refreshMime = makeToolStep('update-mime-database', [mime], 'register the .ehtoken file type (Debian: shared-mime-info)')
  const refreshDesktop = makeToolStep('update-desktop-database', [applications], 'register the token handler (Debian: desktop-file-utils)')
  return {
    platform: 'linux',
    install: [
      { kind: 'file', path: unit, content: renderSystemdUnit(ctx), mode: 0o644 },
      // What `systemctl --user enable` does, done here so it works without a running user manager
      // and uninstall knows exactly what to remove.
      { kind: 'link', path: wants, target: unit },
      { kind: 'file', path: autostart, content: renderTrayAutostartEntry(), mode: 0o644 },
      { kind: 'file', path: handler, content: renderTokenHandlerEntry(ctx), mode: 0o644 },
      { kind: 'file', path: mimePackage, content: renderMimePackage(), mode: 0o644 },
      { kind: 'file', path: hostWrapper, content: renderPosixHostWrapper(buildNativeHostCommand(ctx)), mode: 0o755 },
      ...writeHostManifests(hostManifests, hostWrapper),
      refreshMime,
      refreshDesktop,
      makeToolStep('systemctl', ['--user', 'daemon-reload'], 'let the user manager read the unit'),
      ...(options.noStart ? [] : [makeToolStep('systemctl', ['--user', 'restart', INSTALL_NAMES.systemdUnit], 'start the agent now', true)]),
    ],
    beforeRemove: [makeToolStep('systemctl', ['--user', 'stop', INSTALL_NAMES.systemdUnit], 'stop the agent')],
    remove: [{ path: wants }, { path: unit }, { path: autostart }, { path: handler }, { path: mimePackage }, { path: hostWrapper }, ...hostManifests.map((path) => ({ path }))],
    databases: [
      { dir: mime, sources: 'mime-packages', refresh: refreshMime },
      { dir: applications, sources: 'desktop-entries', refresh: refreshDesktop },
    ],
    afterRemove: [makeToolStep('systemctl', ['--user', 'daemon-reload'], 'let the user manager forget the unit')],
    manifestPath: p.join(dataHome, 'ehealth-agent', INSTALL_NAMES.manifest),
    dataLeft: listDataLeft(options.agentPaths, p),
    summary: [
      `systemd user unit ${unit} (enabled: starts with your user session, restarts after a crash)`,
      `tray at login: ${autostart}`,
      `.ehtoken files open in the agent: ${handler}, ${mimePackage}`,
      `browser extension ${EXTENSION_ID} reaches the agent through ${hostWrapper} (${hostManifests.join(', ')})`,
    ],
    serviceLog: `journalctl --user -u ${INSTALL_NAMES.systemdUnit}`,
    startsAgent: !options.noStart,
  }
}

const LSREGISTER = '/System/Library/Frameworks/CoreServices.framework/Frameworks/LaunchServices.framework/Support/lsregister'

function planMac(ctx: InstallContext, options: PlanOptions): InstallPlan {
  const p = selectPathFunctions('darwin')
  const plist = p.join(ctx.home, 'Library', 'LaunchAgents', `${INSTALL_NAMES.launchdLabel}.plist`)
  const logFile = p.join(ctx.home, 'Library', 'Logs', 'ehealth-agent.log')
  const installerDir = p.join(ctx.home, 'Library', 'Application Support', 'ehealth-agent', 'installer')
  const script = p.join(installerDir, 'import-token.applescript')
  const appsDir = p.join(ctx.home, 'Applications')
  const app = p.join(appsDir, INSTALL_NAMES.macTokenApp)
  const hostWrapper = p.join(installerDir, INSTALL_NAMES.nativeHostWrapper)
  const hostManifests = [['Google', 'Chrome'], ['Chromium']].map((browser) =>
    p.join(ctx.home, 'Library', 'Application Support', ...browser, 'NativeMessagingHosts', `${NATIVE_HOST_NAME}.json`),
  )
  const domain = `gui/${options.uid}`
  const service = `${domain}/${INSTALL_NAMES.launchdLabel}`
  const bootout = makeToolStep('launchctl', ['bootout', service], 'stop the agent')
  return {
    platform: 'darwin',
    install: [
      { kind: 'file', path: plist, content: renderLaunchdPlist(ctx, logFile), mode: 0o644 },
      { kind: 'file', path: script, content: renderTokenHandlerScript(ctx), mode: 0o644 },
      { kind: 'file', path: hostWrapper, content: renderPosixHostWrapper(buildNativeHostCommand(ctx)), mode: 0o755 },
      ...writeHostManifests(hostManifests, hostWrapper),
      { kind: 'dir', path: appsDir },
      { kind: 'remove', path: app },
      makeToolStep('osacompile', ['-o', app, script], 'build the .ehtoken handler applet', true),
      { kind: 'file', path: p.join(app, 'Contents', 'Info.plist'), content: renderTokenHandlerInfoPlist(options.version), mode: 0o644 },
      // Editing Info.plist invalidates the applet's ad-hoc signature (Apple silicon refuses it).
      makeToolStep('codesign', ['--force', '--sign', '-', app], 're-sign the handler applet'),
      makeToolStep(LSREGISTER, ['-f', app], 'register the .ehtoken type with Launch Services'),
      ...(options.noStart ? [] : [bootout, makeToolStep('launchctl', ['bootstrap', domain, plist], 'start the agent now', true)]),
    ],
    beforeRemove: [bootout, makeToolStep(LSREGISTER, ['-u', app], 'unregister the .ehtoken handler')],
    remove: [{ path: plist }, { path: app, tree: true }, { path: script }, { path: hostWrapper }, ...hostManifests.map((path) => ({ path }))],
    databases: [],
    afterRemove: [],
    manifestPath: p.join(installerDir, INSTALL_NAMES.manifest),
    dataLeft: [...listDataLeft(options.agentPaths, p), { what: 'agent log', path: logFile }],
    summary: [
      `launchd agent ${plist} (starts at login, restarts after a crash)`,
      `.ehtoken files open in the agent: ${app}`,
      `browser extension ${EXTENSION_ID} reaches the agent through ${hostWrapper} (${hostManifests.join(', ')})`,
    ],
    serviceLog: logFile,
    startsAgent: !options.noStart,
  }
}

function planWindows(ctx: InstallContext, options: PlanOptions): InstallPlan {
  const p = selectPathFunctions('win32')
  const installerDir = p.join(ctx.env.LOCALAPPDATA || p.join(ctx.home, 'AppData', 'Local'), 'ehealth-agent', 'installer')
  const taskXml = p.join(installerDir, 'ehealth-agent-task.xml')
  const regFile = p.join(installerDir, 'ehealth-agent-token-handler.reg')
  const hostWrapper = p.join(installerDir, `${INSTALL_NAMES.nativeHostWrapper}.bat`)
  const hostManifest = p.join(installerDir, `${NATIVE_HOST_NAME}.json`)
  const hostRegFile = p.join(installerDir, 'ehealth-agent-native-host.reg')
  const keys = listWindowsRegistryKeys()
  const task = INSTALL_NAMES.windowsTask
  const regDelete = (key: string, why = 'remove the .ehtoken handler') => makeToolStep('reg', ['delete', key.replace('HKEY_CURRENT_USER', 'HKCU'), '/f'], why)
  return {
    platform: 'win32',
    install: [
      { kind: 'file', path: taskXml, content: encodeUtf16Le(renderWindowsTask(ctx, options.version)) },
      { kind: 'file', path: regFile, content: encodeUtf16Le(renderWindowsRegistry(ctx)) },
      { kind: 'file', path: hostWrapper, content: renderWindowsHostWrapper(buildNativeHostCommand(ctx)) },
      ...writeHostManifests([hostManifest], hostWrapper),
      { kind: 'file', path: hostRegFile, content: encodeUtf16Le(renderNativeHostRegistry(hostManifest)) },
      makeToolStep('schtasks', ['/Create', '/TN', task, '/XML', taskXml, '/F'], 'register the logon task', true),
      makeToolStep('reg', ['import', regFile], 'register the .ehtoken handler', true),
      // The agent works without it; only the browser extension would not find its host.
      makeToolStep('reg', ['import', hostRegFile], 'register the browser extension native host'),
      ...(options.noStart ? [] : [makeToolStep('schtasks', ['/Run', '/TN', task], 'start the agent now', true)]),
    ],
    beforeRemove: [
      makeToolStep('schtasks', ['/End', '/TN', task], 'stop the agent'),
      makeToolStep('schtasks', ['/Delete', '/TN', task, '/F'], 'remove the logon task'),
      regDelete(keys.extension),
      regDelete(keys.progId),
      regDelete(keys.contentType),
      ...listNativeHostRegistryKeys().map((key) => regDelete(key, 'remove the browser extension native host')),
    ],
    remove: [{ path: taskXml }, { path: regFile }, { path: hostWrapper }, { path: hostManifest }, { path: hostRegFile }],
    databases: [],
    afterRemove: [],
    manifestPath: p.join(installerDir, INSTALL_NAMES.manifest),
    dataLeft: listDataLeft(options.agentPaths, p),
    summary: [
      `scheduled task "${task}" (at logon, restarts after a crash)`,
      `.ehtoken files open in the agent (HKCU\\Software\\Classes\\.ehtoken)`,
      `browser extension ${EXTENSION_ID} reaches the agent through ${hostWrapper} (HKCU\\Software\\Google\\Chrome and Chromium NativeMessagingHosts)`,
    ],
    serviceLog: `schtasks /Query /TN ${task} /V /FO LIST`,
    startsAgent: !options.noStart,
  }
}
