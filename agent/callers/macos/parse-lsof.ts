/**
 * lsof's field output (`-F`, lsof(8) "OUTPUT FOR OTHER PROGRAMS"): one field per line, its first
 * character naming it. A process set starts with `p<pid>` and may carry `c<command>`, `u<uid>`,
 * `L<login>`; each of its files starts with `f<fd>` and may carry `n<name>`. For a TCP socket the
 * name is `<local>-><remote>`, e.g. `127.0.0.1:52766->127.0.0.1:4752` or `[::1]:52766->[::1]:4752`.
 */

export interface LsofFile {
  fd: string
  name?: string
}

export interface LsofProcess {
  pid: number
  command?: string
  uid?: number
  login?: string
  files: LsofFile[]
}

/** Every process set of lsof's `-F` output; lines of fields not asked for are skipped. */
export function parseLsofFields(text: string): LsofProcess[] {
  const processes: LsofProcess[] = []
  let current: LsofProcess | undefined
  let file: LsofFile | undefined
  for (const line of text.split('\n')) {
    if (line === '') continue
    const field = line[0]
    const value = line.slice(1)
    if (field === 'p') {
      const pid = Number(value)
      current = Number.isSafeInteger(pid) && pid > 0 ? { pid, files: [] } : undefined
      if (current) processes.push(current)
      file = undefined
    } else if (!current) {
      continue
    } else if (field === 'c') current.command = value
    else if (field === 'u' && /^\d+$/.test(value)) current.uid = Number(value)
    else if (field === 'L') current.login = value
    else if (field === 'f') {
      file = { fd: value }
      current.files.push(file)
    } else if (field === 'n' && file) file.name = value
  }
  return processes
}

/**
 * The process whose TCP socket runs from `peer` (the caller's address and port) to the agent's
 * `localPort`: the caller's own end, never the agent's (whose name is the reverse). Undefined
 * unless exactly one process holds it.
 */
export function findTcpClient(processes: readonly LsofProcess[], peer: { address: string; port: number }, localPort: number): LsofProcess | undefined {
  const owners = processes.filter((p) =>
    p.files.some((f) => {
      const m = /^(.+):(\d+)->(.+):(\d+)$/.exec(f.name ?? '')
      return m !== null && sameAddress(m[1]!, peer.address) && Number(m[2]) === peer.port && Number(m[4]) === localPort
    }),
  )
  return owners.length === 1 ? owners[0] : undefined
}

function sameAddress(lsofAddress: string, address: string): boolean {
  const bare = lsofAddress.replace(/^\[(.*)\]$/, '$1').toLowerCase()
  const wanted = address.toLowerCase()
  return bare === wanted || `::ffff:${bare}` === wanted || bare === `::ffff:${wanted}`
}
