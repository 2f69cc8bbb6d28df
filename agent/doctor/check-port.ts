import type { AgentConfig } from '../config.js'
import { makeCheck, type DoctorCheck } from './doctor-check.js'
import type { DoctorEnvironment } from './doctor-environment.js'
import type { RunningAgentFacts } from './find-running-agent.js'

const ID = 'port'

/**
 * The agent's loopback port: free (the agent can start), or held by this user's agent (its
 * discovery file names it and its `/health` answers). Held by anything else is a failure: the
 * agent refuses to start rather than share a port (threat T6).
 */
export async function checkPort(env: DoctorEnvironment, config: AgentConfig | undefined, agent: RunningAgentFacts | undefined): Promise<DoctorCheck> {
  if (!config && env.port === undefined) return makeCheck(ID, 'warn', 'not checked: the settings file is not valid', 'fix the settings file first (see the config check)')
  const port = env.port ?? config!.port
  if (agent?.healthy && agent.port === port) return makeCheck(ID, 'ok', `127.0.0.1:${port} is held by ehealth-agent ${agent.discovery.version} (pid ${agent.discovery.pid})`)
  if (await env.isPortFree(port)) return makeCheck(ID, 'ok', `127.0.0.1:${port} is free (the agent is not running)`)
  return makeCheck(ID, 'fail', `127.0.0.1:${port} is held by another program`, `find it (Linux: ss -ltnp 'sport = :${port}'; macOS: lsof -iTCP:${port} -sTCP:LISTEN; Windows: netstat -ano | findstr :${port}) and stop it, or set another "port" in ${env.paths.configFile}`)
}
