import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { AgentError } from '../../../protocol/errors.js'
import type { MethodParams, MethodResults } from '../../../protocol/rpc/methods.js'
import { createFrameDecoder, encodeFrame, type FrameEvent } from './native-messaging-frames.js'
import { runHost } from './run-host.js'

const envelope = '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>CANARY-body</soapenv:Body></soapenv:Envelope>'
const request = (id: number | string, env = envelope) => ({ jsonrpc: '2.0', id, method: 'soap.sign', params: { envelope: env }, origin: 'http://127.0.0.1:8080' })

/** Run the host over in-memory pipes; returns what it wrote, decoded, once the input has ended. */
async function converse(chunks: Buffer[], sign: (p: MethodParams<'soap.sign'>, origin: string) => Promise<MethodResults['soap.sign']>) {
  const input = new PassThrough()
  const out: FrameEvent[] = []
  const raw: Buffer[] = []
  const decode = createFrameDecoder(64 * 1024 * 1024, (e) => out.push(e))
  const logs: string[] = []
  const done = runHost({
    input,
    writeFrame: (frame) => {
      raw.push(frame)
      decode(frame)
    },
    sign,
    log: (line) => logs.push(line),
    maxRequestBytes: 8 * 1024 * 1024,
  })
  for (const c of chunks) input.write(c)
  input.end()
  await done
  const answers = out.map((e) => (e.kind === 'message' ? (e.value as { id: unknown; result?: { envelope: string }; error?: { code: number; message: string; data: Record<string, unknown> } }) : undefined))
  return { answers, raw, logs }
}

const signed = (p: MethodParams<'soap.sign'>): MethodResults['soap.sign'] => ({ envelope: p.envelope.replace('<soapenv:Body>', '<soapenv:Header>signed</soapenv:Header><soapenv:Body>'), assertionId: '_a1', signedAt: '2025-01-01T00:00:00.000Z' })

describe('runHost', () => {
  it('hands the agent the origin the extension reported for each request, never one from the params', async () => {
    const origins: string[] = []
    const other = { ...request(3), origin: 'https://app.example.be' }
    const { answers } = await converse([encodeFrame(request(1)), encodeFrame(other)], async (p, origin) => (origins.push(origin), signed(p)))
    expect(answers.map((a) => a?.id).sort()).toEqual([1, 3])
    expect(origins.sort()).toEqual(['http://127.0.0.1:8080', 'https://app.example.be'])
    // A page cannot add its own idea of its origin to the params: the agent's schema refuses it.
    const sneaky = { ...request(4), params: { envelope, origin: 'https://bank.example' } }
    const refused = await converse([encodeFrame(sneaky)], async () => Promise.reject(new Error('must not be called')))
    expect(refused.answers[0]?.error?.data.code).toBe('ERR_INVALID_PARAMS')
  })

  it('answers every request under its own id, in the order the agent finishes them', async () => {
    const slowEnvelope = envelope.replace('CANARY-body', 'slow')
    const { answers, raw } = await converse([Buffer.concat([encodeFrame(request('slow', slowEnvelope)), encodeFrame(request(2))])], async (p) => {
      if (p.envelope === slowEnvelope) await new Promise((r) => setTimeout(r, 20))
      return signed(p)
    })
    expect(answers.map((a) => a?.id)).toEqual([2, 'slow'])
    expect(answers[1]).toEqual({ jsonrpc: '2.0', id: 'slow', result: signed({ envelope: slowEnvelope }) })
    expect(answers[0]?.result?.envelope).toContain('<soapenv:Header>signed</soapenv:Header><soapenv:Body>CANARY-body')
    // Each write is one whole frame, so concurrent answers cannot interleave on stdout.
    for (const frame of raw) expect(frame.readUInt32LE(0) + 4).toBe(frame.length)
  })

  it('waits for a request under way (a pairing being approved) before it resolves', async () => {
    let release!: () => void
    const slow = new Promise<void>((r) => (release = r))
    const input = new PassThrough()
    const frames: Buffer[] = []
    let ended = false
    const done = runHost({ input, writeFrame: (f) => frames.push(f), sign: async (p) => (await slow, signed(p)) }).then(() => (ended = true))
    input.end(encodeFrame(request(1)))
    await new Promise((r) => setTimeout(r, 20))
    expect(ended).toBe(false)
    release()
    await done
    expect(frames).toHaveLength(1)
  })

  it('passes the agent\'s typed errors through with their data; an unexpected error says nothing of itself', async () => {
    let answersSeen = 0
    const { answers, logs } = await converse([encodeFrame(request(1)), encodeFrame(request(2))], async (p) => {
      void p
      if (answersSeen++ === 0) throw new AgentError('ERR_PIN_INCORRECT', undefined, { retriesLeft: 2 })
      throw new Error('ENOENT /home/dr/secret/path')
    })
    expect(answers[0]).toMatchObject({ id: 1, error: { code: -32012, data: { code: 'ERR_PIN_INCORRECT', retriesLeft: 2 } } })
    expect(answers[1]).toMatchObject({ id: 2, error: { code: -32603, message: 'internal error', data: { code: 'ERR_INTERNAL' } } })
    expect(JSON.stringify(answers[1])).not.toContain('/home/dr')
    // The log names origin and outcome, never the envelope.
    expect(logs[0]).toBe('soap.sign for http://127.0.0.1:8080: ERR_PIN_INCORRECT')
    expect(logs.join('\n')).not.toContain('CANARY')
  })
  it('refuses an oversize message (id null) and an unparsable one, then serves the next request', async () => {
    const header = Buffer.alloc(4)
    header.writeUInt32LE(9 * 1024 * 1024)
    const { answers } = await converse(
      [header, Buffer.alloc(9 * 1024 * 1024, 0x20), Buffer.from([3, 0, 0, 0]), Buffer.from('{x]'), encodeFrame(request(5))],
      async (p) => signed(p),
    )
    expect(answers).toEqual([
      expect.objectContaining({ id: null, error: expect.objectContaining({ code: -32600, data: expect.objectContaining({ code: 'ERR_INVALID_REQUEST', reason: 'message-too-large', limit: 8 * 1024 * 1024 }) }) }),
      expect.objectContaining({ id: null, error: expect.objectContaining({ code: -32700, data: expect.objectContaining({ code: 'ERR_PARSE' }) }) }),
      expect.objectContaining({ id: 5, result: expect.any(Object) }),
    ])
  })

  it('an invalid request is answered under its id without reaching the agent', async () => {
    let asked = 0
    const { answers } = await converse([encodeFrame({ ...request(9), method: 'client.revoke' })], async (p) => (asked++, signed(p)))
    expect(answers[0]).toMatchObject({ id: 9, error: { data: { code: 'ERR_METHOD_NOT_FOUND' } } })
    expect(asked).toBe(0)
  })

  it('never writes a frame over 1 MiB: a signed envelope that grew past it becomes ERR_XML_TOO_LARGE', async () => {
    const nearLimit = envelope.replace('CANARY-body', 'x'.repeat(1024 * 1024 - 1000))
    const { answers, raw } = await converse([encodeFrame(request(4, nearLimit))], async (p) => ({ ...signed(p), envelope: p.envelope + ' '.repeat(5000) }))
    expect(answers[0]).toMatchObject({ id: 4, error: { code: -32042, data: { code: 'ERR_XML_TOO_LARGE', limit: 1024 * 1024, reason: 'native-messaging-limit' } } })
    expect(raw.every((f) => f.length - 4 <= 1024 * 1024)).toBe(true)
  })
})
