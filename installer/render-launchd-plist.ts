import { buildDaemonCommand, INSTALL_NAMES, type InstallContext } from './install-context.js'
import { renderPlist } from './render-plist.js'

/**
 * The launchd agent (launchd.plist(5)) in ~/Library/LaunchAgents: started at login in the user's
 * GUI session (Aqua, so the tray can show), restarted after a crash but not after a clean quit
 * (KeepAlive.SuccessfulExit=false), throttled so a broken install does not spin.
 */
export function renderLaunchdPlist(ctx: InstallContext, logFile: string): string {
  return renderPlist({
    Label: INSTALL_NAMES.launchdLabel,
    ProgramArguments: buildDaemonCommand(ctx),
    RunAtLoad: true,
    KeepAlive: { SuccessfulExit: false },
    ThrottleInterval: 10,
    LimitLoadToSessionType: 'Aqua',
    ProcessType: 'Interactive',
    // Owner-only files, as the agent itself creates them (threat T7).
    Umask: 0o077,
    StandardOutPath: logFile,
    StandardErrorPath: logFile,
  })
}
