/**
 * The bench's references for the 4 KB rate: small servers that do, per request, less than the
 * agent must, driven by the same load generator, on the same cores, in the same run. Each one's
 * rate over one core's raw RSA is more than `ratio` can be here for an agent that does all the
 * work it leaves out.
 *
 * - `http`: node:http; read the body, JSON-parse it, hash the envelope, one RSA-2048 signature
 *   through libuv's threadpool with the same key, a JSON answer holding the envelope. What no
 *   signing agent behind Node's HTTP can skip, and nothing the agent adds (no XML, no guards, no
 *   caller lookup, no privacy log, no session).
 * - `net`: the same work behind a bare net.Server that frames requests itself (the request
 *   head up to the blank line, the body by Content-Length, one answer written at once): no
 *   HTTP parser, no request and response objects, no streams. The most any Node server gets
 *   here for one RSA signature per request, however lean its HTTP.
 * - `net-protocol`: that bare framing, and per request the agent's own signing path
 *   (prepareWsSecurity: split the envelope, canonicalize and digest the Body and Timestamp,
 *   SignedInfo; then finish) around the same RSA signature, SAML holder-of-key profile, the
 *   answer holding the signed envelope. The work the protocol demands of every request, behind
 *   the leanest HTTP, still with no guards, no caller lookup and no privacy log: no agent that
 *   keeps those can be faster than it on this machine.
 *
 * The server is this file run as a child (`--reference-server KIND KEYFILE`, under tsx); it
 * prints its port. The assertion of `net-protocol` is a test STS's (holderOfKeyFixture), about a
 * test certificate: its bytes, not its key, are what the path costs; the RSA key is the agent's.
 */
import { spawn } from 'node:child_process'
import { createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { prepareWsSecurity } from '../../protocol/wssec/prepare-ws-security.js'
import { cpuMs, idlePercent, machineTicks, stopProcess } from './agent-process.js'
import { quantile, serializeRequest } from './load-client.js'
import type { LoadGenerator } from './load-generator-process.js'
import { holderOfKeyFixture } from './protocol-path.js'

export type ReferenceKind = 'http' | 'net' | 'net-protocol'
const KINDS: readonly ReferenceKind[] = ['http', 'net', 'net-protocol']

export interface ReferenceResult {
  perSec: number
  p99: number
  /** The server's CPU time per signature, µs (all its threads). */
  cpuUsPerSign: number
  /** The share of all cores left idle during the run, %. */
  idleCpuPct: number
}

export interface ReferenceServer {
  port: number
  pid: number
  stop(): Promise<void>
}

/** Start a reference server of `kind` signing with `keyPem` (a child process; its port once it listens). */
export async function startReferenceServer(kind: ReferenceKind, keyPem: string): Promise<ReferenceServer> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-reference-'))
  const keyFile = join(dir, 'key.pem')
  writeFileSync(keyFile, keyPem, { mode: 0o600 })
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--reference-server', kind, keyFile], { stdio: ['ignore', 'pipe', 'inherit'] })
  const stop = async (): Promise<void> => {
    child.removeAllListeners('exit')
    await stopProcess(child)
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the ${kind} reference server exited (${code})`)))
      child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())))
    })
    return { port, pid: child.pid!, stop }
  } catch (err) {
    await stop()
    throw err
  }
}

/** 16 keep-alive clients in a closed loop against a reference server for `seconds` (after a 1 s warm-up). */
export async function measureReferenceServer(load: LoadGenerator, kind: ReferenceKind, keyPem: string, envelope: string, seconds: number): Promise<ReferenceResult> {
  const server = await startReferenceServer(kind, keyPem)
  try {
    const { port, pid } = server
    const request = serializeRequest({ port, path: '/rpc', headers: { 'Content-Type': 'application/json' }, body: Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'soap.sign', params: { envelope } })) })
    const okMarker = Buffer.from('"result"')
    await load.closed({ port, request, okMarker, concurrency: 16, seconds: 1 })
    const cpu0 = cpuMs(pid)
    const ticks0 = machineTicks()
    const run = await load.closed({ port, request, okMarker, concurrency: 16, seconds })
    const idleCpuPct = idlePercent(ticks0, machineTicks())
    return { perSec: run.count / run.seconds, p99: quantile(run.latencies, 0.99), cpuUsPerSign: ((cpuMs(pid) - cpu0) * 1000) / run.count, idleCpuPct }
  } finally {
    await server.stop()
  }
}

interface Call {
  id: unknown
  params: { envelope: string }
}

/** One call's work: the JSON answer's bytes to `done`. */
type Signer = (call: Call, done: (answer: Buffer) => void) => void

/** Hash the envelope, sign the digest: the least a signing server does. */
function signDigest(key: KeyObject): Signer {
  return (call, done) => {
    const digest = createHash('sha256').update(call.params.envelope).digest('base64')
    sign('sha256', Buffer.from(digest), key, (err, signature) => {
      if (err) throw err
      done(Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: call.id, result: { envelope: call.params.envelope, signature: signature.toString('base64') } })))
    })
  }
}

/** The agent's signing path (prepare, RSA, finish) for a holder-of-key profile. */
function signEnvelope(key: KeyObject): Signer {
  const { profile, newId } = holderOfKeyFixture()
  return (call, done) => {
    const prepared = prepareWsSecurity(call.params.envelope, { profile, now: new Date(), newId })
    sign(prepared.hash, prepared.signedInfo, key, (err, signature) => {
      if (err) throw err
      done(Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: call.id, result: { envelope: prepared.finish(signature) } })))
    })
  }
}

function serveHttp(signer: Signer): Server {
  return createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      signer(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Call, (body) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length })
        res.end(body)
      })
    })
  })
}

const HEAD_END = Buffer.from('\r\n\r\n')

/** Requests framed by hand, one at a time per connection: the head to its blank line, the body by Content-Length. */
function serveNet(signer: Signer): Server {
  return createNetServer((socket: Socket) => {
    let pending: Buffer = Buffer.alloc(0)
    let busy = false
    const next = (): void => {
      if (busy) return
      const headEnd = pending.indexOf(HEAD_END)
      if (headEnd < 0) return
      const length = /\r\ncontent-length: *(\d+)/i.exec(pending.toString('latin1', 0, headEnd))
      if (!length) {
        socket.destroy()
        return
      }
      const bodyEnd = headEnd + 4 + Number(length[1])
      if (pending.length < bodyEnd) return
      const body = pending.subarray(headEnd + 4, bodyEnd)
      pending = pending.subarray(bodyEnd)
      busy = true
      signer(JSON.parse(body.toString('utf8')) as Call, (answer) => {
        const head = Buffer.from(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${answer.length}\r\n\r\n`, 'latin1')
        socket.write(Buffer.concat([head, answer]))
        busy = false
        next()
      })
    }
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
      next()
    })
    socket.on('error', () => socket.destroy())
  })
}

function runReferenceServer(kind: ReferenceKind, keyFile: string): void {
  const key = createPrivateKey(readFileSync(keyFile))
  const server = kind === 'http' ? serveHttp(signDigest(key)) : serveNet(kind === 'net' ? signDigest(key) : signEnvelope(key))
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`))
}

const at = process.argv.indexOf('--reference-server')
if (at >= 0) {
  const kind = process.argv[at + 1] as ReferenceKind
  if (!KINDS.includes(kind)) throw new Error(`unknown reference server ${kind}: one of ${KINDS.join(', ')}`)
  runReferenceServer(kind, process.argv[at + 2]!)
}
