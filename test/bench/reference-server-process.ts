/**
 * A reference server of the bench (reference-servers.ts says what each one is for), run as a
 * child process: `node --import tsx reference-server-process.ts KIND KEYFILE`. It listens on an
 * ephemeral loopback port and prints it.
 *
 * These servers stand for "less work than the agent does", so they do nothing to protect
 * themselves: a request they cannot read (bad JSON, an envelope the signing path refuses) or a
 * failed signature throws and ends the process, and the bench fails loudly instead of measuring a
 * server that answers errors. Only the load generator's requests reach them.
 */
import { createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer as createHttpServer } from 'node:http'
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { prepareWsSecurity } from '../../protocol/wssec/prepare-ws-security.js'
import { holderOfKeyFixture } from './holder-of-key-fixture.js'
import { REFERENCE_KINDS, type ReferenceKind } from './reference-kinds.js'

interface Call {
  id: unknown
  params: { envelope: string }
}

/** One call's work: the JSON answer's bytes to `done`. */
type Signer = (call: Call, done: (answer: Buffer) => void) => void

/** Hash the envelope, sign the digest in libuv's threadpool: the least a signing server does. */
function signDigest(key: KeyObject): Signer {
  return (call, done) => {
    const digest = createHash('sha256').update(call.params.envelope).digest('base64')
    sign('sha256', Buffer.from(digest), key, (err, signature) => {
      if (err) throw err
      done(Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: call.id, result: { envelope: call.params.envelope, signature: signature.toString('base64') } })))
    })
  }
}

/**
 * The agent's signing path, as soap.sign runs it (agent/rpc/methods/soap-sign.ts): split the
 * envelope, canonicalize and digest Body and Timestamp, SignedInfo (prepareWsSecurity); RSA in
 * libuv's threadpool; splice the Security header in (finish). Holder-of-key profile, rsa-sha256.
 */
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

function serveWithNodeHttp(signer: Signer): Server {
  return createHttpServer((req, res) => {
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

/**
 * HTTP/1.1 framed by hand, to leave out what node:http costs (its parser, request and response
 * objects, streams): the head up to its blank line, the body by Content-Length, one write per
 * answer. Requests on a connection are taken one at a time, since HTTP/1.1 answers them in
 * order. A head without Content-Length (a chunked body) closes the connection; the load
 * generator never sends one.
 */
function serveWithOwnFraming(signer: Signer): Server {
  return createNetServer((socket: Socket) => {
    let pending: Buffer = Buffer.alloc(0)
    let busy = false
    const next = (): void => {
      if (busy || socket.destroyed) return
      const headEnd = pending.indexOf(HEAD_END)
      if (headEnd < 0) return
      const length = /\r\ncontent-length: *(\d+)/i.exec(pending.toString('latin1', 0, headEnd))
      if (!length) {
        socket.destroy()
        return
      }
      const bodyEnd = headEnd + HEAD_END.length + Number(length[1])
      if (pending.length < bodyEnd) return
      const body = pending.subarray(headEnd + HEAD_END.length, bodyEnd)
      pending = pending.subarray(bodyEnd)
      busy = true
      signer(JSON.parse(body.toString('utf8')) as Call, (answer) => {
        socket.write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${answer.length}\r\n\r\n`, 'latin1'), answer]))
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

function serve(kind: ReferenceKind, key: KeyObject): Server {
  switch (kind) {
    case 'bare-http':
      return serveWithNodeHttp(signDigest(key))
    case 'bare-net':
      return serveWithOwnFraming(signDigest(key))
    case 'protocol-server':
      return serveWithOwnFraming(signEnvelope(key))
  }
}

const [kind, keyFile] = process.argv.slice(2) as [ReferenceKind, string | undefined]
if (!REFERENCE_KINDS.includes(kind) || !keyFile) throw new Error(`usage: reference-server-process.ts ${REFERENCE_KINDS.join('|')} KEYFILE`)
const server = serve(kind, createPrivateKey(readFileSync(keyFile)))
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`))
