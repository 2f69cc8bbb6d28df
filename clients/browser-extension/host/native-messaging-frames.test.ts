import { describe, expect, it } from 'vitest'
import { createFrameDecoder, encodeFrame, type FrameEvent } from './native-messaging-frames.js'

function decodeAll(chunks: Uint8Array[], maxBytes = 1024): FrameEvent[] {
  const events: FrameEvent[] = []
  const push = createFrameDecoder(maxBytes, (e) => events.push(e))
  for (const chunk of chunks) push(chunk)
  return events
}

function header(length: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32LE(length, 0)
  return b
}

describe('native messaging frames', () => {
  it('encodes a 32-bit little-endian length, then the UTF-8 JSON', () => {
    const frame = encodeFrame({ id: 1, text: 'é'.repeat(150) })
    const body = `{"id":1,"text":"${'é'.repeat(150)}"}`
    // 318 bytes (é is two): 318 = 0x013e, least significant byte first.
    expect(Buffer.byteLength(body)).toBe(318)
    expect([...frame.subarray(0, 4)]).toEqual([0x3e, 0x01, 0, 0])
    expect(frame.subarray(4).toString('utf8')).toBe(body)
  })

  it('decodes a frame delivered one byte at a time (the prefix split too)', () => {
    const frame = encodeFrame({ jsonrpc: '2.0', id: 7, params: { envelope: '<a>€</a>' } })
    const events = decodeAll([...frame].map((byte) => Uint8Array.of(byte)))
    expect(events).toEqual([{ kind: 'message', value: { jsonrpc: '2.0', id: 7, params: { envelope: '<a>€</a>' } } }])
  })

  it('decodes several frames in one chunk, and a frame whose end arrives with the next one', () => {
    const a = encodeFrame({ n: 1 })
    const b = encodeFrame({ n: 2 })
    const c = encodeFrame({ n: 3 })
    const all = Buffer.concat([a, b, c])
    const cut = a.length + b.length + 3
    const events = decodeAll([all.subarray(0, cut), all.subarray(cut)])
    expect(events).toEqual([1, 2, 3].map((n) => ({ kind: 'message', value: { n } })))
  })

  it('a multi-byte character split across chunks is decoded whole', () => {
    const frame = encodeFrame({ s: '€€€' })
    const at = frame.indexOf(0xe2) + 1
    expect(decodeAll([frame.subarray(0, at), frame.subarray(at)])).toEqual([{ kind: 'message', value: { s: '€€€' } }])
  })

  it('refuses an oversize length prefix without buffering the body, and stays in step after it', () => {
    const events = decodeAll([header(5000), Buffer.alloc(3000, 0x41)], 1024)
    expect(events).toEqual([{ kind: 'oversize', length: 5000, limit: 1024 }])
    // The rest of the skipped body, then a good frame in the same chunk.
    const next: FrameEvent[] = []
    const push = createFrameDecoder(1024, (e) => next.push(e))
    push(Buffer.concat([header(5000), Buffer.alloc(3000)]))
    push(Buffer.concat([Buffer.alloc(2000), encodeFrame({ after: true })]))
    expect(next).toEqual([{ kind: 'oversize', length: 5000, limit: 1024 }, { kind: 'message', value: { after: true } }])
  })

  it('a length prefix of 4 GiB - 1 is refused at once', () => {
    expect(decodeAll([header(0xffffffff)], 32 * 1024 * 1024)).toEqual([{ kind: 'oversize', length: 0xffffffff, limit: 32 * 1024 * 1024 }])
  })

  it('reports a body that is not JSON or not UTF-8, and the next frame still decodes', () => {
    const notJson = Buffer.from('{nope')
    const notUtf8 = Buffer.from([0x22, 0xff, 0x22])
    const events = decodeAll([Buffer.concat([header(notJson.length), notJson, header(notUtf8.length), notUtf8, header(0), encodeFrame(1)])])
    expect(events).toEqual([
      { kind: 'invalid', detail: 'the message is not JSON' },
      { kind: 'invalid', detail: 'the message is not UTF-8' },
      { kind: 'invalid', detail: 'the message is not JSON' },
      { kind: 'message', value: 1 },
    ])
  })

  it('a frame of exactly the limit is accepted', () => {
    const body = JSON.stringify('x'.repeat(1022))
    expect(Buffer.byteLength(body)).toBe(1024)
    expect(decodeAll([Buffer.concat([header(1024), Buffer.from(body)])], 1024)).toEqual([{ kind: 'message', value: 'x'.repeat(1022) }])
  })
})
