import type { AgentConfig } from '../config.js'
import type { HttpTransport } from '../http-transport.js'
import { makeCheck, type DoctorCheck } from './doctor-check.js'
import type { DoctorEnvironment } from './doctor-environment.js'
import type { RunningAgentFacts } from './find-running-agent.js'

const ID = 'port'

/**
 * The agent's loopback port, about the agent actually found: this user's agent (for this state
 * directory: its discovery file names it and its `/health` answers) is reported on the port it
 * really uses — whatever the settings or `--port` say, it is never also called "free". With no
 * agent running, the port it would use (`--port`, else the settings) must be free; held by
 * anything else is a failure: the agent refuses to start rather than share a port (threat T6).
 */
export async function checkPort(env: DoctorEnvironment, config: AgentConfig | undefined, agent: RunningAgentFacts | undefined, transport: HttpTransport): Promise<DoctorCheck> {
  if (agent) {
    const { pid, version } = agent.discovery
    if (!agent.healthy) {
      return makeCheck(ID, 'fail', `the agent named in ${env.paths.discoveryFile} (pid ${pid}) does not answer on 127.0.0.1:${agent.port}`, `stop it (pid ${pid}) and start the agent again: \`ehagent start\`, or restart the service`)
    }
    const found = `127.0.0.1:${agent.port} is held by ehealth-agent ${version} (pid ${pid})`
    if (env.port !== undefined && env.port !== agent.port) {
      return makeCheck(ID, 'warn', `${found}, not ${env.port} as --port says`, `leave out --port (the agent's own discovery file says where it is), or use --port ${agent.port}`)
    }
    const configured = config && config.port !== agent.port ? ` (started with --port; the settings say ${config.port})` : ''
    return makeCheck(ID, 'ok', `${found}${configured}`)
  }
  if (!config && env.port === undefined) return makeCheck(ID, 'warn', 'not checked: the settings file is not valid', 'fix the settings file first (see the config check)')
  const port = env.port ?? config!.port
  if (await env.isPortFree(port)) return makeCheck(ID, 'ok', `127.0.0.1:${port} is free (the agent is not running)`)
  if (await answersAsAgent(transport, port)) {
    return makeCheck(ID, 'fail', `127.0.0.1:${port} is held by another ehealth-agent (of another state directory or user)`, `find its state directory (\`ehagent doctor --state-dir DIR\`), or set another "port" in ${env.paths.configFile}`)
  }
  return makeCheck(ID, 'fail', `127.0.0.1:${port} is held by another program`, `find it (Linux: ss -ltnp 'sport = :${port}'; macOS: lsof -iTCP:${port} -sTCP:LISTEN; Windows: netstat -ano | findstr :${port}) and stop it, or set another "port" in ${env.paths.configFile}`)
}

/** Whether whatever holds the port answers `/health` as ehealth-agent. */
async function answersAsAgent(transport: HttpTransport, port: number): Promise<boolean> {
  try {
    const reply = await transport({ url: `http://127.0.0.1:${port}/health`, method: 'GET', headers: {}, timeoutMs: 3000 })
    return reply.status === 200 && (JSON.parse(reply.body) as { service?: string }).service === 'ehealth-agent'
  } catch {
    return false
  }
}
