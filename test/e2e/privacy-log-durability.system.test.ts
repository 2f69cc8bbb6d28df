/**
 * No signature without its record, whatever happens to the agent: the real agent runs in a
 * process of its own, several clients sign envelopes as fast as it answers, and the agent is
 * killed with SIGKILL in the middle of it — three times, restarting on the same state directory.
 * Then every envelope any client received must have its record (by the `Id` of its ds:Signature)
 * in the privacy log as the dead process left it on disk, read here with zlib and JSON.parse,
 * not with the agent's own reader.
 */
import { Agent as HttpAgent, request } from 'node:http'
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { spawnAgentProcess, type AgentProcess } from '../helpers/agent-process.js'
import { makeEnvelope } from '../helpers/envelopes.js'

const CLIENTS = 12
/** Envelopes received in a round before the kill: well into the load, not at its start. */
const KILL_AFTER = 400
const ROUNDS = 3

let stateDir: string | undefined
let agent: AgentProcess | undefined
afterAll(async () => {
  await agent?.stop()
  if (stateDir) rmSync(stateDir, { recursive: true, force: true })
})

/** One JSON-RPC call over a keep-alive connection; the parsed answer, or the error it failed with. */
function call(port: number, credential: string, httpAgent: HttpAgent, method: string, params: unknown): Promise<{ result?: Record<string, unknown>; error?: unknown }> {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/rpc', method: 'POST', agent: httpAgent, headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}`, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { result?: Record<string, unknown>; error?: unknown })
          } catch (err) {
            reject(err as Error)
          }
        })
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

/** The Id of the envelope's ds:Signature: what the agent's record names (signatureId). */
function signatureIdOf(envelope: string): string {
  const id = /<(?:[A-Za-z_][\w.-]*:)?Signature\b[^>]*?\sId="([^"]+)"/.exec(envelope)?.[1]
  if (!id) throw new Error('a signed envelope without a Signature Id')
  return id
}

/**
 * Sign from CLIENTS concurrent clients without pause; once KILL_AFTER envelopes arrived, SIGKILL
 * the agent a few milliseconds later, at no particular point of its work, while every client
 * keeps sending. Returns the signature ids of every envelope received, and how many requests
 * were sent and not yet answered at the kill.
 */
async function signThenKill(a: AgentProcess): Promise<{ received: Set<string>; inFlightAtKill: number }> {
  const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: CLIENTS })
  const login = await call(a.port, a.credential, httpAgent, 'session.login', { profile: 'doctor' })
  expect(login.error, JSON.stringify(login.error)).toBeUndefined()
  const received = new Set<string>()
  let killed = false
  let killScheduled = false
  let inFlight = 0
  let inFlightAtKill = -1
  const client = async (n: number): Promise<void> => {
    const envelope = makeEnvelope(2048 + n * 16)
    for (;;) {
      let answer: { result?: Record<string, unknown>; error?: unknown }
      inFlight++
      try {
        answer = await call(a.port, a.credential, httpAgent, 'soap.sign', { envelope })
      } catch (err) {
        if (!killed) throw new Error(`a request failed before the kill: ${(err as Error).message}`)
        return // the agent is gone
      } finally {
        inFlight--
      }
      if (answer.error) throw new Error(`soap.sign failed under load: ${JSON.stringify(answer.error)}`)
      received.add(signatureIdOf(answer.result!.envelope as string))
      if (received.size >= KILL_AFTER && !killScheduled) {
        killScheduled = true
        setTimeout(() => {
          killed = true
          inFlightAtKill = inFlight
          // kill -9: no handler runs, nothing is flushed; what is on disk now is all there is.
          process.kill(a.pid, 'SIGKILL')
        }, Math.floor(Math.random() * 20))
      }
    }
  }
  await Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)))
  httpAgent.destroy()
  for (let i = 0; i < 100 && !a.exit(); i++) await new Promise((r) => setTimeout(r, 50))
  expect(a.exit()?.signal).toBe('SIGKILL')
  return { received, inFlightAtKill }
}

/** Every soap.sign record on disk: the live file, rotated files, compressed ones (torn lines skipped). */
function recordedSignatureIds(dir: string): Set<string> {
  const ids = new Set<string>()
  for (const name of readdirSync(dir)) {
    if (!/^audit.*\.jsonl(\.gz)?$/.test(name)) continue
    const data = readFileSync(join(dir, name))
    for (const line of (name.endsWith('.gz') ? gunzipSync(data) : data).toString('utf8').split('\n')) {
      let record: { event?: string; signatureId?: string; outcome?: string }
      try {
        record = JSON.parse(line) as typeof record
      } catch {
        continue
      }
      if (record.event === 'soap.sign' && record.outcome === 'ok' && record.signatureId) ids.add(record.signatureId)
    }
  }
  return ids
}

describe('privacy log under kill -9', () => {
  it(`every envelope a client received has its record, after ${ROUNDS} kills mid-load`, async () => {
    const delivered = new Set<string>()
    for (let round = 1; round <= ROUNDS; round++) {
      agent = await spawnAgentProcess({ timeoutMs: 60_000, ...(stateDir ? { stateDir } : {}) })
      stateDir = agent.stateDir
      const { received, inFlightAtKill } = await signThenKill(agent)
      agent = undefined
      expect(received.size).toBeGreaterThanOrEqual(KILL_AFTER)
      // The kill really was mid-load: requests were sent and not answered yet when it came.
      expect(inFlightAtKill).toBeGreaterThan(0)
      for (const id of received) delivered.add(id)

      const recorded = recordedSignatureIds(join(stateDir, 'audit'))
      const missing = [...delivered].filter((id) => !recorded.has(id))
      expect(missing, `round ${round}: ${missing.length} of ${delivered.size} delivered signatures have no record`).toEqual([])
    }
    expect(delivered.size).toBeGreaterThanOrEqual(ROUNDS * KILL_AFTER)
  }, 300_000)
})
