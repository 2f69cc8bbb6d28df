/**
 * The Windows way to the program behind a TCP connection, with the system's own tools:
 * `netstat -ano` for the process owning the caller's end (faster to start than PowerShell's
 * Get-NetTCPConnection, which gives the same OwningProcess), then one PowerShell call reading
 * Win32_Process (executable path, command line) and its GetOwner (user). Untested on Windows
 * itself: the parsing is tested on the formats Microsoft documents.
 */
import type { PeerConnection, PeerFacts, PeerIdentifier } from '../caller-program.js'
import { runSystemTool, type RunTool } from '../run-tool.js'
import { findTcpClientPid, parseNetstatAno } from './parse-netstat.js'
import { parseWin32Process } from './parse-win32-process.js'

/** The PowerShell script for one pid (an integer: nothing of the caller reaches the script). */
export function win32ProcessScript(pid: number): string {
  if (!Number.isSafeInteger(pid) || pid <= 0) throw new RangeError('a pid is a positive integer')
  return [
    `$p = Get-CimInstance Win32_Process -Filter 'ProcessId = ${pid}'`,
    'if ($p) {',
    '  $o = Invoke-CimMethod -InputObject $p -MethodName GetOwner',
    '  [pscustomobject]@{ ProcessId = $p.ProcessId; ExecutablePath = $p.ExecutablePath; CommandLine = $p.CommandLine; User = $o.User; Domain = $o.Domain } | ConvertTo-Json -Compress',
    '}',
  ].join('\n')
}

export function createWindowsPeerIdentifier(options: { runTool?: RunTool } = {}): PeerIdentifier {
  const run = options.runTool ?? runSystemTool

  async function identifyTcp(connection: PeerConnection & { kind: 'tcp' }): Promise<PeerFacts> {
    const pid = findTcpClientPid(parseNetstatAno(await run('netstat', ['-ano'])), connection, connection.localPort)
    if (pid === undefined) return {}
    const answer = await run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', win32ProcessScript(pid)], { timeoutMs: 10_000 })
    const program = parseWin32Process(answer, pid)
    return program ? { program } : {}
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
