import { join, resolve } from 'node:path'
import { resolvePaths } from '../../protocol/discovery/resolve-paths.js'
import { readMachineFacts, optionString, type CliContext } from './cli-context.js'
import type { InstallContext, InstallerModule, InstallPlan } from './load-server.js'

/** The installer's view of this user and this installation, from the CLI context. */
export function buildInstallContext(ctx: CliContext): InstallContext {
  const machine = readMachineFacts(ctx)
  const stateDir = optionString(ctx, 'state-dir')
  const { env } = ctx.pathContext
  return {
    platform: ctx.pathContext.platform,
    home: ctx.pathContext.home,
    env: { XDG_CONFIG_HOME: env.XDG_CONFIG_HOME, XDG_DATA_HOME: machine.xdgDataHome, APPDATA: env.APPDATA, LOCALAPPDATA: env.LOCALAPPDATA },
    nodePath: machine.nodePath,
    binPath: join(machine.packageRoot, 'bin', 'ehagent.js'),
    // The service does not start in this directory: a relative path would point elsewhere.
    ...(stateDir ? { stateDir: resolve(stateDir) } : {}),
    ...(machine.userName ? { windowsUserId: machine.userDomain ? `${machine.userDomain}\\${machine.userName}` : machine.userName } : {}),
  }
}

/** The install plan for this user (the same for install and uninstall, so they match exactly). */
export function planInstallForUser(installer: InstallerModule, ctx: CliContext): InstallPlan {
  return installer.planInstall(buildInstallContext(ctx), {
    version: ctx.version,
    noStart: ctx.args.options['no-start'] === true,
    uid: ctx.pathContext.uid,
    agentPaths: resolvePaths(optionString(ctx, 'state-dir'), ctx.pathContext),
  })
}
