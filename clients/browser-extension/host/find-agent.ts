import { readFile } from 'node:fs/promises'
import * as z from 'zod'
import { DISCOVERY_FILE_SCHEMA } from '../../../protocol/discovery/discovery-file.js'
import { AgentError } from '../../../protocol/errors.js'

/** The one field the host reads, checked as the discovery file's schema defines it; the rest is ignored. */
const PORT_ONLY = z.object({ port: DISCOVERY_FILE_SCHEMA.shape.port })

/**
 * The running agent's URL, from the discovery file it writes in the user's private runtime
 * directory when it starts. Read for every request, so a host that outlives an agent restart
 * (a new port) follows it. Only the port is taken from the file, and the URL is always
 * 127.0.0.1: a file that named another host would not send the page's envelope off the machine.
 */
export async function findAgentUrl(discoveryFile: string): Promise<string> {
  let text: string
  try {
    text = await readFile(discoveryFile, 'utf8')
  } catch {
    throw notRunning()
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw notRunning('the discovery file is not JSON')
  }
  const parsed = PORT_ONLY.safeParse(json)
  // The path stays out of the error: it travels to the extension.
  if (!parsed.success) throw notRunning(`the discovery file is not valid: ${parsed.error.issues[0]!.path.join('.') || '(root)'}: ${parsed.error.issues[0]!.message}`)
  return `http://127.0.0.1:${parsed.data.port}`
}

function notRunning(detail?: string): AgentError {
  return new AgentError('ERR_AGENT_UNREACHABLE', 'the ehealth-agent is not running on this computer', {
    reason: 'agent-not-running',
    hint: 'start the agent (it starts at login once installed with `ehagent install`), then try again',
    ...(detail === undefined ? {} : { detail }),
  })
}
