/**
 * The bench's references for the 4 KB rate: small servers that do, per request, less than the
 * agent must, driven by the same load generator on the same cores (reference-server-process.ts
 * runs them):
 *
 * - `bare-http`: node:http; read the body, JSON-parse it, hash the envelope, one RSA-2048
 *   signature through libuv's threadpool with the same key, a JSON answer holding the envelope.
 *   No XML, no guards, no caller lookup, no privacy log, no session.
 * - `bare-net`: the same work behind a bare net.Server that frames HTTP itself: what a lean Node
 *   server costs here for one signature per request without node:http.
 * - `protocol-server`: that framing, and the agent's own signing path per request (split, c14n
 *   and digests, SignedInfo, RSA, finish), still with no guards, caller lookup or privacy log.
 *
 * Their rates say what the machine gives such servers at the time of the run. A rate is not a
 * ceiling (a server may leave cores idle, as `protocol-server` does); their CPU time per
 * signature is what the README's budget argument ("What two cores allow") is made of: a server
 * whose CPU per signature times a target rate exceeds the machine's cores cannot reach that rate
 * doing its work as it did in the run. (CPU per signature falls somewhat as the rate rises, as
 * more requests are handled per wake-up: a budget says how far a server is, not a proof.)
 *
 * They run with the daemon's node options (installer/daemon-node-options.ts), as the agent does.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DAEMON_NODE_OPTIONS } from '../../installer/daemon-node-options.js'
import { stopProcess } from './agent-process.js'
import { soapSignRequest } from './load-client.js'
import type { LoadGenerator } from './load-generator-process.js'
import { measureServer, OK_MARKER, type ServerRun } from './measure-server.js'
import type { ReferenceKind } from './reference-kinds.js'

const PROCESS = fileURLToPath(new URL('./reference-server-process.ts', import.meta.url))
const START_TIMEOUT_MS = 30_000

export interface ReferenceServer {
  port: number
  pid: number
  stop(): Promise<void>
}

/** Start a reference server of `kind` signing with `keyPem` (a child process), once it listens. */
export async function startReferenceServer(kind: ReferenceKind, keyPem: string): Promise<ReferenceServer> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-reference-'))
  const keyFile = join(dir, 'key.pem')
  writeFileSync(keyFile, keyPem, { mode: 0o600 })
  const child = spawn(process.execPath, [...DAEMON_NODE_OPTIONS, '--import', 'tsx', PROCESS, kind, keyFile], { stdio: ['ignore', 'pipe', 'inherit'] })
  const stop = async (): Promise<void> => {
    child.removeAllListeners('exit')
    await stopProcess(child)
    rmSync(dir, { recursive: true, force: true })
  }
  let timer: NodeJS.Timeout | undefined
  try {
    const port = await new Promise<number>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`the ${kind} reference server did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS)
      child.once('exit', (code) => reject(new Error(`the ${kind} reference server exited (${code})`)))
      child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())))
    })
    return { port, pid: child.pid!, stop }
  } catch (err) {
    await stop()
    throw err
  } finally {
    clearTimeout(timer)
  }
}

/** 16 keep-alive clients in a closed loop against a reference server for `seconds` (after a 1 s warm-up). */
export async function measureReferenceServer(load: LoadGenerator, kind: ReferenceKind, keyPem: string, envelope: string, seconds: number): Promise<ServerRun> {
  const server = await startReferenceServer(kind, keyPem)
  try {
    const { port, pid } = server
    const request = soapSignRequest(port, envelope)
    await load.closed({ port, request, okMarker: OK_MARKER, concurrency: 16, seconds: 1 })
    return await measureServer(load, pid, { port, request, concurrency: 16, seconds })
  } finally {
    await server.stop()
  }
}
