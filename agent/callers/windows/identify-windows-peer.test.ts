import { describe, expect, it } from 'vitest'
import { createWindowsPeerIdentifier, win32ProcessScript } from './identify-windows-peer.js'
import { findTcpClientPid, parseNetstatAno } from './parse-netstat.js'
import { parseWin32Process } from './parse-win32-process.js'

// The layout of `netstat -ano` as Microsoft's netstat reference shows it (Windows 10/11: a
// blank line, "Active Connections", the column headers, then one line per socket; UDP lines
// have no state), with the agent on 4752 and two callers: curl (8812) over IPv4 and Python
// (9140) over IPv6.
const NETSTAT = `
Active Connections

  Proto  Local Address          Foreign Address        State           PID
  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       1052
  TCP    127.0.0.1:4752         0.0.0.0:0              LISTENING       4321
  TCP    127.0.0.1:4752         127.0.0.1:50123        ESTABLISHED     4321
  TCP    127.0.0.1:50123        127.0.0.1:4752         ESTABLISHED     8812
  TCP    [::1]:4752             [::1]:50124            ESTABLISHED     4321
  TCP    [::1]:50124            [::1]:4752             ESTABLISHED     9140
  TCP    [fe80::1c2d:3e4f:5a6b:7c8d%12]:49670  [fe80::1%12]:445  ESTABLISHED  4
  UDP    0.0.0.0:500            *:*                                    3620
`
// The same on a German Windows: headers and states are translated, addresses and pids are not.
const NETSTAT_DE = `\r\nAktive Verbindungen\r\n\r\n  Proto  Lokale Adresse         Remoteadresse          Status           PID\r\n  TCP    127.0.0.1:50123        127.0.0.1:4752         HERGESTELLT     8812\r\n`

// What the script of win32ProcessScript prints: ConvertTo-Json -Compress of a pscustomobject
// with Win32_Process's ProcessId, ExecutablePath and CommandLine and GetOwner's User and Domain.
const CURL_JSON = '{"ProcessId":8812,"ExecutablePath":"C:\\\\Windows\\\\System32\\\\curl.exe","CommandLine":"curl.exe -s -H \\"Authorization: Bearer abc\\" http://127.0.0.1:4752/rpc","User":"jan","Domain":"PRAKTIJK"}\r\n'
const PYTHON_JSON = '{"ProcessId":9140,"ExecutablePath":"C:\\\\Program Files\\\\Python311\\\\python.exe","CommandLine":"\\"C:\\\\Program Files\\\\Python311\\\\python.exe\\" sign_envelope.py","User":"jan","Domain":"PRAKTIJK"}'

describe('netstat -ano', () => {
  it('reads the TCP lines, IPv4 and IPv6, whatever the language of the headers and states', () => {
    const entries = parseNetstatAno(NETSTAT)
    expect(entries).toHaveLength(7)
    expect(entries[3]).toEqual({ local: { address: '127.0.0.1', port: 50123 }, remote: { address: '127.0.0.1', port: 4752 }, pid: 8812 })
    expect(entries[5]).toEqual({ local: { address: '::1', port: 50124 }, remote: { address: '::1', port: 4752 }, pid: 9140 })
    expect(parseNetstatAno(NETSTAT_DE)).toEqual([{ local: { address: '127.0.0.1', port: 50123 }, remote: { address: '127.0.0.1', port: 4752 }, pid: 8812 }])
  })

  it("finds the caller's end, never the agent's", () => {
    const entries = parseNetstatAno(NETSTAT)
    expect(findTcpClientPid(entries, { address: '127.0.0.1', port: 50123 }, 4752)).toBe(8812)
    expect(findTcpClientPid(entries, { address: '::ffff:127.0.0.1', port: 50123 }, 4752)).toBe(8812)
    expect(findTcpClientPid(entries, { address: '::1', port: 50124 }, 4752)).toBe(9140)
    expect(findTcpClientPid(entries, { address: '127.0.0.1', port: 50123 }, 4753)).toBeUndefined()
    expect(findTcpClientPid(entries, { address: '127.0.0.2', port: 50123 }, 4752)).toBeUndefined()
  })
})

describe('Win32_Process as JSON', () => {
  it('gives the executable, a command line without the credential, and DOMAIN\\user', () => {
    expect(parseWin32Process(CURL_JSON, 8812)).toEqual({ pid: 8812, executable: 'C:\\Windows\\System32\\curl.exe', name: 'curl.exe', commandLine: 'curl.exe', user: 'PRAKTIJK\\jan' })
    expect(parseWin32Process(PYTHON_JSON, 9140)).toMatchObject({ executable: 'C:\\Program Files\\Python311\\python.exe', name: 'python.exe', commandLine: 'python.exe sign_envelope.py' })
  })

  it('refuses another pid, a relative or missing path, and what is not JSON', () => {
    expect(parseWin32Process(CURL_JSON, 1)).toBeUndefined()
    expect(parseWin32Process('{"ProcessId":5,"ExecutablePath":null,"CommandLine":null,"User":null,"Domain":null}', 5)).toBeUndefined()
    expect(parseWin32Process('{"ProcessId":5,"ExecutablePath":"curl.exe"}', 5)).toBeUndefined()
    expect(parseWin32Process('Get-CimInstance : Access denied', 5)).toBeUndefined()
    expect(parseWin32Process(`[${CURL_JSON.trim()}]`, 8812)?.name).toBe('curl.exe')
  })

  it('puts only an integer pid in the script', () => {
    expect(win32ProcessScript(8812)).toContain("'ProcessId = 8812'")
    expect(() => win32ProcessScript(Number.NaN)).toThrow(RangeError)
  })
})

describe('the Windows identifier on recorded tool output', () => {
  it('asks netstat for the pid, PowerShell for the process', async () => {
    const ran: string[] = []
    const identifier = createWindowsPeerIdentifier({
      runTool: async (file, args) => {
        ran.push(file)
        if (file === 'netstat') return NETSTAT
        expect(args.at(-1)).toContain("'ProcessId = 9140'")
        return PYTHON_JSON
      },
    })
    const facts = await identifier.identify({ kind: 'tcp', address: '::1', port: 50124, localPort: 4752, socket: {} })
    expect(facts.program).toMatchObject({ pid: 9140, name: 'python.exe', user: 'PRAKTIJK\\jan' })
    expect(ran).toEqual(['netstat', 'powershell.exe'])
  })

  it('knows nothing when netstat lists no such connection or a tool fails', async () => {
    const none = createWindowsPeerIdentifier({ runTool: async () => NETSTAT })
    await expect(none.identify({ kind: 'tcp', address: '127.0.0.1', port: 1, localPort: 4752, socket: {} })).resolves.toEqual({})
    const failing = createWindowsPeerIdentifier({ runTool: async () => Promise.reject(new Error('ENOENT')) })
    await expect(failing.identify({ kind: 'tcp', address: '127.0.0.1', port: 50123, localPort: 4752, socket: {} })).resolves.toEqual({})
  })
})
