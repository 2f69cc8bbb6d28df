/**
 * Chrome's native messaging framing (https://developer.chrome.com/docs/extensions/develop/concepts/native-messaging#native-messaging-host-protocol):
 * each message is a 32-bit length in native byte order, then that many bytes of UTF-8 JSON, on
 * stdin (browser to host) and stdout (host to browser). Native byte order is little-endian on
 * every platform Chrome runs native hosts on (x86-64, ARM64), so it is written as such here.
 *
 * @module
 */

/** Bytes of the length prefix. */
export const FRAME_HEADER_BYTES = 4

/**
 * The largest message a host may send to the browser: Chrome closes the port on anything bigger
 * (`kMaximumNativeMessageSize`, 1024 * 1024, in Chromium's native_message_process_host.cc).
 */
export const NATIVE_ANSWER_MAX_BYTES = 1024 * 1024

/**
 * The largest message this host reads. The extension forwards envelopes of at most 4 Mi
 * characters (extension/page-request.js), and Chrome's JSON writer may spell a character of XML
 * as a six-byte `\u003C` escape; anything bigger is skipped unread.
 */
export const REQUEST_FRAME_MAX_BYTES = 32 * 1024 * 1024

/** What the decoder makes of the bytes it is given, one event per frame. */
export type FrameEvent =
  | { kind: 'message'; value: unknown }
  /** The body is not UTF-8 JSON; the stream stays in step (the length said where it ends). */
  | { kind: 'invalid'; detail: string }
  /** The length prefix exceeds the limit: the body is skipped without being buffered. */
  | { kind: 'oversize'; length: number; limit: number }

/**
 * One frame for `value` (JSON-encoded), ready to write to stdout in a single write, so that
 * concurrent answers never interleave. Checking its size against NATIVE_ANSWER_MAX_BYTES is the
 * caller's job: only the caller knows what to answer instead.
 *
 * @example
 * ```ts
 * process.stdout.write(encodeFrame({ jsonrpc: '2.0', id: 1, result: {} }))
 * ```
 */
export function encodeFrame(value: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(value), 'utf8')
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length)
  frame.writeUInt32LE(body.length, 0)
  body.copy(frame, FRAME_HEADER_BYTES)
  return frame
}

/**
 * A streaming decoder: feed it whatever chunks stdin delivers (a prefix split over two reads,
 * several frames in one chunk) and it calls `emit` once per complete frame. A body is copied once
 * into a buffer of its announced size, never re-concatenated, and a frame longer than `maxBytes`
 * is reported and skipped as it streams past, so a hostile length prefix cannot make the host
 * allocate it.
 *
 * @example
 * ```ts
 * const push = createFrameDecoder(REQUEST_FRAME_MAX_BYTES, (event) => handle(event))
 * process.stdin.on('data', push)
 * ```
 */
export function createFrameDecoder(maxBytes: number, emit: (event: FrameEvent) => void): (chunk: Uint8Array) => void {
  const header = Buffer.alloc(FRAME_HEADER_BYTES)
  let headerFill = 0
  let body: Buffer | undefined
  let bodyFill = 0
  let skipping = 0
  const utf8 = new TextDecoder('utf-8', { fatal: true })

  return (chunk) => {
    let offset = 0
    while (offset < chunk.length) {
      if (skipping > 0) {
        const take = Math.min(skipping, chunk.length - offset)
        skipping -= take
        offset += take
        continue
      }
      if (body === undefined) {
        const take = Math.min(FRAME_HEADER_BYTES - headerFill, chunk.length - offset)
        header.set(chunk.subarray(offset, offset + take), headerFill)
        headerFill += take
        offset += take
        if (headerFill < FRAME_HEADER_BYTES) break
        headerFill = 0
        const length = header.readUInt32LE(0)
        if (length > maxBytes) {
          skipping = length
          emit({ kind: 'oversize', length, limit: maxBytes })
          continue
        }
        body = Buffer.allocUnsafe(length)
        bodyFill = 0
      }
      const take = Math.min(body.length - bodyFill, chunk.length - offset)
      body.set(chunk.subarray(offset, offset + take), bodyFill)
      bodyFill += take
      offset += take
      if (bodyFill === body.length) {
        const complete = body
        body = undefined
        emit(parseBody(complete, utf8))
      }
    }
  }
}

function parseBody(bytes: Buffer, utf8: TextDecoder): FrameEvent {
  let text: string
  try {
    text = utf8.decode(bytes)
  } catch {
    return { kind: 'invalid', detail: 'the message is not UTF-8' }
  }
  try {
    return { kind: 'message', value: JSON.parse(text) as unknown }
  } catch {
    return { kind: 'invalid', detail: 'the message is not JSON' }
  }
}
