import { describe, expect, it } from 'vitest'
import { resolvePaths } from '../protocol/discovery/resolve-paths.js'
import { EXTENSION_ID } from '../protocol/browser-extension/names.js'
import type { InstallContext } from './install-context.js'
import type { InstallStep } from './install-plan.js'
import { planInstall } from './plan-install.js'

const linux: InstallContext = { platform: 'linux', home: '/home/dr', env: {}, nodePath: '/usr/bin/node', binPath: '/opt/eha/bin/ehagent.js' }
const agentPaths = (platform: string, home: string, env = {}) => resolvePaths(undefined, { platform, home, uid: 1000, env })
const files = (steps: InstallStep[]) => steps.filter((s) => s.kind === 'file' || s.kind === 'link').map((s) => s.path)
const runs = (steps: InstallStep[]) => steps.flatMap((s) => (s.kind === 'run' ? [[s.command, ...s.args].join(' ')] : []))
const fileStep = (steps: InstallStep[], path: string) => steps.find((s): s is Extract<InstallStep, { kind: 'file' }> => s.kind === 'file' && s.path === path)
const text = (content: string | Uint8Array | undefined) => (typeof content === 'string' ? content : Buffer.from(content ?? []).toString('utf8'))

describe('planInstall', () => {
  it('Linux: the unit, its enable link, the tray autostart, the token handler and the MIME package, under HOME', () => {
    const plan = planInstall(linux, { version: '1', uid: 1000, agentPaths: agentPaths('linux', '/home/dr') })
    expect(files(plan.install)).toEqual([
      '/home/dr/.config/systemd/user/ehealth-agent.service',
      '/home/dr/.config/systemd/user/default.target.wants/ehealth-agent.service',
      '/home/dr/.config/autostart/ehealth-agent-tray.desktop',
      '/home/dr/.local/share/applications/ehealth-agent-import-token.desktop',
      '/home/dr/.local/share/mime/packages/ehealth-agent.xml',
      '/home/dr/.local/share/ehealth-agent/native-messaging-host',
      '/home/dr/.config/chromium/NativeMessagingHosts/be.ehealth_agent.host.json',
      '/home/dr/.config/google-chrome/NativeMessagingHosts/be.ehealth_agent.host.json',
    ])
    expect(plan.install).toContainEqual({ kind: 'link', path: '/home/dr/.config/systemd/user/default.target.wants/ehealth-agent.service', target: '/home/dr/.config/systemd/user/ehealth-agent.service' })
    expect(runs(plan.install)).toEqual([
      'update-mime-database /home/dr/.local/share/mime',
      'update-desktop-database /home/dr/.local/share/applications',
      'systemctl --user daemon-reload',
      'systemctl --user restart ehealth-agent.service',
    ])
    expect(plan.remove.map((r) => r.path).sort()).toEqual(files(plan.install).sort())
    expect(plan.dataLeft).toEqual([
      { what: 'settings', path: '/home/dr/.config/ehealth-agent' },
      { what: 'paired applications', path: '/home/dr/.local/state/ehealth-agent/clients.json' },
      { what: 'browser extension pairing', path: '/home/dr/.local/state/ehealth-agent/native-host' },
      { what: 'privacy log', path: '/home/dr/.local/state/ehealth-agent/audit' },
      { what: 'sandbox test keys', path: '/home/dr/.local/state/ehealth-agent/sandbox' },
    ])
    expect(plan.manifestPath).toBe('/home/dr/.local/share/ehealth-agent/installed.json')
  })

  it('Linux: the native messaging host for Chromium and Chrome: an executable wrapper, manifests naming the exact extension id', () => {
    const plan = planInstall({ ...linux, stateDir: '/srv/eha' }, { version: '1', uid: 1000, agentPaths: agentPaths('linux', '/home/dr') })
    const wrapper = fileStep(plan.install, '/home/dr/.local/share/ehealth-agent/native-messaging-host')!
    expect(wrapper.mode).toBe(0o755)
    expect(text(wrapper.content)).toContain(`exec '/usr/bin/node' '/opt/eha/dist/bundle/native-host.js' '--state-dir' '/srv/eha' "$@"\n`)
    for (const browser of ['chromium', 'google-chrome']) {
      const manifest = fileStep(plan.install, `/home/dr/.config/${browser}/NativeMessagingHosts/be.ehealth_agent.host.json`)!
      expect(manifest.mode).toBe(0o644)
      expect(JSON.parse(text(manifest.content))).toEqual({
        name: 'be.ehealth_agent.host',
        description: expect.any(String),
        path: '/home/dr/.local/share/ehealth-agent/native-messaging-host',
        type: 'stdio',
        allowed_origins: [`chrome-extension://${EXTENSION_ID}/`],
      })
    }
    expect(plan.summary.at(-1)).toContain(EXTENSION_ID)
  })

  it('Linux: honours XDG_CONFIG_HOME / XDG_DATA_HOME and --no-start', () => {
    const plan = planInstall({ ...linux, env: { XDG_CONFIG_HOME: '/cfg', XDG_DATA_HOME: '/data' } }, { version: '1', uid: 1000, noStart: true, agentPaths: agentPaths('linux', '/home/dr') })
    expect(files(plan.install)[0]).toBe('/cfg/systemd/user/ehealth-agent.service')
    expect(files(plan.install)[4]).toBe('/data/mime/packages/ehealth-agent.xml')
    expect(files(plan.install).slice(5)).toEqual([
      '/data/ehealth-agent/native-messaging-host',
      '/cfg/chromium/NativeMessagingHosts/be.ehealth_agent.host.json',
      '/cfg/google-chrome/NativeMessagingHosts/be.ehealth_agent.host.json',
    ])
    expect(runs(plan.install)).not.toContain('systemctl --user restart ehealth-agent.service')
  })

  it('macOS: the LaunchAgents plist and the handler applet built by osacompile, bootstrapped in gui/<uid>', () => {
    const ctx: InstallContext = { ...linux, platform: 'darwin', home: '/Users/dr' }
    const plan = planInstall(ctx, { version: '1', uid: 501, agentPaths: agentPaths('darwin', '/Users/dr') })
    expect(files(plan.install)).toEqual([
      '/Users/dr/Library/LaunchAgents/be.ehealth-agent.plist',
      '/Users/dr/Library/Application Support/ehealth-agent/installer/import-token.applescript',
      '/Users/dr/Library/Application Support/ehealth-agent/installer/native-messaging-host',
      '/Users/dr/Library/Application Support/Google/Chrome/NativeMessagingHosts/be.ehealth_agent.host.json',
      '/Users/dr/Library/Application Support/Chromium/NativeMessagingHosts/be.ehealth_agent.host.json',
      '/Users/dr/Applications/ehealth-agent Token Import.app/Contents/Info.plist',
    ])
    const manifest = JSON.parse(text(fileStep(plan.install, '/Users/dr/Library/Application Support/Google/Chrome/NativeMessagingHosts/be.ehealth_agent.host.json')!.content)) as { path: string }
    expect(manifest.path).toBe('/Users/dr/Library/Application Support/ehealth-agent/installer/native-messaging-host')
    expect(plan.remove.map((r) => r.path)).toEqual(expect.arrayContaining([manifest.path, '/Users/dr/Library/Application Support/Chromium/NativeMessagingHosts/be.ehealth_agent.host.json']))
    expect(runs(plan.install)).toEqual(
      expect.arrayContaining([
        'osacompile -o /Users/dr/Applications/ehealth-agent Token Import.app /Users/dr/Library/Application Support/ehealth-agent/installer/import-token.applescript',
        'launchctl bootstrap gui/501 /Users/dr/Library/LaunchAgents/be.ehealth-agent.plist',
      ]),
    )
    expect(plan.remove).toContainEqual({ path: '/Users/dr/Applications/ehealth-agent Token Import.app', tree: true })
    expect(plan.dataLeft.map((d) => d.what)).toContain('agent log')
  })

  it('Windows: task XML and .reg in %LOCALAPPDATA%, registered with schtasks /XML and reg import; removed with reg delete', () => {
    const ctx: InstallContext = {
      ...linux,
      platform: 'win32',
      home: 'C:\\Users\\dr',
      env: { LOCALAPPDATA: 'C:\\Users\\dr\\AppData\\Local' },
      nodePath: 'C:\\Program Files\\nodejs\\node.exe',
      binPath: 'C:\\Users\\dr\\ehealth-agent\\bin\\ehagent.js',
    }
    const plan = planInstall(ctx, { version: '1', uid: 0, agentPaths: agentPaths('win32', 'C:\\Users\\dr', { APPDATA: 'C:\\Users\\dr\\AppData\\Roaming', LOCALAPPDATA: 'C:\\Users\\dr\\AppData\\Local' }) })
    const dir = 'C:\\Users\\dr\\AppData\\Local\\ehealth-agent\\installer'
    expect(files(plan.install)).toEqual([
      `${dir}\\ehealth-agent-task.xml`,
      `${dir}\\ehealth-agent-token-handler.reg`,
      `${dir}\\native-messaging-host.bat`,
      `${dir}\\be.ehealth_agent.host.json`,
      `${dir}\\ehealth-agent-native-host.reg`,
    ])
    expect(runs(plan.install)).toEqual([
      `schtasks /Create /TN ehealth-agent /XML ${dir}\\ehealth-agent-task.xml /F`,
      `reg import ${dir}\\ehealth-agent-token-handler.reg`,
      `reg import ${dir}\\ehealth-agent-native-host.reg`,
      'schtasks /Run /TN ehealth-agent',
    ])
    expect(JSON.parse(text(fileStep(plan.install, `${dir}\\be.ehealth_agent.host.json`)!.content))).toMatchObject({
      path: `${dir}\\native-messaging-host.bat`,
      allowed_origins: [`chrome-extension://${EXTENSION_ID}/`],
    })
    expect(text(fileStep(plan.install, `${dir}\\native-messaging-host.bat`)!.content)).toContain(
      '"C:\\Program Files\\nodejs\\node.exe" "C:\\Users\\dr\\ehealth-agent\\dist\\bundle\\native-host.js" %*\r\n',
    )
    expect(plan.install.filter((s) => s.kind === 'run' && s.required).length).toBe(3)
    expect(plan.beforeRemove.map((s) => [s.command, ...s.args].join(' '))).toEqual([
      'schtasks /End /TN ehealth-agent',
      'schtasks /Delete /TN ehealth-agent /F',
      'reg delete HKCU\\Software\\Classes\\.ehtoken /f',
      'reg delete HKCU\\Software\\Classes\\ehealth-agent.ssotoken /f',
      'reg delete HKCU\\Software\\Classes\\MIME\\Database\\Content Type\\application/vnd.ehealth-agent.sso-token+xml /f',
      'reg delete HKCU\\Software\\Google\\Chrome\\NativeMessagingHosts\\be.ehealth_agent.host /f',
      'reg delete HKCU\\Software\\Chromium\\NativeMessagingHosts\\be.ehealth_agent.host /f',
    ])
    expect(plan.remove.map((r) => r.path)).toEqual(files(plan.install))
    // agent/paths.ts joins with the host's separator; on Windows itself this is all backslashes.
    expect(plan.dataLeft[0]!.what).toBe('settings')
    expect(plan.dataLeft[0]!.path).toMatch(/^C:\\Users\\dr\\AppData\\Roaming[\\/]ehealth-agent$/)
  })

  it('refuses an OS it does not know how to install on', () => {
    expect(() => planInstall({ ...linux, platform: 'freebsd' }, { version: '1', uid: 0, agentPaths: agentPaths('linux', '/') })).toThrow(/Linux, macOS and Windows/)
  })
})
