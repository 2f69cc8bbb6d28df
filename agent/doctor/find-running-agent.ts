import type { HttpTransport } from '../http-transport.js'
import { parseDiscoveryFile, type DiscoveryFile } from '../../protocol/discovery/discovery-file.js'
import type { DoctorEnvironment } from './doctor-environment.js'

/** The agent this user runs, as its discovery file and its `/health` answer show it. */
export interface RunningAgentFacts {
  discovery: DiscoveryFile
  port: number
  /** Its `GET /health` answered as ehealth-agent. */
  healthy: boolean
  /** The HTTP `Date` of that answer, and when we sent and received it (ms since the epoch). */
  date?: { server: number; sent: number; received: number }
}

/**
 * Read the discovery file and ask the agent's `/health` (the one request that needs no
 * credential and leaves no trace in the privacy log) on the port the agent wrote there: the
 * agent actually found, whatever `--port` says. Undefined when there is no live agent.
 */
export async function findRunningAgent(env: DoctorEnvironment, transport: HttpTransport): Promise<RunningAgentFacts | undefined> {
  let discovery: DiscoveryFile
  try {
    discovery = parseDiscoveryFile((await env.readFile(env.paths.discoveryFile)).toString('utf8'))
  } catch {
    return undefined
  }
  if (!Number.isInteger(discovery.pid) || !env.isProcessAlive(discovery.pid)) return undefined
  const port = discovery.port
  const sent = env.now()
  try {
    const reply = await transport({ url: `http://127.0.0.1:${port}/health`, method: 'GET', headers: {}, timeoutMs: 5000 })
    const received = env.now()
    const healthy = reply.status === 200 && (JSON.parse(reply.body) as { service?: string }).service === 'ehealth-agent'
    const server = parseHttpDate(reply.headers.date)
    return { discovery, port, healthy, ...(server !== undefined ? { date: { server, sent, received } } : {}) }
  } catch {
    return { discovery, port, healthy: false }
  }
}

/** An HTTP `Date` header (RFC 9110 §5.6.7, IMF-fixdate) in ms since the epoch. */
export function parseHttpDate(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value
  if (!text) return undefined
  const ms = Date.parse(text)
  return Number.isNaN(ms) ? undefined : ms
}
