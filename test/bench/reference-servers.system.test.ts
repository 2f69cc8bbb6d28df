import { createHash, createPublicKey, verify } from 'node:crypto'
import { connect } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { SOAP11_NS } from '../../protocol/soap/namespaces.js'
import { makeEnvelope } from '../helpers/envelopes.js'
import { createTestIdentity } from '../helpers/test-pki.js'
import { wssecIdAttrs, xmlsecVerify } from '../helpers/xmlsec.js'
import type { ReferenceKind } from './reference-kinds.js'
import { startReferenceServer, type ReferenceServer } from './reference-servers.js'

// The bench's reference servers stand for "less work than the agent does": each must still do
// the work it claims (a real signature per request, the agent's signing path for
// `protocol-server`), or the bench's comparison would flatter them. Checked here by OpenSSL's
// verify and by xmlsec1, not by the code under measurement.
const identity = createTestIdentity({ subject: [['CN', 'reference server test'], ['C', 'BE']] })
const publicKey = createPublicKey(identity.certificatePem)
const servers: ReferenceServer[] = []
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()))
})

function request(id: number, envelope: string): Buffer {
  const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', id, method: 'soap.sign', params: { envelope } }))
  return Buffer.concat([Buffer.from(`POST /rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`), body])
}

/**
 * Send `requests` on one connection: all but the last in one write (pipelined), the last in
 * three writes, cut inside its head and inside its body. Read `requests.length` answers framed by
 * their Content-Length; a connection closed before them all fails the exchange.
 */
function exchange(port: number, requests: Buffer[]): Promise<{ status: number; body: any }[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const answers: { status: number; body: any }[] = []
    let pending = Buffer.alloc(0)
    const fail = (err: Error) => {
      socket.destroy()
      reject(err)
    }
    socket.on('error', fail)
    socket.on('close', () => fail(new Error(`the server closed the connection after ${answers.length} of ${requests.length} answers`)))
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk])
      for (;;) {
        const headEnd = pending.indexOf('\r\n\r\n')
        if (headEnd < 0) return
        const head = pending.toString('latin1', 0, headEnd)
        const length = /\r\ncontent-length: *(\d+)/i.exec(head)
        if (!length) return fail(new Error(`an answer without Content-Length: ${head}`))
        const end = headEnd + 4 + Number(length[1])
        if (pending.length < end) return
        answers.push({ status: Number(head.split(' ')[1]), body: JSON.parse(pending.toString('utf8', headEnd + 4, end)) })
        pending = pending.subarray(end)
        if (answers.length === requests.length) {
          socket.removeAllListeners('close')
          socket.end()
          resolve(answers)
          return
        }
      }
    })
    const last = requests.at(-1)!
    const cuts = [40, last.indexOf('\r\n\r\n') + 100]
    socket.write(Buffer.concat(requests.slice(0, -1)))
    socket.write(last.subarray(0, cuts[0]))
    setTimeout(() => socket.write(last.subarray(cuts[0], cuts[1])), 30)
    setTimeout(() => socket.write(last.subarray(cuts[1])), 60)
  })
}

async function start(kind: ReferenceKind): Promise<ReferenceServer> {
  const server = await startReferenceServer(kind, identity.privateKeyPem)
  servers.push(server)
  return server
}

describe('the bench reference servers', () => {
  const envelopes = [makeEnvelope(4096, { canary: 'one' }), makeEnvelope(4096, { canary: 'two' }), makeEnvelope(2048, { canary: 'three' })]

  it.each(['bare-http', 'bare-net'] as const)('%s: answers each request, pipelined or split, with an RSA signature of its own envelope', async (kind) => {
    const { port } = await start(kind)
    const answers = await exchange(
      port,
      envelopes.map((e, i) => request(i + 1, e)),
    )
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200])
    answers.forEach((a, i) => {
      expect(a.body.id).toBe(i + 1)
      expect(a.body.result.envelope).toBe(envelopes[i])
      const digest = Buffer.from(createHash('sha256').update(envelopes[i]!).digest('base64'))
      const signature = Buffer.from(a.body.result.signature, 'base64')
      expect(verify('sha256', digest, publicKey, signature)).toBe(true)
      expect(verify('sha256', Buffer.from(createHash('sha256').update(envelopes[(i + 1) % 3]!).digest('base64')), publicKey, signature)).toBe(false)
    })
  })

  it("protocol-server: answers with the envelope signed by the agent's signing path, which xmlsec1 verifies", async () => {
    const { port } = await start('protocol-server')
    const answers = await exchange(
      port,
      envelopes.map((e, i) => request(i + 1, e)),
    )
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200])
    answers.forEach((a, i) => {
      const signed: string = a.body.result.envelope
      expect(a.body.id).toBe(i + 1)
      expect(signed).toContain(['one', 'two', 'three'][i])
      expect(signed).toMatch(/<Assertion xmlns="urn:oasis:names:tc:SAML:1.0:assertion"/)
      // The WS-Security signature (the assertion carries the STS's own, without an Id).
      const sigId = /<ds:Signature xmlns:ds="[^"]+" Id="(SIG-[^"]+)"/.exec(signed)![1]!
      // xmlsec1 is given the certificate of the key the server signs with: the assertion names
      // another (the fixture's), as the bench measures the path's cost, not a message eHealth
      // would accept.
      const check = (xml: string) => xmlsecVerify(xml, identity.certificatePem, [...wssecIdAttrs(SOAP11_NS), ['Id', 'http://www.w3.org/2000/09/xmldsig#:Signature']], ['--node-id', sigId])
      expect(check(signed).ok).toBe(true)
      expect(check(signed.replace('R/1234', 'R/1235')).ok).toBe(false)
    })
  })
})
