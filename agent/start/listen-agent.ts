import { chmod, rm, writeFile } from 'node:fs/promises'
import { formatDiscoveryFile, type DiscoveryFile } from '../../protocol/discovery/discovery-file.js'
import { lazyHonoListener } from '../http/hono-listener.js'
import { closeServer, listen } from '../http/listen.js'
import { createRpcListener } from '../http/rpc-listener.js'
import { writeLocalCredential } from '../pairing/local-credential.js'
import type { StartAgentOptions, StartStep } from './start-agent-options.js'
import type { UndoStack } from './undo-stack.js'
import type { WiredAgent } from './wire-agent.js'

/**
 * Put the wired agent on the wire, each step recorded in `undo` as soon as it is done: the HTTP
 * app on 127.0.0.1 (and ::1 where there is IPv6 loopback), the per-user Unix socket (0600), then
 * the local credential and the discovery file. The files come last, once the port is ours: a
 * second start that finds the port taken touches nothing of the agent already running there.
 * Returns the agent's URL.
 */
export async function listenAgent(opts: StartAgentOptions, wired: WiredAgent, environmentId: string, undo: UndoStack, step: (step: StartStep) => Promise<void>): Promise<string> {
  const { config, paths } = opts
  // One listener for every server: the direct path for POST /rpc and GET /health, and the hono
  // app behind it, loaded once for all of them at the first request that needs it.
  const listener = createRpcListener(wired.rpc, lazyHonoListener(() => wired.buildApp(), () => wired.onMalformed()))

  await step('listen')
  const accept = { onForeignPeer: (peer: string) => wired.onForeignPeer(peer), onConnection: wired.onConnection }
  const ipv4 = await listen(listener, { hostname: '127.0.0.1', port: config.port }, accept)
  undo.push('listening on 127.0.0.1', () => closeServer(ipv4))

  if (opts.ipv6 !== false) {
    await step('listen-ipv6')
    try {
      const ipv6 = await listen(listener, { hostname: '::1', port: config.port }, accept)
      undo.push('listening on ::1', () => closeServer(ipv6))
    } catch {
      opts.log('IPv6 loopback (::1) is not available; listening on 127.0.0.1 only')
    }
  }

  await step('socket')
  // A socket file left by an agent that was killed would make listen fail: the port is ours, so it is too.
  await rm(paths.socketPath, { force: true })
  const socket = await listen(listener, { path: paths.socketPath }, { onConnection: wired.onConnection })
  undo.push('the Unix socket', async () => {
    await closeServer(socket)
    await rm(paths.socketPath, { force: true })
  })
  await chmod(paths.socketPath, 0o600)

  await step('credential')
  undo.push('the credential file', () => rm(paths.credentialFile, { force: true }))
  await writeLocalCredential(paths.credentialFile, wired.credential)

  await step('discovery')
  const url = `http://127.0.0.1:${config.port}`
  const discovery: DiscoveryFile = {
    port: config.port,
    pid: process.pid,
    version: opts.version,
    environment: environmentId,
    url,
    socket: paths.socketPath,
    credentialFile: paths.credentialFile,
    startedAt: opts.clock.now().toISOString(),
  }
  undo.push('the discovery file', () => rm(paths.discoveryFile, { force: true }))
  await writeFile(paths.discoveryFile, formatDiscoveryFile(discovery), { mode: 0o600 })
  return url
}
