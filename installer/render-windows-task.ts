import { escapeXml } from './escape-xml.js'
import { buildDaemonCommand, type InstallContext } from './install-context.js'

/**
 * The Task Scheduler definition (Task Scheduler schema 1.2, what `schtasks /Create /XML` takes)
 * that starts the agent when this user logs on, in the user's interactive session (the tray and
 * prompts need the desktop), with the user's own rights (LeastPrivilege), no time limit, and
 * three restarts a minute apart after a crash. Registered by `ehagent install` for the current
 * user only, so no administrator is needed.
 */
export function renderWindowsTask(ctx: InstallContext, version: string): string {
  const [command, ...args] = buildDaemonCommand(ctx)
  const user = ctx.windowsUserId ? escapeXml(ctx.windowsUserId) : undefined
  return [
    '<?xml version="1.0" encoding="UTF-16"?>',
    '<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">',
    '  <RegistrationInfo>',
    '    <Description>ehealth-agent: eHealth session and SOAP signing for local software. Installed by ehagent install.</Description>',
    `    <Version>${escapeXml(version)}</Version>`,
    '    <URI>\\ehealth-agent</URI>',
    '  </RegistrationInfo>',
    '  <Triggers>',
    '    <LogonTrigger>',
    '      <Enabled>true</Enabled>',
    ...(user ? [`      <UserId>${user}</UserId>`] : []),
    '    </LogonTrigger>',
    '  </Triggers>',
    '  <Principals>',
    '    <Principal id="Author">',
    ...(user ? [`      <UserId>${user}</UserId>`] : []),
    '      <LogonType>InteractiveToken</LogonType>',
    '      <RunLevel>LeastPrivilege</RunLevel>',
    '    </Principal>',
    '  </Principals>',
    '  <Settings>',
    '    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>',
    '    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>',
    '    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>',
    '    <AllowHardTerminate>true</AllowHardTerminate>',
    '    <StartWhenAvailable>true</StartWhenAvailable>',
    '    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>',
    '    <IdleSettings>',
    '      <StopOnIdleEnd>false</StopOnIdleEnd>',
    '      <RestartOnIdle>false</RestartOnIdle>',
    '    </IdleSettings>',
    '    <AllowStartOnDemand>true</AllowStartOnDemand>',
    '    <Enabled>true</Enabled>',
    '    <Hidden>false</Hidden>',
    '    <RunOnlyIfIdle>false</RunOnlyIfIdle>',
    '    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>',
    '    <Priority>7</Priority>',
    '    <RestartOnFailure>',
    '      <Interval>PT1M</Interval>',
    '      <Count>3</Count>',
    '    </RestartOnFailure>',
    '  </Settings>',
    '  <Actions Context="Author">',
    '    <Exec>',
    `      <Command>${escapeXml(quoteWindowsArg(command!))}</Command>`,
    `      <Arguments>${escapeXml(args.map(quoteWindowsArg).join(' '))}</Arguments>`,
    '    </Exec>',
    '  </Actions>',
    '</Task>',
    '',
  ].join('\r\n')
}

/**
 * One argument for a Windows command line as the C runtime splits it (CommandLineToArgvW):
 * quoted when it holds a blank or a quote; backslashes before a quote doubled.
 */
export function quoteWindowsArg(arg: string): string {
  if (arg !== '' && !/[\s"]/.test(arg)) return arg
  return `"${arg.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, '$1$1')}"`
}

/** The bytes schtasks reads: UTF-16LE with a byte-order mark, as Task Scheduler exports them. */
export function encodeUtf16Le(text: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
}
