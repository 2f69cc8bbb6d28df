import { readFile } from 'node:fs/promises'
import { parseDiscoveryFile } from '../../protocol/discovery/discovery-file.js'

/** Name the other process where we can: another agent says so in its discovery file. */
export async function whoHoldsThePort(discoveryFile: string, port: number): Promise<string> {
  try {
    const other = parseDiscoveryFile(await readFile(discoveryFile, 'utf8'))
    if (other.port === port) {
      try {
        process.kill(other.pid, 0)
        return `Another ehealth-agent (pid ${other.pid}, ${other.environment}) is already running on port ${port}; stop it first, or use --port.`
      } catch {
        /* stale discovery file */
      }
    }
  } catch {
    /* no discovery file */
  }
  return `Another program listens on port ${port} (see: ss -ltnp 'sport = :${port}'); stop it, or start the agent with --port.`
}
