/**
 * The macOS way to the program behind a TCP connection, with the system's own tools (no native
 * addon for libproc): `lsof -nP -iTCP@<peer> -sTCP:ESTABLISHED -F pcuLfn` for the process holding
 * the caller's end, `lsof -p <pid> -a -d txt -F n` for its executable (the first `txt` file is
 * the program image), `ps -p <pid> -o args=` for its command line (summarized before anyone sees
 * it). Untested on macOS itself: the parsing is tested on lsof's field format.
 *
 * The per-user Unix socket is not identified on macOS (LOCAL_PEERPID is a getsockopt Node does
 * not offer): its callers show as "program not known".
 */
import type { PeerConnection, PeerFacts, PeerIdentifier } from '../caller-program.js'
import { programName } from '../caller-program.js'
import { runSystemTool, type RunTool } from '../run-tool.js'
import { summarizeCommandLine } from '../summarize-command-line.js'
import { findTcpClient, parseLsofFields } from './parse-lsof.js'

export function createMacosPeerIdentifier(options: { runTool?: RunTool } = {}): PeerIdentifier {
  const run = options.runTool ?? runSystemTool

  async function identifyTcp(connection: PeerConnection & { kind: 'tcp' }): Promise<PeerFacts> {
    const host = connection.address.includes(':') ? `[${connection.address}]` : connection.address
    const listing = await run('lsof', ['-nP', `-iTCP@${host}:${connection.port}`, '-sTCP:ESTABLISHED', '-F', 'pcuLfn'])
    const client = findTcpClient(parseLsofFields(listing), connection, connection.localPort)
    if (!client) return {}
    const image = parseLsofFields(await run('lsof', ['-nP', '-p', String(client.pid), '-a', '-d', 'txt', '-F', 'pfn']))[0]?.files.find((f) => f.name?.startsWith('/'))
    if (!image?.name) return client.uid === undefined ? {} : { uid: client.uid }
    const args = (await run('ps', ['-p', String(client.pid), '-o', 'args=']).catch(() => '')).trim()
    // ps joins the arguments with spaces, so a path with spaces cannot be split back; the
    // executable, known from lsof, is taken off whole when the line starts with it.
    const argv = args.startsWith(image.name) ? [image.name, ...args.slice(image.name.length).trim().split(/\s+/)] : args.split(/\s+/)
    const commandLine = summarizeCommandLine(argv.filter((a) => a !== ''))
    return {
      ...(client.uid !== undefined ? { uid: client.uid } : {}),
      program: {
        pid: client.pid,
        executable: image.name,
        name: programName(image.name),
        ...(commandLine !== undefined ? { commandLine } : {}),
        ...(client.login !== undefined ? { user: client.login } : {}),
        ...(client.uid !== undefined ? { uid: client.uid } : {}),
      },
    }
  }

  return {
    async identify(connection) {
      if (connection.kind !== 'tcp') return {}
      try {
        return await identifyTcp(connection)
      } catch {
        return {}
      }
    },
  }
}
