/**
 * A pure parser of Linux's /proc/net/tcp and /proc/net/tcp6 (the format is written by
 * net/ipv4/tcp_ipv4.c get_tcp4_sock() and net/ipv6/tcp_ipv6.c get_tcp6_sock()):
 *
 * ```
 *   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
 *    5: 0100007F:B91E 0100007F:A39D 01 00000000:00000000 02:00001765 00000000   999        0 71402 ...
 * ```
 *
 * Addresses are the raw network-order words printed as host-order hex (`%08X`), so on a
 * little-endian host 127.0.0.1 reads `0100007F`; IPv6 is four such 32-bit words. Ports are
 * printed after ntohs, plain hex.
 */
import { formatIpAddress } from './ip-address.js'

/** The byte order of the host that wrote the table (`os.endianness()`). */
export type ByteOrder = 'LE' | 'BE'

/** One socket of the table. */
export interface ProcNetTcpEntry {
  /** Canonical text (see formatIpAddress): IPv4-mapped IPv6 is shown as IPv4. */
  local: { address: string; port: number }
  remote: { address: string; port: number }
  /** TCP state number (include/net/tcp_states.h): 1 ESTABLISHED, 6 TIME_WAIT, 10 LISTEN, ... */
  state: number
  uid: number
  inode: number
}

/** The states from include/net/tcp_states.h that the peer-uid lookup needs to tell apart. */
export const TCP_STATES = {
  ESTABLISHED: 0x01,
  TIME_WAIT: 0x06,
  LISTEN: 0x0a,
  NEW_SYN_RECV: 0x0c,
} as const

const LINE =
  /^\s*\d+:\s+([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})\s+([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})\s+([0-9A-Fa-f]{2})\s+\S+\s+\S+\s+\S+\s+(\d+)\s+\d+\s+(\d+)/

/**
 * Every socket line of a /proc/net/tcp or /proc/net/tcp6 text. The header and any line that does
 * not have the expected shape are left out rather than guessed at.
 */
export function parseProcNetTcp(text: string, byteOrder: ByteOrder = 'LE'): ProcNetTcpEntry[] {
  const entries: ProcNetTcpEntry[] = []
  for (const line of text.split('\n')) {
    const m = LINE.exec(line)
    if (!m) continue
    const local = decodeProcAddress(m[1]!, byteOrder)
    const remote = decodeProcAddress(m[3]!, byteOrder)
    entries.push({
      local: { address: formatIpAddress(local), port: parseInt(m[2]!, 16) },
      remote: { address: formatIpAddress(remote), port: parseInt(m[4]!, 16) },
      state: parseInt(m[5]!, 16),
      uid: Number(m[6]),
      inode: Number(m[7]),
    })
  }
  return entries
}

/**
 * The network-order bytes of an address field: 8 hex digits (IPv4) or 32 (IPv6, four words).
 * Each word was printed from host memory, so on a little-endian host its bytes are reversed.
 */
export function decodeProcAddress(hex: string, byteOrder: ByteOrder = 'LE'): Uint8Array {
  if (!/^([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32})$/.test(hex)) throw new RangeError('not a /proc/net/tcp address field')
  const bytes = new Uint8Array(hex.length / 2)
  for (let word = 0; word < bytes.length / 4; word++) {
    for (let i = 0; i < 4; i++) {
      const value = parseInt(hex.slice(word * 8 + i * 2, word * 8 + i * 2 + 2), 16)
      bytes[word * 4 + (byteOrder === 'LE' ? 3 - i : i)] = value
    }
  }
  return bytes
}
