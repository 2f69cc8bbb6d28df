import { readFile } from 'node:fs/promises'
import { parseDiscoveryFile } from '../../protocol/discovery/discovery-file.js'
import type { AgentPaths } from '../../protocol/discovery/resolve-paths.js'

/** What became of an agent that was just started. */
export type AgentStart = { ok: true; port: number; pid: number } | { ok: false; why: string }

/** Waits for an agent to come up; injected in tests (their service manager starts nothing). */
export type WaitForAgent = (paths: AgentPaths, timeoutMs: number) => Promise<AgentStart>

/**
 * Wait until the agent of `paths` runs: its discovery file is written (it writes it once its port
 * is its own) and its `/health` answers as ehealth-agent. A service manager that "started" a
 * program which then exits (a port taken, a broken settings file) is caught here, with the last
 * thing seen as the reason.
 */
export const waitForAgent: WaitForAgent = async (paths, timeoutMs) => {
  const deadline = Date.now() + timeoutMs
  let why = `it wrote no discovery file (${paths.discoveryFile})`
  for (;;) {
    const seen = await look(paths)
    if (seen.ok) return seen
    why = seen.why
    if (Date.now() >= deadline) return { ok: false, why: `${why}, ${Math.round(timeoutMs / 1000)} s after the start` }
    await new Promise((r) => setTimeout(r, 250))
  }
}

async function look(paths: AgentPaths): Promise<AgentStart> {
  let discovery
  try {
    discovery = parseDiscoveryFile(await readFile(paths.discoveryFile, 'utf8'))
  } catch {
    return { ok: false, why: `it wrote no discovery file (${paths.discoveryFile})` }
  }
  try {
    const response = await fetch(`http://127.0.0.1:${discovery.port}/health`, { signal: AbortSignal.timeout(2000) })
    const body = (await response.json()) as { service?: string }
    if (response.ok && body.service === 'ehealth-agent') return { ok: true, port: discovery.port, pid: discovery.pid }
    return { ok: false, why: `127.0.0.1:${discovery.port} answers, but not as ehealth-agent` }
  } catch {
    return { ok: false, why: `nothing answers on 127.0.0.1:${discovery.port} (the port its discovery file names)` }
  }
}
