import { makeCheck, type DoctorCheck } from './doctor-check.js'
import type { DoctorEnvironment } from './doctor-environment.js'

const ID = 'tray'

/**
 * What the tray needs: a graphical session (on Linux DISPLAY or WAYLAND_DISPLAY; macOS and
 * Windows always have one for a logged-in user) and systray2's helper binary, which must be
 * executable (npm does not always keep the mode). Without a tray the agent still works: it asks
 * in its terminal or web page.
 */
export function checkTray(env: DoctorEnvironment): DoctorCheck {
  if (!env.trayHelper) return makeCheck(ID, 'fail', 'systray2 is not installed (its helper binary is missing)', 'run `npm ci` in the ehealth-agent directory')
  if (!env.fileExists(env.trayHelper)) return makeCheck(ID, 'fail', `the tray helper ${env.trayHelper} is missing`, 'run `npm ci` in the ehealth-agent directory')
  if (env.platform !== 'win32' && !env.isExecutable(env.trayHelper)) {
    // npm does not keep the helper's mode: a warning when this user can fix it, a failure when not.
    if (env.isWritable(env.trayHelper)) return makeCheck(ID, 'warn', `the tray helper ${env.trayHelper} is not executable (npm does not keep its mode; the tray cannot start without it)`, `chmod +x '${env.trayHelper}'`)
    return makeCheck(ID, 'fail', `the tray helper ${env.trayHelper} is not executable, and this user cannot change that`, `ask whoever installed ehealth-agent to run: chmod +x '${env.trayHelper}'`)
  }
  if (env.platform === 'linux' && !env.display.DISPLAY && !env.display.WAYLAND_DISPLAY) {
    return makeCheck(
      ID,
      'warn',
      'no graphical session here (DISPLAY and WAYLAND_DISPLAY are unset): the agent asks in its terminal or web page instead of the tray',
      'run the agent in your desktop session; `ehagent install` adds a login entry that gives the service your display',
    )
  }
  const where = env.platform === 'linux' ? ` on ${env.display.WAYLAND_DISPLAY ? `Wayland ${env.display.WAYLAND_DISPLAY}` : `X11 ${env.display.DISPLAY}`}` : ''
  return makeCheck(ID, 'ok', `helper ${env.trayHelper} is executable${where}`)
}
