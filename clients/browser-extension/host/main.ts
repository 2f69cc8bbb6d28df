/**
 * The native messaging host's entry point, started by Chrome through the installer's wrapper
 * script. Like agent/main.ts for the agent, it is the only file of the host that reads the
 * process's arguments, environment and standard streams; everything below gets them injected.
 *
 * stdout carries Chrome's frames and nothing else: one stray byte there and Chrome drops the
 * connection. So everything that might print (console, a dependency's warning) goes to stderr,
 * which Chrome passes on to its own.
 */
import { homedir } from 'node:os'
import { format } from 'node:util'
import { pathEnvironment, resolvePaths, type PathContext } from '../../../protocol/discovery/resolve-paths.js'
import { AgentClient } from '../../js/agent-client.js'
import { createAgentSigner } from './agent-signer.js'
import { hostCredentialPath, openCredentialFile } from './credential-file.js'
import { findAgentUrl } from './find-agent.js'
import { readHostArguments } from './read-host-arguments.js'
import { runHost } from './run-host.js'

const toStderr = (...args: unknown[]) => void process.stderr.write(`ehealth-agent native host: ${format(...args)}\n`)
console.log = console.info = console.debug = console.warn = console.error = toStderr

async function main(): Promise<number> {
  let args
  try {
    args = readHostArguments(process.argv.slice(2))
  } catch (err) {
    toStderr((err as Error).message)
    return 2
  }
  const context: PathContext = {
    platform: process.platform,
    home: homedir(),
    uid: process.getuid?.() ?? 0,
    // The same variables the agent's main.ts resolves its directories from: Chrome passes the
    // user session's environment on to the host.
    env: pathEnvironment(process.env),
  }
  const paths = resolvePaths(args.stateDir, context)
  const signer = createAgentSigner({
    extensionId: args.extensionId,
    findAgentUrl: () => findAgentUrl(paths.discoveryFile),
    credentials: openCredentialFile(hostCredentialPath(paths, args.extensionId)),
    connect: (url, credential, webOrigin) => new AgentClient({ url, ...(credential ? { credential } : {}), ...(webOrigin !== undefined ? { webOrigin } : {}) }),
    log: toStderr,
  })
  // The browser has gone: nothing more can be delivered, so the host goes too.
  process.stdout.on('error', () => process.exit(0))
  await runHost({
    input: process.stdin,
    writeFrame: (frame) => void process.stdout.write(frame),
    sign: (params, origin) => signer.sign(params, origin),
    log: toStderr,
  })
  // Pipes to the browser may be asynchronous (macOS): the last answers are flushed before exit.
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()))
  return 0
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    toStderr('stopped:', err)
    process.exit(1)
  },
)
