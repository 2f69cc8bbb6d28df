import { describe, expect, it } from 'vitest'
import { findElement, parseXmlWithPython } from '../test/helpers/parse-with-python.js'
import type { InstallContext } from './install-context.js'
import { renderWindowsRegistry } from './render-windows-registry.js'
import { encodeUtf16Le, quoteWindowsArg, renderWindowsTask } from './render-windows-task.js'

const ctx: InstallContext = {
  platform: 'win32',
  home: 'C:\\Users\\dr',
  env: { LOCALAPPDATA: 'C:\\Users\\dr\\AppData\\Local' },
  nodePath: 'C:\\Program Files\\nodejs\\node.exe',
  binPath: 'C:\\Users\\dr\\ehealth-agent\\bin\\ehagent.js',
  windowsUserId: 'PRAKTIJK\\dr',
}

describe('the Windows logon task', () => {
  it('is well-formed UTF-16 XML (xml.etree) in the Task Scheduler 1.2 schema', () => {
    const bytes = encodeUtf16Le(renderWindowsTask(ctx, '0.1.0'))
    expect([...bytes.subarray(0, 2)]).toEqual([0xff, 0xfe])
    const task = parseXmlWithPython(bytes)
    expect(task.tag).toBe('{http://schemas.microsoft.com/windows/2004/02/mit/task}Task')
    expect(task.attrib.version).toBe('1.2')
    const text = (path: string[]) => findElement(task, path)?.text
    expect(text(['Triggers', 'LogonTrigger', 'Enabled'])).toBe('true')
    expect(text(['Triggers', 'LogonTrigger', 'UserId'])).toBe('PRAKTIJK\\dr')
    expect(text(['Principals', 'Principal', 'UserId'])).toBe('PRAKTIJK\\dr')
    expect(text(['Principals', 'Principal', 'LogonType'])).toBe('InteractiveToken')
    expect(text(['Principals', 'Principal', 'RunLevel'])).toBe('LeastPrivilege')
    expect(text(['Settings', 'ExecutionTimeLimit'])).toBe('PT0S')
    expect(text(['Settings', 'MultipleInstancesPolicy'])).toBe('IgnoreNew')
    expect(text(['Settings', 'RestartOnFailure', 'Count'])).toBe('3')
    expect(text(['Actions', 'Exec', 'Command'])).toBe('"C:\\Program Files\\nodejs\\node.exe"')
    expect(text(['Actions', 'Exec', 'Arguments'])).toBe('--v8-pool-size=1 --max-semi-space-size=8 C:\\Users\\dr\\ehealth-agent\\bin\\ehagent.js start')
  })

  it('escapes XML and quotes arguments (a state dir with blanks, & and a quote)', () => {
    const task = parseXmlWithPython(encodeUtf16Le(renderWindowsTask({ ...ctx, stateDir: 'D:\\R&D data\\"x"\\' }, '0.1.0')))
    expect(findElement(task, ['Actions', 'Exec', 'Arguments'])?.text).toBe('--v8-pool-size=1 --max-semi-space-size=8 C:\\Users\\dr\\ehealth-agent\\bin\\ehagent.js start --state-dir "D:\\R&D data\\\\\\"x\\"\\\\"')
  })

  it('quotes for CommandLineToArgvW', () => {
    expect(quoteWindowsArg('plain')).toBe('plain')
    expect(quoteWindowsArg('a b')).toBe('"a b"')
    expect(quoteWindowsArg('C:\\dir\\')).toBe('C:\\dir\\')
    expect(quoteWindowsArg('C:\\my dir\\')).toBe('"C:\\my dir\\\\"')
    expect(quoteWindowsArg('say "hi"')).toBe('"say \\"hi\\""')
  })
})

describe('the Windows .ehtoken registry file', () => {
  it('registers extension, ProgID with its open command, and the MIME type, all under HKCU', () => {
    const reg = renderWindowsRegistry(ctx)
    const lines = reg.split('\r\n')
    expect(lines[0]).toBe('Windows Registry Editor Version 5.00')
    expect(reg).not.toMatch(/HKEY_LOCAL_MACHINE/)
    expect(lines).toEqual(
      expect.arrayContaining([
        '[HKEY_CURRENT_USER\\Software\\Classes\\.ehtoken]',
        '@="ehealth-agent.ssotoken"',
        '"Content Type"="application/vnd.ehealth-agent.sso-token+xml"',
        '[HKEY_CURRENT_USER\\Software\\Classes\\ehealth-agent.ssotoken\\shell\\open\\command]',
        '@="\\"C:\\\\Program Files\\\\nodejs\\\\node.exe\\" C:\\\\Users\\\\dr\\\\ehealth-agent\\\\bin\\\\ehagent.js import-token \\"%1\\""',
        '[HKEY_CURRENT_USER\\Software\\Classes\\MIME\\Database\\Content Type\\application/vnd.ehealth-agent.sso-token+xml]',
        '"Extension"=".ehtoken"',
      ]),
    )
    // Every key line is a bracketed key, every value line name=value: nothing stray for reg import.
    for (const line of lines.slice(1).filter(Boolean)) expect(line).toMatch(/^(\[HKEY_CURRENT_USER\\[^\]]+\]|(@|"[^"]+")="(?:[^"\\]|\\.)*")$/)
  })
})
