import { encodeError, encodeSuccess } from '../../../protocol/rpc/encode-response.js'
import { AgentError, isAgentError } from '../../../protocol/errors.js'
import type { JsonRpcId } from '../../../protocol/rpc/json-rpc.js'
import type { MethodParams, MethodResults } from '../../../protocol/rpc/methods.js'
import { createFrameDecoder, encodeFrame, FRAME_HEADER_BYTES, NATIVE_ANSWER_MAX_BYTES, REQUEST_FRAME_MAX_BYTES, type FrameEvent } from './native-messaging-frames.js'
import { readHostRequest, tooLargeForNativeMessaging } from './read-host-request.js'

/** Options of {@link runHost}; the streams and the agent are injected. */
export interface RunHostOptions {
  /** Chrome's side of the pipe: stdin in production. */
  input: AsyncIterable<Uint8Array>
  /** Writes one whole frame (stdout in production); the only thing ever written there. */
  writeFrame: (frame: Buffer) => void
  /** Sign for the web page of `origin` (as the browser reported it to the extension). */
  sign: (params: MethodParams<'soap.sign'>, origin: string) => Promise<MethodResults['soap.sign']>
  /** One line per request (origin, method, outcome; never an envelope), and unexpected errors. */
  log?: (line: string) => void
  /** Largest message read; REQUEST_FRAME_MAX_BYTES by default. */
  maxRequestBytes?: number
}

/**
 * The native messaging host's loop: read frames from the extension, answer each with one
 * JSON-RPC frame under the same id, in whatever order the agent finishes them. Resolves when the
 * browser closes the pipe and every request under way has been answered (or found its pipe
 * gone), so a pairing the user is approving is not cut off halfway.
 */
export async function runHost(options: RunHostOptions): Promise<void> {
  const log = options.log ?? (() => undefined)
  const underway = new Set<Promise<void>>()

  const answer = (id: JsonRpcId, response: ReturnType<typeof encodeSuccess> | ReturnType<typeof encodeError>) => {
    let frame = encodeFrame(response)
    // Chrome closes the port on a bigger message, failing every other request with it.
    if (frame.length - FRAME_HEADER_BYTES > NATIVE_ANSWER_MAX_BYTES) frame = encodeFrame(encodeError(id, tooLargeForNativeMessaging()))
    options.writeFrame(frame)
  }

  const handle = async (event: FrameEvent): Promise<void> => {
    if (event.kind === 'oversize') {
      answer(null, encodeError(null, new AgentError('ERR_INVALID_REQUEST', 'the message is larger than this host reads', { limit: event.limit, reason: 'message-too-large' })))
      return
    }
    if (event.kind === 'invalid') {
      answer(null, encodeError(null, new AgentError('ERR_PARSE', event.detail)))
      return
    }
    const read = readHostRequest(event.value)
    if (!read.ok) {
      answer(read.id, encodeError(read.id, read.error))
      return
    }
    const { id, origin, params } = read.request
    try {
      const result = await options.sign(params, origin)
      log(`soap.sign for ${origin}: ok`)
      answer(id, encodeSuccess(id, result))
    } catch (err) {
      if (isAgentError(err)) log(`soap.sign for ${origin}: ${err.code}`)
      else log(`soap.sign for ${origin}: unexpected ${(err as Error)?.stack ?? String(err)}`)
      answer(id, encodeError(id, err))
    }
  }

  const decode = createFrameDecoder(options.maxRequestBytes ?? REQUEST_FRAME_MAX_BYTES, (event) => {
    const task = handle(event).catch((err: unknown) => log(`cannot answer: ${(err as Error)?.message ?? String(err)}`))
    underway.add(task)
    void task.finally(() => underway.delete(task))
  })
  for await (const chunk of options.input) decode(chunk)
  await Promise.all(underway)
}
