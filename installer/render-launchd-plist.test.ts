import { describe, expect, it } from 'vitest'
import { parsePlistWithPython } from '../test/helpers/parse-with-python.js'
import type { InstallContext } from './install-context.js'
import { renderLaunchdPlist } from './render-launchd-plist.js'
import { renderTokenHandlerInfoPlist, renderTokenHandlerScript } from './render-mac-token-handler.js'

const ctx: InstallContext = {
  platform: 'darwin',
  home: '/Users/dr',
  env: {},
  nodePath: '/opt/homebrew/bin/node',
  binPath: '/Users/dr/ehealth-agent/bin/ehagent.js',
}

describe('the macOS launchd agent', () => {
  it('is a well-formed property list (plistlib) with the keys launchd needs', () => {
    const plist = parsePlistWithPython(renderLaunchdPlist(ctx, '/Users/dr/Library/Logs/ehealth-agent.log'))
    expect(plist).toEqual({
      Label: 'be.ehealth-agent',
      ProgramArguments: ['/opt/homebrew/bin/node', '--v8-pool-size=1', '--max-semi-space-size=8', '/Users/dr/ehealth-agent/bin/ehagent.js', 'start'],
      RunAtLoad: true,
      KeepAlive: { SuccessfulExit: false },
      ThrottleInterval: 10,
      LimitLoadToSessionType: 'Aqua',
      ProcessType: 'Interactive',
      Umask: 63,
      StandardOutPath: '/Users/dr/Library/Logs/ehealth-agent.log',
      StandardErrorPath: '/Users/dr/Library/Logs/ehealth-agent.log',
    })
  })

  it('keeps awkward paths exact (XML escaping)', () => {
    const plist = parsePlistWithPython(renderLaunchdPlist({ ...ctx, stateDir: '/Users/dr/R&D <test> "x"' }, '/tmp/log'))
    expect(plist.ProgramArguments).toEqual([ctx.nodePath, '--v8-pool-size=1', '--max-semi-space-size=8', ctx.binPath, 'start', '--state-dir', '/Users/dr/R&D <test> "x"'])
  })
})

describe('the macOS .ehtoken handler applet', () => {
  it('Info.plist declares the document type and exports the UTI with extension and MIME type', () => {
    const info = parsePlistWithPython(renderTokenHandlerInfoPlist('1.2.3'))
    expect(info).toMatchObject({ CFBundleExecutable: 'applet', CFBundleSignature: 'aplt', CFBundlePackageType: 'APPL', CFBundleIdentifier: 'be.ehealth-agent.import-token', CFBundleShortVersionString: '1.2.3' })
    expect(info.CFBundleDocumentTypes).toEqual([
      { CFBundleTypeName: 'eHealth session token', CFBundleTypeRole: 'Viewer', LSHandlerRank: 'Owner', LSItemContentTypes: ['be.ehealth-agent.sso-token'] },
    ])
    expect(info.UTExportedTypeDeclarations).toEqual([
      {
        UTTypeIdentifier: 'be.ehealth-agent.sso-token',
        UTTypeDescription: 'eHealth session token',
        UTTypeConformsTo: ['public.xml', 'public.data'],
        UTTypeTagSpecification: { 'public.filename-extension': ['ehtoken'], 'public.mime-type': ['application/vnd.ehealth-agent.sso-token+xml'] },
      },
    ])
  })

  it('the AppleScript runs import-token on every opened file, each word shell-quoted', () => {
    const script = renderTokenHandlerScript({ ...ctx, stateDir: '/Users/dr/a "b"' })
    expect(script).toContain('on open theFiles')
    expect(script).toContain(
      'do shell script quoted form of "/opt/homebrew/bin/node" & " " & quoted form of "/Users/dr/ehealth-agent/bin/ehagent.js" & " " & quoted form of "import-token" & " " & quoted form of "--state-dir" & " " & quoted form of "/Users/dr/a \\"b\\"" & " " & quoted form of POSIX path of theFile',
    )
  })
})
