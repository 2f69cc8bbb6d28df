import { readFile } from 'node:fs/promises'
import { AgentError } from '../../../protocol/errors.js'

/**
 * The running agent's URL, from the discovery file it writes in the user's private runtime
 * directory when it starts. Read for every request, so a host that outlives an agent restart
 * (a new port) follows it. Only the port is taken from the file, and the URL is always
 * 127.0.0.1: a file that named another host would not send the page's envelope off the machine.
 */
export async function findAgentUrl(discoveryFile: string): Promise<string> {
  let port: unknown
  try {
    port = (JSON.parse(await readFile(discoveryFile, 'utf8')) as { port?: unknown }).port
  } catch {
    throw notRunning()
  }
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) throw notRunning()
  return `http://127.0.0.1:${port}`
}

function notRunning(): AgentError {
  return new AgentError('ERR_NETWORK', 'the ehealth-agent is not running on this computer', {
    reason: 'agent-not-running',
    hint: 'start the agent (it starts at login once installed with `ehagent install`), then try again',
  })
}
