/**
 * The load generator's HTTP/1.1 response reader: it is fed a socket's bytes as they arrive and
 * keeps none of them beyond a response's head and the first bytes of its body. It reports each
 * complete response with its status and whether the body holds a marker (`"result"`), found with
 * Buffer.indexOf over each piece and over the seams between pieces.
 *
 * Why it keeps nothing: the bytes come from one read buffer per connection (net's `onread`), so
 * reading answers allocates no memory outside V8's heap (only a few small strings and objects in it). Per-read Buffers are external memory to V8, and their
 * churn (10-20 MB/s at the bench's rates) made the generator run a full mark-compact about once
 * a second. Those pauses stalled its sends and took both cores from the agent for 10-15 ms (perf
 * sched), which showed up as the agent's p99 at half rate.
 *
 * Framing: Content-Length or chunked (RFC 9112 §6.3, §7.1); a chunked answer is expected to
 * carry no trailer fields, since the agent sends none (a trailer line is skipped if one comes).
 */

/** One complete response. */
export interface ReadResponse {
  status: number
  /** Whether the body contains the marker. */
  hasMarker: boolean
  /** The body's first bytes when the answer is refused (not 200, or no marker), for the error; '' otherwise. */
  bodyStart: string
}

/** What {@link createResponseReader} returns: feed it `bytes[start, end)`. */
export type FeedBytes = (bytes: Buffer, start: number, end: number) => void

const MAX_HEAD_BYTES = 16 * 1024
const BODY_START_BYTES = 300
const CR = 0x0d
const LF = 0x0a

/** A reader that calls `onResponse` for each complete response; a malformed one throws. */
export function createResponseReader(marker: Buffer, onResponse: (response: ReadResponse) => void): FeedBytes {
  if (marker.length === 0) throw new Error('the marker must not be empty')
  const head = Buffer.allocUnsafe(MAX_HEAD_BYTES)
  const seam = Buffer.allocUnsafe(2 * marker.length)
  const carry = Buffer.allocUnsafe(marker.length) // the body's last bytes so far, for the next seam
  const start = Buffer.allocUnsafe(BODY_START_BYTES)

  let state: 'head' | 'body' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailer' = 'head'
  let headLength = 0
  let status = 0
  let remaining = 0 // body bytes (Content-Length) or chunk bytes left
  let chunked = false
  let line = '' // a chunk-size or trailer line being read
  let hasMarker = false
  let carried = 0
  let startLength = 0

  function beginResponse(): void {
    state = 'head'
    headLength = 0
    hasMarker = false
    carried = 0
    startLength = 0
  }

  function finishResponse(): void {
    const refused = status !== 200 || !hasMarker
    const response = { status, hasMarker, bodyStart: refused ? start.toString('utf8', 0, startLength) : '' }
    beginResponse()
    onResponse(response)
  }

  /** Body bytes `bytes[from, to)`: note the first ones and look for the marker. */
  function bodyPiece(bytes: Buffer, from: number, to: number): void {
    if (startLength < BODY_START_BYTES) startLength += bytes.copy(start, startLength, from, Math.min(to, from + BODY_START_BYTES - startLength))
    if (hasMarker || to === from) return
    if (carried > 0) {
      // The marker may straddle the seam: the carried bytes and the piece's first ones.
      carry.copy(seam, 0, 0, carried)
      const taken = bytes.copy(seam, carried, from, Math.min(to, from + marker.length - 1))
      if (seam.subarray(0, carried + taken).indexOf(marker) >= 0) {
        hasMarker = true
        return
      }
    }
    const hit = bytes.indexOf(marker, from)
    if (hit >= 0 && hit + marker.length <= to) {
      hasMarker = true
      return
    }
    // Keep the last marker.length - 1 bytes seen (the carry and this piece together).
    const keep = marker.length - 1
    const fromPiece = Math.min(keep, to - from)
    const fromCarry = Math.min(carried, keep - fromPiece)
    carry.copy(carry, 0, carried - fromCarry, carried)
    bytes.copy(carry, fromCarry, to - fromPiece, to)
    carried = fromCarry + fromPiece
  }

  /** Parse the head read so far; true when the response has no body left to read. */
  function parseHead(): boolean {
    const text = head.toString('latin1', 0, headLength)
    if (!/^HTTP\/1\.[01] \d{3}/.test(text)) throw new Error(`not an HTTP/1.x response: ${JSON.stringify(text.slice(0, 80))}`)
    status = Number(text.slice(9, 12))
    chunked = /\r\ntransfer-encoding:[ \t]*chunked/i.test(text)
    const length = /\r\ncontent-length:[ \t]*(\d+)/i.exec(text)
    if (chunked) state = 'chunk-size'
    else if (length) {
      remaining = Number(length[1])
      state = 'body'
    } else throw new Error('a response with neither Content-Length nor chunked framing')
    line = ''
    return !chunked && remaining === 0
  }

  /** A whole line of the chunked framing: the CRLF after a chunk's data, a chunk size, or a trailer line. */
  function onLine(text: string): void {
    if (state === 'chunk-end') {
      if (text !== '') throw new Error('chunk data longer than its size')
      state = 'chunk-size'
    } else if (state === 'chunk-size') {
      const size = parseInt(text.split(';')[0]!.trim(), 16)
      if (!Number.isFinite(size) || size < 0) throw new Error(`a bad chunk size ${JSON.stringify(text)}`)
      if (size === 0) state = 'trailer'
      else {
        remaining = size
        state = 'chunk-data'
      }
    } else if (text === '') finishResponse() // the empty line that ends the trailer section
  }

  /** Read a CRLF-terminated line from `bytes[at, end)` into `line`; the index after it, or -1 if it goes on. */
  function readLine(bytes: Buffer, at: number, end: number): number {
    const lf = bytes.indexOf(LF, at)
    if (lf < 0 || lf >= end) {
      line += bytes.toString('latin1', at, end)
      if (line.length > 1024) throw new Error('a chunk-size, chunk-end or trailer line of over 1 KB')
      return -1
    }
    line += bytes.toString('latin1', at, lf)
    if (line.charCodeAt(line.length - 1) === CR) line = line.slice(0, -1)
    return lf + 1
  }

  return (bytes, from, end) => {
    let at = from
    while (at < end) {
      switch (state) {
        case 'head': {
          const before = headLength
          const take = Math.min(end - at, MAX_HEAD_BYTES - headLength)
          bytes.copy(head, headLength, at, at + take)
          headLength += take
          const found = head.subarray(0, headLength).indexOf('\r\n\r\n', Math.max(0, before - 3), 'latin1')
          if (found < 0) {
            if (headLength === MAX_HEAD_BYTES) throw new Error(`a response head of over ${MAX_HEAD_BYTES} bytes`)
            at += take
            break
          }
          at += found + 4 - before
          headLength = found + 4
          if (parseHead()) finishResponse()
          break
        }
        case 'body':
        case 'chunk-data': {
          const take = Math.min(end - at, remaining)
          bodyPiece(bytes, at, at + take)
          at += take
          remaining -= take
          if (remaining > 0) break
          if (state === 'body') finishResponse()
          else state = 'chunk-end'
          break
        }
        case 'chunk-end':
        case 'chunk-size':
        case 'trailer': {
          const next = readLine(bytes, at, end)
          if (next < 0) return
          at = next
          const text = line
          line = ''
          onLine(text)
          break
        }
      }
    }
  }
}
