import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { AgentError } from '../../protocol/errors.js'
import { pathEnvironment, resolvePaths, type PathContext } from '../../protocol/discovery/resolve-paths.js'
import { parseDiscoveryFile, type DiscoveryFile } from '../../protocol/discovery/discovery-file.js'
import { AgentClient } from './agent-client.js'

/** Options of {@link connectToAgent} (Node only). */
export interface ConnectOptions {
  /** The agent's `--state-dir`, when it was started with one. */
  stateDir?: string
  /** Overrides the port from the discovery file. */
  port?: number
  /** For path resolution; this process's by default. */
  context?: PathContext
  /** Cancels every call of the client (see AgentClientOptions.signal). */
  signal?: AbortSignal
}

/**
 * Find the local agent through the discovery file in the user's private runtime directory and
 * connect with the local credential (the same user's CLI needs no pairing).
 *
 * @example
 * ```ts
 * const agent = await connectToAgent()
 * console.log(await agent.call('session.status'))
 * ```
 */
export async function connectToAgent(options: ConnectOptions = {}): Promise<AgentClient> {
  const context: PathContext = options.context ?? {
    platform: process.platform,
    home: homedir(),
    uid: process.getuid?.() ?? 0,
    // A library, not the agent: it reads the same variables the agent's entry point resolved.
    env: pathEnvironment(process.env),
  }
  const paths = resolvePaths(options.stateDir, context)
  let text: string
  try {
    text = await readFile(paths.discoveryFile, 'utf8')
  } catch {
    throw new AgentError('ERR_AGENT_UNREACHABLE', 'the ehealth-agent is not running (it wrote no discovery file)', { file: paths.discoveryFile })
  }
  const discovery: DiscoveryFile = parseDiscoveryFile(text)
  let credential: string
  try {
    credential = (await readFile(discovery.credentialFile, 'utf8')).trim()
  } catch {
    throw new AgentError('ERR_UNAUTHORIZED', 'cannot read the local credential file', { file: discovery.credentialFile })
  }
  const port = options.port ?? discovery.port
  return new AgentClient({ url: `http://127.0.0.1:${port}`, credential, ...(options.signal ? { signal: options.signal } : {}) })
}
