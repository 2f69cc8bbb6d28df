import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { findAllSocketHolders, holdersOf } from './find-socket-holders.js'
import { createLinuxPeerIdentifier, socketFd } from './identify-linux-peer.js'
import { findUnixPeerInode, parseSsUnix } from './parse-ss-unix.js'
import { readDescriptorLinks, systemProcFs, type ProcFs } from './proc-fs.js'
import { parsePasswd, readLinuxProcess, readUid } from './read-linux-process.js'

// Recorded on Linux x86_64 (Debian 12, kernel 6.x): curl 7.88 (pid 18766, uid 1000 here; it ran
// as root when recorded, the uid is the only field changed) posting to a node:net server on
// 127.0.0.1:36751 (0x8F8F) from port 49614 (0xC1CE): entry 30 is curl's end, inode 752757.
const PROC_NET_TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:8F8F 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 752750 1 000000006367ad42 100 0 0 10 0
  17: 0100007F:8F8F 0100007F:C1CE 01 00000000:00000000 00:00000000 00000000  1000        0 752758 1 00000000fc6f881b 20 4 30 10 -1
  30: 0100007F:C1CE 0100007F:8F8F 01 00000000:00000000 02:0000174E 00000000  1000        0 752757 2 000000005c24a19b 20 0 0 11 -1
`
const CURL_STATUS = 'Name:\tcurl\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t18766\nNgid:\t0\nPid:\t18766\nPPid:\t18736\nTracerPid:\t0\nUid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\n'

// Recorded with `ss -xnH` (iproute2 6.1) while a Python client was connected to a Unix socket
// at /tmp/t16a.sock: the server's accepted end is inode 731115, its peer (the client) 731114.
const SS_XNH = `u_str ESTAB 0      0                   * 730212            * 730213
u_str ESTAB 0      0      /tmp/t16a.sock 731115            * 731114
u_str ESTAB 0      4352                * 731368            * 731369
u_str ESTAB 0      0      /run/user/1000/ehealth agent/agent.sock 731200 * 731199
u_str ESTAB 0      0                   * 731114            * 731115
u_dgr ESTAB 0      0      @/org/freedesktop/systemd1/notify 22 * 0
`

/** A /proc made of recorded entries: directories, links and files by path. */
function fakeProc(entries: {
  dirs?: Record<string, string[]>
  links?: Record<string, string>
  files?: Record<string, string>
  owners?: Record<string, number>
  /** Links the kernel refuses to show (EACCES). */
  denied?: string[]
}): ProcFs & { reads: number } {
  const errno = (code: string, path: string) => Object.assign(new Error(`${code}: ${path}`), { code })
  const fs = {
    reads: 0,
    // Every process is the test user's (1000) unless recorded otherwise.
    ownerUid: (path: string) => entries.owners?.[path] ?? 1000,
    listDir: (path: string) => (fs.reads++, entries.dirs?.[path]),
    readLink: (path: string) => (fs.reads++, entries.links?.[path]),
    // The system's own loop over recorded entries: a missing one is gone (ENOENT), a denied one EACCES.
    descriptorLinks: (pid: string) =>
      readDescriptorLinks(
        pid,
        (path) => fs.listDir(path) ?? (() => { throw errno('ENOENT', path) })(),
        (path) => {
          fs.reads++
          if (entries.denied?.includes(path)) throw errno('EACCES', path)
          return entries.links?.[path] ?? (() => { throw errno('ENOENT', path) })()
        },
      ),
    readFile: (path: string) => (fs.reads++, entries.files?.[path]),
  }
  return fs
}

const CURL = {
  dirs: { '/proc/18766/fd': ['0', '1', '2', '251', '3', '4', '5'] },
  links: {
    '/proc/18766/fd/0': '/dev/null',
    '/proc/18766/fd/1': '/dev/null',
    '/proc/18766/fd/2': '/dev/null',
    '/proc/18766/fd/251': 'pipe:[752707]',
    '/proc/18766/fd/3': 'socket:[752755]',
    '/proc/18766/fd/4': 'socket:[752756]',
    '/proc/18766/fd/5': 'socket:[752757]',
    '/proc/18766/exe': '/usr/bin/curl',
  },
  files: {
    '/proc/18766/cmdline': 'curl\0-s\0-H\0Authorization: Bearer x\0-d\0{}\0http://127.0.0.1:36751/rpc\0',
    '/proc/18766/status': CURL_STATUS,
  },
}

const PYTHON = {
  dirs: { '/proc/20001/fd': ['0', '3'] },
  links: { '/proc/20001/fd/0': '/dev/pts/0', '/proc/20001/fd/3': 'socket:[731114]', '/proc/20001/exe': '/usr/bin/python3.11' },
  files: { '/proc/20001/cmdline': '/usr/bin/python3\0sign_envelope.py\0', '/proc/20001/status': 'Name:\tpython3\nUid:\t1000\t1000\t1000\t1000\n' },
}

function merge(...parts: { dirs?: Record<string, string[]>; links?: Record<string, string>; files?: Record<string, string>; owners?: Record<string, number>; denied?: string[] }[]) {
  const pids = parts.flatMap((p) => Object.keys(p.dirs ?? {}).map((d) => d.split('/')[2]!))
  return {
    dirs: Object.assign({ '/proc': [...new Set(['1', 'self', 'net', ...pids, 'sys'])] }, ...parts.map((p) => p.dirs)),
    denied: parts.flatMap((p) => p.denied ?? []),
    links: Object.assign({}, ...parts.map((p) => p.links)),
    files: Object.assign({}, ...parts.map((p) => p.files)),
    owners: Object.assign({}, ...parts.map((p) => p.owners)),
  }
}

const names = (uid: number) => (uid === 1000 ? 'jan' : undefined)
// No event-loop turns, and no kernel lookup: the recorded tables are the only source.
const offline = { yieldTurn: async () => undefined, now: () => 0, sockDiag: null, unixPeer: null }

/** curl's socket (inode 752757) also held by a root process, sshd: not its owner's, never counted. */
const ROOT_HOLDER = {
  dirs: { '/proc/900/fd': ['5'] },
  links: { '/proc/900/fd/5': 'socket:[752757]', '/proc/900/exe': '/usr/sbin/sshd' },
  owners: { '/proc/900': 0 },
}

describe('the program behind a TCP connection, from recorded /proc contents', () => {
  it('finds curl: /proc/net/tcp gives the inode, the fd links the pid, /proc/<pid> the rest', async () => {
    const identifier = createLinuxPeerIdentifier({
      procFs: fakeProc(merge(CURL, PYTHON)),
      readProcText: async (path) => (path === '/proc/net/tcp' ? PROC_NET_TCP : Promise.reject(new Error('ENOENT'))),
      userName: names,
      ...offline,
    })
    const facts = await identifier.identify({ kind: 'tcp', address: '127.0.0.1', port: 49614, localPort: 36751, socket: {} })
    // The summary keeps the program and drops the header with the credential, and the URL.
    expect(facts).toEqual({ uid: 1000, program: { pid: 18766, executable: '/usr/bin/curl', name: 'curl', commandLine: 'curl', uid: 1000, user: 'jan' } })
  })

  it("asks the kernel first, and no more once the tables have listed three sockets it did not find (no tcp_diag)", async () => {
    const tableReads: string[] = []
    let kernelAsked = 0
    const identifier = createLinuxPeerIdentifier({
      procFs: fakeProc(merge(CURL)),
      readProcText: async (path) => (tableReads.push(path), path === '/proc/net/tcp' ? PROC_NET_TCP : Promise.reject(new Error('ENOENT'))),
      userName: names,
      ...offline,
      sockDiag: () => void kernelAsked++,
    })
    const curl = { kind: 'tcp', address: '127.0.0.1', port: 49614, localAddress: '127.0.0.1', localPort: 36751, socket: {} } as const
    for (let i = 0; i < 5; i++) expect((await identifier.identify(curl)).program?.name).toBe('curl')
    expect(kernelAsked).toBe(3)
    expect(tableReads).toHaveLength(5)
  })

  it('answers from the kernel without reading a table when it finds the socket', async () => {
    const tableReads: string[] = []
    const identifier = createLinuxPeerIdentifier({
      procFs: fakeProc(merge(CURL)),
      readProcText: async (path) => (tableReads.push(path), PROC_NET_TCP),
      userName: names,
      ...offline,
      sockDiag: (local, remote) => ({ local, remote, state: 1, uid: 1000, inode: 752757 }),
    })
    const facts = await identifier.identify({ kind: 'tcp', address: '127.0.0.1', port: 49614, localAddress: '127.0.0.1', localPort: 36751, socket: {} })
    expect(facts).toMatchObject({ uid: 1000, program: { pid: 18766, name: 'curl' } })
    expect(tableReads).toEqual([])
  })

  it('answers a burst of connections accepted together from one read of /proc/net/tcp and one pass over /proc', async () => {
    // A second client, wget on port 49700 (0xC224), inode 752800, next to curl.
    const table = PROC_NET_TCP + '  31: 0100007F:C224 0100007F:8F8F 01 00000000:00000000 02:0000174E 00000000  1000        0 752800 2 000000005c24a19c 20 0 0 11 -1\n'
    const wget = {
      dirs: { '/proc/20002/fd': ['0', '4'] },
      links: { '/proc/20002/fd/0': '/dev/null', '/proc/20002/fd/4': 'socket:[752800]', '/proc/20002/exe': '/usr/bin/wget' },
      files: { '/proc/20002/cmdline': 'wget\0-q\0http://127.0.0.1:36751/health\0', '/proc/20002/status': 'Uid:\t1000\t1000\t1000\t1000\n' },
    }
    const procFs = fakeProc(merge(CURL, PYTHON, wget))
    const listDir = procFs.listDir
    let passes = 0
    procFs.listDir = (path) => ((passes += path === '/proc' ? 1 : 0), listDir(path))
    const tableReads: string[] = []
    const identifier = createLinuxPeerIdentifier({ procFs, readProcText: async (path) => (tableReads.push(path), path === '/proc/net/tcp' ? table : Promise.reject(new Error('ENOENT'))), userName: names, ...offline })
    const tcp = (port: number) => ({ kind: 'tcp' as const, address: '127.0.0.1', port, localPort: 36751, localAddress: '127.0.0.1', socket: {} })
    const [curl, wgetFacts] = await Promise.all([identifier.identify(tcp(49614)), identifier.identify(tcp(49700))])
    expect(curl.program?.executable).toBe('/usr/bin/curl')
    expect(wgetFacts.program).toMatchObject({ pid: 20002, executable: '/usr/bin/wget' })
    expect(tableReads).toEqual(['/proc/net/tcp'])
    expect(passes).toBe(1)
    // A connection asked after that round ended gets a round of its own (a read made after it was accepted).
    await identifier.identify(tcp(49614))
    expect(tableReads).toEqual(['/proc/net/tcp', '/proc/net/tcp'])
    expect(passes).toBe(2)
  })

  it('knows the uid but not the program when no process of ours holds the socket', async () => {
    const identifier = createLinuxPeerIdentifier({ procFs: fakeProc(merge(PYTHON)), readProcText: async () => PROC_NET_TCP, userName: names, ...offline })
    await expect(identifier.identify({ kind: 'tcp', address: '127.0.0.1', port: 49614, localPort: 36751, socket: {} })).resolves.toEqual({ uid: 1000 })
  })

  it('knows nothing for a connection /proc/net/tcp does not list', async () => {
    const identifier = createLinuxPeerIdentifier({ procFs: fakeProc(merge(CURL)), readProcText: async () => PROC_NET_TCP, userName: names, ...offline })
    await expect(identifier.identify({ kind: 'tcp', address: '127.0.0.1', port: 40000, localPort: 36751, socket: {} })).resolves.toEqual({})
  })

  it('refuses to choose between two different programs holding one socket (a socket handed to a child)', async () => {
    const child = {
      dirs: { '/proc/18800/fd': ['5'] },
      links: { '/proc/18800/fd/5': 'socket:[752757]', '/proc/18800/exe': '/usr/bin/python3.11' },
      files: { '/proc/18800/cmdline': 'python3\0-c\0pass\0', '/proc/18800/status': 'Uid:\t1000\t1000\t1000\t1000\n' },
    }
    const identifier = createLinuxPeerIdentifier({ procFs: fakeProc(merge(CURL, child)), readProcText: async () => PROC_NET_TCP, userName: names, ...offline })
    await expect(identifier.identify({ kind: 'tcp', address: '127.0.0.1', port: 49614, localPort: 36751, socket: {} })).resolves.toEqual({ uid: 1000 })
  })

  it("counts only the socket owner's processes as its holders", async () => {
    // The same socket held by a root process too (as it would be listed if recorded as root):
    // not counted, since /proc/net/tcp says the socket is uid 1000's.
    const procFs = fakeProc(merge(CURL, ROOT_HOLDER))
    const identifier = createLinuxPeerIdentifier({ procFs, readProcText: async () => PROC_NET_TCP, userName: names, ...offline })
    const facts = await identifier.identify({ kind: 'tcp', address: '127.0.0.1', port: 49614, localPort: 36751, socket: {} })
    expect(facts.program?.executable).toBe('/usr/bin/curl')
  })

  it('with our end known, passes over /proc while /proc/net/tcp is read, and keeps only the holders of the socket owner', async () => {
    const procFs = fakeProc(merge(CURL, ROOT_HOLDER))
    let release: (text: string) => void = () => undefined
    const table = new Promise<string>((resolve) => (release = resolve))
    const identifier = createLinuxPeerIdentifier({ procFs, readProcText: (path) => (path === '/proc/net/tcp' ? table : Promise.reject(new Error('ENOENT'))), userName: names, ...offline })
    const facts = identifier.identify({ kind: 'tcp', address: '127.0.0.1', port: 49614, localPort: 36751, localAddress: '127.0.0.1', socket: {} })
    await new Promise<void>((r) => setImmediate(r))
    // The pass over /proc ran before the table came back.
    expect(procFs.reads).toBeGreaterThan(3)
    release(PROC_NET_TCP)
    await expect(facts).resolves.toMatchObject({ uid: 1000, program: { pid: 18766, executable: '/usr/bin/curl' } })
  })

  it('takes the first of several processes of the same executable (a forked worker)', async () => {
    const fork = {
      dirs: { '/proc/18801/fd': ['5'] },
      links: { '/proc/18801/fd/5': 'socket:[752757]', '/proc/18801/exe': '/usr/bin/curl' },
      files: { '/proc/18801/cmdline': 'curl\0', '/proc/18801/status': 'Uid:\t1000\t1000\t1000\t1000\n' },
    }
    const identifier = createLinuxPeerIdentifier({ procFs: fakeProc(merge(fork, CURL)), readProcText: async () => PROC_NET_TCP, userName: names, ...offline })
    const facts = await identifier.identify({ kind: 'tcp', address: '127.0.0.1', port: 49614, localPort: 36751, socket: {} })
    expect(facts.program?.pid).toBe(18766)
  })
})

describe('the program behind a Unix-socket connection: our inode, ss for the peer, /proc for its holder', () => {
  it('finds the Python client from our descriptor, the recorded ss listing and /proc', async () => {
    const ran: string[][] = []
    const procFs = fakeProc(merge(PYTHON, { links: { '/proc/self/fd/23': 'socket:[731115]' } }))
    const identifier = createLinuxPeerIdentifier({
      procFs,
      runTool: async (file, args) => (ran.push([file, ...args]), SS_XNH),
      userName: names,
      ...offline,
    })
    const facts = await identifier.identify({ kind: 'unix', socket: { _handle: { fd: 23 } } })
    expect(ran).toEqual([['ss', '-xnH']])
    expect(facts).toEqual({ uid: 1000, program: { pid: 20001, executable: '/usr/bin/python3.11', name: 'python3.11', commandLine: 'python3 sign_envelope.py', uid: 1000, user: 'jan' } })
  })

  it("asks the kernel for the peer first (sock_diag), and runs ss only when the kernel gives no answer", async () => {
    const procFs = fakeProc(merge(PYTHON, { links: { '/proc/self/fd/23': 'socket:[731115]' } }))
    const ran: string[][] = []
    const asked: number[] = []
    const runTool = async (file: string, args: readonly string[]) => (ran.push([file, ...args]), SS_XNH)
    const kernel = (answer: number | undefined) =>
      createLinuxPeerIdentifier({ procFs, runTool, userName: names, ...offline, unixPeer: (inode) => (asked.push(inode), answer) })
    const socket = { _handle: { fd: 23 } }
    const byKernel = await kernel(731114).identify({ kind: 'unix', socket })
    expect(asked).toEqual([731115])
    expect(ran).toEqual([])
    expect(byKernel.program).toMatchObject({ pid: 20001, executable: '/usr/bin/python3.11' })
    // No peer, as the kernel says: nothing to find, and no ss either.
    await expect(kernel(0).identify({ kind: 'unix', socket })).resolves.toEqual({})
    expect(ran).toEqual([])
    // No answer from the kernel: ss, with the same result.
    await expect(kernel(undefined).identify({ kind: 'unix', socket })).resolves.toEqual(byKernel)
    expect(ran).toEqual([['ss', '-xnH']])
  })

  it('knows nothing without a descriptor, without ss, or when ss does not list our socket', async () => {
    const procFs = fakeProc(merge(PYTHON, { links: { '/proc/self/fd/23': 'socket:[999]' } }))
    const withSs = createLinuxPeerIdentifier({ procFs, runTool: async () => SS_XNH, userName: names, ...offline })
    await expect(withSs.identify({ kind: 'unix', socket: {} })).resolves.toEqual({})
    await expect(withSs.identify({ kind: 'unix', socket: { _handle: { fd: 23 } } })).resolves.toEqual({})
    const noSs = createLinuxPeerIdentifier({ procFs, runTool: async () => Promise.reject(new Error('spawn ss ENOENT')), userName: names, ...offline })
    await expect(noSs.identify({ kind: 'unix', socket: { _handle: { fd: 23 } } })).resolves.toEqual({})
  })
})

describe('parseSsUnix', () => {
  it('reads each connected socket with its own and its peer inode, paths with spaces included', () => {
    const entries = parseSsUnix(SS_XNH)
    expect(entries).toHaveLength(6)
    expect(entries[1]).toEqual({ netid: 'u_str', state: 'ESTAB', localAddress: '/tmp/t16a.sock', localInode: 731115, peerAddress: '*', peerInode: 731114 })
    expect(entries[3]).toMatchObject({ localAddress: '/run/user/1000/ehealth agent/agent.sock', localInode: 731200, peerInode: 731199 })
    expect(findUnixPeerInode(SS_XNH, 731115)).toBe(731114)
    expect(findUnixPeerInode(SS_XNH, 731200)).toBe(731199)
    // The datagram socket has no peer (0): not an answer.
    expect(findUnixPeerInode(SS_XNH, 22)).toBeUndefined()
    expect(findUnixPeerInode('Netid State\ngarbage\n', 731115)).toBeUndefined()
  })
})

describe('findAllSocketHolders and holdersOf', () => {
  it('reads every process, and gives the event loop a turn between slices', async () => {
    let clock = 0
    let turns = 0
    const procFs = fakeProc(merge(CURL, PYTHON))
    const all = await findAllSocketHolders({ procFs, yieldTurn: async () => void turns++, now: () => (clock += 1), sliceMs: 2 })
    expect(holdersOf(all, 752757)).toEqual([18766])
    expect(holdersOf(all, 731114)).toEqual([20001])
    expect(turns).toBeGreaterThan(0)
    expect(holdersOf(all, 1)).toEqual([])
  })

  it("keeps only the socket owner's processes when the owner is known", async () => {
    // curl's socket (uid 1000) also held by a root process.
    const rootHolder = { dirs: { '/proc/900/fd': ['5'] }, links: { '/proc/900/fd/5': 'socket:[752757]' }, owners: { '/proc/900': 0 } }
    const all = await findAllSocketHolders({ procFs: fakeProc(merge(CURL, rootHolder)), ...offline })
    expect(holdersOf(all, 752757)).toEqual([900, 18766])
    expect(holdersOf(all, 752757, 1000)).toEqual([18766])
    expect(holdersOf(all, 752757, 0)).toEqual([900])
  })

  it("reads no further descriptors of a process once the kernel refuses one, and still finds the others' sockets", async () => {
    const hidden = { dirs: { '/proc/1/fd': ['0', '1', '2'] }, denied: ['/proc/1/fd/0', '/proc/1/fd/1', '/proc/1/fd/2'] }
    const procFs = fakeProc(merge(hidden, CURL))
    const all = await findAllSocketHolders({ procFs, ...offline })
    expect(holdersOf(all, 752757)).toEqual([18766])
    // Listings of /proc, /proc/1/fd and curl's fd (3), /proc/1's first link only (1), curl's 7.
    expect(procFs.reads).toBe(3 + 1 + 7)
  })

  it('finds nothing when /proc cannot be listed', async () => {
    expect(holdersOf(await findAllSocketHolders({ procFs: fakeProc({}), ...offline }), 752757)).toEqual([])
  })
})

describe('readDescriptorLinks', () => {
  const errno = (code: string) => Object.assign(new Error(`${code}: recorded`), { code })

  it("stops at the first link the kernel refuses (one check guards all of a process's descriptors), and skips one closed meanwhile", () => {
    const asked: string[] = []
    const links: Record<string, string | Error> = {
      '/proc/7/fd/0': '/dev/null',
      '/proc/7/fd/1': errno('ENOENT'),
      '/proc/7/fd/2': 'socket:[752757]',
      '/proc/7/fd/3': errno('EACCES'),
      '/proc/7/fd/4': 'socket:[752758]',
    }
    const readLink = (path: string) => {
      asked.push(path)
      const link = links[path]
      if (link === undefined || link instanceof Error) throw link ?? errno('ENOENT')
      return link
    }
    expect(readDescriptorLinks('7', () => ['0', '1', '2', '3', '4'], readLink)).toEqual(['/dev/null', 'socket:[752757]'])
    expect(asked).toEqual(['/proc/7/fd/0', '/proc/7/fd/1', '/proc/7/fd/2', '/proc/7/fd/3'])
  })

  it('is undefined when the folder cannot be listed (another user\'s process, or gone)', () => {
    expect(readDescriptorLinks('7', () => { throw errno('EACCES') }, () => '')).toBeUndefined()
  })

  it("reads this process's own sockets from the real /proc", async () => {
    expect(process.platform, 'this test reads /proc: it needs Linux').toBe('linux')
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const links = systemProcFs.descriptorLinks(String(process.pid))!
      const own = /^socket:\[(\d+)\]$/.exec(systemProcFs.readLink(`/proc/self/fd/${socketFd(server)}`) ?? '')
      expect(own, 'the listening socket has an inode').not.toBeNull()
      expect(links).toContain(`socket:[${own![1]}]`)
    } finally {
      server.close()
    }
  })
})

describe('readLinuxProcess', () => {
  it('strips " (deleted)" from the executable of an upgraded binary and reads the real uid', () => {
    const procFs = fakeProc({ links: { '/proc/7/exe': '/usr/bin/python3.11 (deleted)' }, files: { '/proc/7/status': 'Uid:\t1000\t0\t0\t0\n' } })
    expect(readLinuxProcess(7, procFs, names)).toEqual({ pid: 7, executable: '/usr/bin/python3.11', name: 'python3.11', uid: 1000, user: 'jan' })
    expect(readLinuxProcess(8, procFs, names)).toBeUndefined()
  })

  it('reads UTF-8 out of the raw command line', () => {
    const raw = Buffer.from('/opt/prüfer/bin/prüfer\0/home/jan/überweisung.py\0', 'utf8').toString('latin1')
    const procFs = fakeProc({ links: { '/proc/9/exe': '/opt/prüfer/bin/prüfer' }, files: { '/proc/9/cmdline': raw } })
    // The program's name decoded; the script is not plainly an ASCII path, so it is not shown.
    expect(readLinuxProcess(9, procFs, names)?.commandLine).toBe('prüfer')
  })

  it('parses passwd(5) and status Uid lines', () => {
    expect(parsePasswd('root:x:0:0:root:/root:/bin/bash\n# comment\njan:x:1000:1000:Jan,,,:/home/jan:/bin/bash\nbad line\n')).toEqual(
      new Map([
        [0, 'root'],
        [1000, 'jan'],
      ]),
    )
    expect(readUid(CURL_STATUS)).toBe(1000)
    expect(readUid('Name:\tx\n')).toBeUndefined()
  })
})
