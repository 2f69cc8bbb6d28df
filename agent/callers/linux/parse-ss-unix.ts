/**
 * The peer of a Unix-socket connection, from `ss -xnH` (iproute2), when the agent's sock_diag
 * addon gives no answer (sock-diag.ts asks the kernel for the one socket). Node offers no
 * SO_PEERCRED (unix(7)), and /proc/net/unix lists each socket without its peer; the kernel tells
 * the peer only over sock_diag netlink (UNIX_DIAG_PEER, sock_diag(7)), which Node cannot open
 * without a native addon. `ss` asks sock_diag and prints, for every connected socket, its own
 * inode and its peer's ("Local Address:Port" and "Peer Address:Port" hold path-or-`*` and inode):
 *
 * ```
 * u_str ESTAB 0      0      /run/user/1000/ehealth-agent/agent.sock 731115 * 731114
 * ```
 *
 * The agent knows its own end's inode (`/proc/self/fd/<fd>`), so the line whose local inode is
 * that one names the peer's inode; the process holding that is the caller.
 */

/** One connected Unix socket as `ss -xnH` prints it. */
export interface SsUnixEntry {
  netid: string
  state: string
  localAddress: string
  localInode: number
  peerAddress: string
  peerInode: number
}

// netid state recv-q send-q local-address local-inode peer-address peer-inode: the local path may
// hold spaces, so the line is read from both ends; a peer is a bare `*` or a path without spaces.
const LINE = /^(u_\w+)\s+(\S+)\s+\d+\s+\d+\s+(.*?)\s+(\d+)\s+(\S+)\s+(\d+)\s*$/

/** Every line of `ss -xnH` output that has the expected shape; anything else is left out. */
export function parseSsUnix(text: string): SsUnixEntry[] {
  const entries: SsUnixEntry[] = []
  for (const line of text.split('\n')) {
    const m = LINE.exec(line)
    if (!m) continue
    entries.push({ netid: m[1]!, state: m[2]!, localAddress: m[3]!, localInode: Number(m[4]), peerAddress: m[5]!, peerInode: Number(m[6]) })
  }
  return entries
}

/** The inode of the peer of our socket `localInode`, or undefined when ss does not list exactly one. */
export function findUnixPeerInode(text: string, localInode: number): number | undefined {
  const peers = new Set(parseSsUnix(text).filter((e) => e.localInode === localInode && e.peerInode > 0).map((e) => e.peerInode))
  return peers.size === 1 ? [...peers][0] : undefined
}
