/**
 * The bench's reference for the 4 KB rate: a bare node:http server that does, per request, only
 * what no signing agent can skip — read the body, JSON-parse it, hash the envelope, one RSA-2048
 * signature through libuv's threadpool with the same key, a JSON answer holding the envelope —
 * and nothing the agent adds (no XML, no guards, no caller lookup, no privacy log, no session).
 * Driven by the same load generator, on the same cores, in the same run as the agent: its rate
 * over one core's raw RSA is the most `ratio` can be here with Node's HTTP in front of the key.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cpuMs, idlePercent, machineTicks, stopProcess } from './agent-process.js'
import { quantile, serializeRequest } from './load-client.js'
import type { LoadGenerator } from './load-generator-process.js'

const SERVER = `
const http = require('node:http')
const crypto = require('node:crypto')
const key = crypto.createPrivateKey(require('node:fs').readFileSync(process.argv[1]))
http.createServer((req, res) => {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    const call = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    const digest = crypto.createHash('sha256').update(call.params.envelope).digest('base64')
    crypto.sign('sha256', Buffer.from(digest), key, (err, signature) => {
      if (err) { res.writeHead(500); res.end(); return }
      const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: call.id, result: { envelope: call.params.envelope, signature: signature.toString('base64') } }))
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length })
      res.end(body)
    })
  })
}).listen(0, '127.0.0.1', function () { process.stdout.write(this.address().port + '\\n') })
`

export interface BareHttpResult {
  perSec: number
  p99: number
  /** The bare server's CPU time per signature, µs (all its threads). */
  cpuUsPerSign: number
  /** The share of all cores left idle during the run, %. */
  idleCpuPct: number
}

/** 16 keep-alive clients in a closed loop against the bare server for `seconds` (after a 1 s warm-up). */
export async function measureBareHttp(load: LoadGenerator, keyPem: string, envelope: string, seconds: number): Promise<BareHttpResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-bare-'))
  const keyFile = join(dir, 'key.pem')
  writeFileSync(keyFile, keyPem, { mode: 0o600 })
  const child = spawn(process.execPath, ['-e', SERVER, keyFile], { stdio: ['ignore', 'pipe', 'inherit'] })
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the bare HTTP server exited (${code})`)))
      child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())))
    })
    const request = serializeRequest({ port, path: '/rpc', headers: { 'Content-Type': 'application/json' }, body: Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'soap.sign', params: { envelope } })) })
    const okMarker = Buffer.from('"result"')
    await load.closed({ port, request, okMarker, concurrency: 16, seconds: 1 })
    const cpu0 = cpuMs(child.pid!)
    const ticks0 = machineTicks()
    const run = await load.closed({ port, request, okMarker, concurrency: 16, seconds })
    const idleCpuPct = idlePercent(ticks0, machineTicks())
    return { perSec: run.count / run.seconds, p99: quantile(run.latencies, 0.99), cpuUsPerSign: ((cpuMs(child.pid!) - cpu0) * 1000) / run.count, idleCpuPct }
  } finally {
    child.removeAllListeners('exit')
    await stopProcess(child)
    rmSync(dir, { recursive: true, force: true })
  }
}
