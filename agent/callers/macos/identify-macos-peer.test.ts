import { describe, expect, it } from 'vitest'
import { createMacosPeerIdentifier } from './identify-macos-peer.js'
import { findTcpClient, parseLsofFields } from './parse-lsof.js'

// lsof's field output is lsof's own format, the same on every platform it runs on (lsof(8),
// "OUTPUT FOR OTHER PROGRAMS"). Recorded with lsof 4.95 (`-nP -iTCP@127.0.0.1:52766
// -sTCP:ESTABLISHED -F pcuLfn`) while a Python client at 127.0.0.1:52766 was connected to a
// server on port 38649: the server holds the reverse name, the client the one that starts with
// its own address. The macOS uid 501 and login name are the only values changed.
const CONNECTION = `p20376
cnode
u501
Ljan
f20
n127.0.0.1:38649->127.0.0.1:52766
p20391
cpython3
u501
Ljan
f3
n127.0.0.1:52766->127.0.0.1:38649
`
// `lsof -nP -p 20391 -a -d txt -F pfn`, the same run; on macOS the first txt is the program image
// (then dyld and the shared cache, which are not the program).
const TEXT = `p20391
ftxt
n/Library/Frameworks/Python.framework/Versions/3.11/bin/python3.11
ftxt
n/usr/lib/dyld
`
const ARGS = '/Library/Frameworks/Python.framework/Versions/3.11/bin/python3.11 sign_envelope.py --token abc\n'

describe('lsof field output', () => {
  it('reads process sets and their files', () => {
    const processes = parseLsofFields(CONNECTION)
    expect(processes).toEqual([
      { pid: 20376, command: 'node', uid: 501, login: 'jan', files: [{ fd: '20', name: '127.0.0.1:38649->127.0.0.1:52766' }] },
      { pid: 20391, command: 'python3', uid: 501, login: 'jan', files: [{ fd: '3', name: '127.0.0.1:52766->127.0.0.1:38649' }] },
    ])
  })

  it("picks the caller's end of the connection, never the agent's", () => {
    const processes = parseLsofFields(CONNECTION)
    expect(findTcpClient(processes, { address: '127.0.0.1', port: 52766 }, 38649)?.pid).toBe(20391)
    expect(findTcpClient(processes, { address: '::ffff:127.0.0.1', port: 52766 }, 38649)?.pid).toBe(20391)
    expect(findTcpClient(processes, { address: '127.0.0.1', port: 52766 }, 4752)).toBeUndefined()
    const v6 = parseLsofFields('p7\ncapp\nu501\nLjan\nf9\n[::1]:50124->[::1]:4752\nf10\nn[::1]:50124->[::1]:4752\n')
    expect(findTcpClient(v6, { address: '::1', port: 50124 }, 4752)?.pid).toBe(7)
  })

  it('skips what it does not know and a set without a valid pid', () => {
    expect(parseLsofFields('pabc\ncx\nf1\nnfoo\np5\nPTCP\nf4\nnbar\n')).toEqual([{ pid: 5, files: [{ fd: '4', name: 'bar' }] }])
  })
})

describe('the macOS identifier on recorded tool output', () => {
  it('asks lsof for the connection and the image, ps for the arguments', async () => {
    const ran: string[][] = []
    const identifier = createMacosPeerIdentifier({
      runTool: async (file, args) => {
        ran.push([file, ...args])
        if (file === 'ps') return ARGS
        return args.includes('txt') ? TEXT : CONNECTION
      },
    })
    const facts = await identifier.identify({ kind: 'tcp', address: '127.0.0.1', port: 52766, localPort: 38649, socket: {} })
    expect(facts).toEqual({
      uid: 501,
      program: {
        pid: 20391,
        executable: '/Library/Frameworks/Python.framework/Versions/3.11/bin/python3.11',
        name: 'python3.11',
        commandLine: 'python3.11 sign_envelope.py',
        user: 'jan',
        uid: 501,
      },
    })
    expect(ran[0]).toEqual(['lsof', '-nP', '-iTCP@127.0.0.1:52766', '-sTCP:ESTABLISHED', '-F', 'pcuLfn'])
    expect(ran[1]).toEqual(['lsof', '-nP', '-p', '20391', '-a', '-d', 'txt', '-F', 'pfn'])
  })

  it('knows nothing when lsof fails or finds no client, and nothing for the Unix socket', async () => {
    const failing = createMacosPeerIdentifier({ runTool: async () => Promise.reject(new Error('lsof: not found')) })
    await expect(failing.identify({ kind: 'tcp', address: '127.0.0.1', port: 1, localPort: 2, socket: {} })).resolves.toEqual({})
    const empty = createMacosPeerIdentifier({ runTool: async () => '' })
    await expect(empty.identify({ kind: 'tcp', address: '127.0.0.1', port: 52766, localPort: 38649, socket: {} })).resolves.toEqual({})
    await expect(empty.identify({ kind: 'unix', socket: {} })).resolves.toEqual({})
  })
})
