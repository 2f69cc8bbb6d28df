/**
 * `netstat -ano` on Windows (Microsoft's netstat reference: `-a` all connections, `-n` numeric,
 * `-o` the owning process id):
 *
 * ```
 *   Proto  Local Address          Foreign Address        State           PID
 *   TCP    127.0.0.1:50123        127.0.0.1:4752         ESTABLISHED     8812
 *   TCP    [::1]:50124            [::1]:4752             ESTABLISHED     8812
 * ```
 *
 * The headers and the state are translated on non-English Windows ("HERGESTELLT"), so only the
 * protocol, the two addresses and the pid, which never are, are read.
 */

export interface NetstatTcpEntry {
  local: { address: string; port: number }
  remote: { address: string; port: number }
  pid: number
}

const LINE = /^\s*TCP\s+(\S+):(\d+)\s+(\S+):(\d+)\s+(?:\S+\s+)?(\d+)\s*$/i

/** The TCP lines of `netstat -ano` output (IPv6 addresses without their brackets). */
export function parseNetstatAno(text: string): NetstatTcpEntry[] {
  const entries: NetstatTcpEntry[] = []
  for (const line of text.split(/\r?\n/)) {
    const m = LINE.exec(line)
    if (!m) continue
    entries.push({
      local: { address: unbracket(m[1]!), port: Number(m[2]) },
      remote: { address: unbracket(m[3]!), port: Number(m[4]) },
      pid: Number(m[5]),
    })
  }
  return entries
}

/** The pid owning the caller's end (local = the peer, remote port = ours), when exactly one does. */
export function findTcpClientPid(entries: readonly NetstatTcpEntry[], peer: { address: string; port: number }, localPort: number): number | undefined {
  const wanted = peer.address.replace(/^::ffff:/i, '').toLowerCase()
  const pids = new Set(
    entries.filter((e) => e.local.port === peer.port && e.remote.port === localPort && e.local.address.replace(/^::ffff:/i, '').toLowerCase() === wanted).map((e) => e.pid),
  )
  const [pid] = pids
  return pids.size === 1 && pid !== undefined && pid > 0 ? pid : undefined
}

function unbracket(address: string): string {
  // A scoped IPv6 address (fe80::1%12) is not loopback; the scope is dropped with the brackets.
  return address.replace(/^\[(.*)\]$/, '$1').replace(/%\d+$/, '')
}
