import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestAgent, type TestAgent } from '../helpers/start-test-agent.js'

// Threat T2's other door: a request whose target is in absolute form (`POST http://evil.test:P/rpc`,
// RFC 9112 §3.2.2) names its host in the request line, and a server must then ignore the Host
// header (RFC 9112 §3.2.2, RFC 9110 §7.2). The agent was answering such a request whenever Host was
// one of its own names. It must refuse any target that is not origin-form (RFC 9112 §3.2.1), like
// a foreign Host. Sent on a raw socket: HTTP clients do not write such requests to a server.

let t: TestAgent

beforeAll(async () => {
  t = await startTestAgent()
}, 120_000)

afterAll(async () => {
  await t?.agent.close()
})

interface RawAnswer {
  status: number
  headers: string
  body: string
}

/** One request written byte for byte; the answer as read until the server closes. */
function raw(request: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(t.port, '127.0.0.1')
    let received = ''
    socket.setEncoding('utf8')
    socket.on('data', (d: string) => (received += d))
    socket.on('error', reject)
    socket.on('close', () => {
      const [head = '', ...rest] = received.split('\r\n\r\n')
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), headers: head, body: rest.join('\r\n\r\n') })
    })
    // Written, not ended: a half-closed request may be dropped before it is answered.
    socket.write(request)
  })
}

function rpcRequest(target: string): string {
  const body = JSON.stringify({ jsonrpc: '2.0', method: 'agent.status', id: 1 })
  return (
    `POST ${target} HTTP/1.1\r\n` +
    `Host: 127.0.0.1:${t.port}\r\n` +
    'Content-Type: application/json\r\n' +
    `Authorization: Bearer ${t.agent.credential}\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n' +
    body
  )
}

describe('a request target that is not origin-form is refused like a foreign Host', () => {
  it('control: the same request in origin-form is answered', async () => {
    const answer = await raw(rpcRequest('/rpc'))
    expect(answer.status).toBe(200)
    expect(JSON.parse(answer.body)).toMatchObject({ result: { environment: expect.any(String) } })
  })

  it('POST http://evil.test:P/rpc with a credential and our own Host: 421, not answered', async () => {
    const answer = await raw(rpcRequest(`http://evil.test:${t.port}/rpc`))
    expect(answer.status).toBe(421)
    expect(JSON.parse(answer.body)).toMatchObject({ error: { data: { code: 'ERR_UNAUTHORIZED', reason: 'target-not-origin-form' } } })
  })

  it('even naming this agent itself (http://127.0.0.1:P/rpc): only origin-form is served', async () => {
    expect((await raw(rpcRequest(`http://127.0.0.1:${t.port}/rpc`))).status).toBe(421)
  })

  it('the pages too: GET http://evil.test:P/ui/… is refused', async () => {
    const answer = await raw(`GET http://evil.test:${t.port}/ui/settings HTTP/1.1\r\nHost: 127.0.0.1:${t.port}\r\nConnection: close\r\n\r\n`)
    expect(answer.status).toBe(421)
  })

  it('asterisk-form (OPTIONS *) is not served either', async () => {
    const answer = await raw(`OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1:${t.port}\r\nConnection: close\r\n\r\n`)
    expect(answer.status).not.toBe(200)
    expect(answer.status).not.toBe(204)
  })

  it('each refusal is in the privacy log, and the agent keeps serving', async () => {
    const { records } = await t.agent.services.audit.list({ limit: 50 }).then((r) => ({ records: r }))
    expect(records.filter((r) => r.event === 'rejected' && r.errorCode === 'target-not-origin-form').length).toBeGreaterThanOrEqual(3)
    expect((await raw(rpcRequest('/rpc'))).status).toBe(200)
  })
})
