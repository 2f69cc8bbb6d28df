import { describe, expect, it } from 'vitest'
import { decodeRequestBody } from './decode-request.js'
import { encodeError, encodeReply, encodeSuccess } from './encode-response.js'
import { AgentError } from '../errors.js'
import { isNotification, type JsonRpcParams, type JsonRpcResponse } from './json-rpc.js'

// Every example of https://www.jsonrpc.org/specification §7, sent through the codec and a toy
// dispatcher that stands in for the agent's. The spec's error messages are only examples, so
// error responses are compared on `code` and `id`; our `message` and `data` are checked elsewhere.

const METHODS = new Map<string, (params: JsonRpcParams | undefined) => unknown>([
  ['subtract', (p) => (Array.isArray(p) ? (p[0] as number) - (p[1] as number) : (p!['minuend'] as number) - (p!['subtrahend'] as number))],
  ['sum', (p) => (p as number[]).reduce((a, b) => a + b, 0)],
  ['get_data', () => ['hello', 5]],
  ['update', () => undefined],
  ['notify_hello', () => undefined],
  ['notify_sum', () => undefined],
  ['notification', () => undefined],
])

/** What a server built on the codec sends back for `text`: JSON text, or undefined for nothing. */
function serve(text: string): string | undefined {
  const body = decodeRequestBody(text)
  const responses: JsonRpcResponse[] = []
  for (const item of body.items) {
    if (!item.ok) {
      responses.push(item.response)
      continue
    }
    const { request } = item
    const method = METHODS.get(request.method)
    if (isNotification(request)) {
      method?.(request.params)
      continue
    }
    responses.push(method ? encodeSuccess(request.id, method(request.params)) : encodeError(request.id, new AgentError('ERR_METHOD_NOT_FOUND')))
  }
  const reply = encodeReply(body.kind, responses)
  return reply === undefined ? undefined : JSON.stringify(reply)
}

type Loose = { error?: { code: number; message?: string; data?: unknown } }
function normalize(json: string): unknown {
  const strip = (r: Loose): unknown => (r.error ? { ...r, error: { code: r.error.code } } : r)
  const value = JSON.parse(json) as Loose | Loose[]
  return Array.isArray(value) ? value.map(strip) : strip(value)
}

function expectExchange(request: string, expected: string | undefined): void {
  const actual = serve(request)
  if (expected === undefined) expect(actual).toBeUndefined()
  else expect(normalize(actual!)).toEqual(normalize(expected))
}

describe('JSON-RPC 2.0 §7 examples', () => {
  it('rpc call with positional parameters', () => {
    expectExchange('{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}', '{"jsonrpc": "2.0", "result": 19, "id": 1}')
    expectExchange('{"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}', '{"jsonrpc": "2.0", "result": -19, "id": 2}')
  })

  it('rpc call with named parameters', () => {
    expectExchange(
      '{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}',
      '{"jsonrpc": "2.0", "result": 19, "id": 3}',
    )
    expectExchange(
      '{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}',
      '{"jsonrpc": "2.0", "result": 19, "id": 4}',
    )
  })

  it('a notification gets no answer', () => {
    expectExchange('{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}', undefined)
    expectExchange('{"jsonrpc": "2.0", "method": "foobar"}', undefined)
  })

  it('rpc call of non-existent method (the dispatcher\'s answer, encoded)', () => {
    expectExchange(
      '{"jsonrpc": "2.0", "method": "foobar", "id": "1"}',
      '{"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": "1"}',
    )
  })

  it('rpc call with invalid JSON', () => {
    expectExchange(
      '{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]',
      '{"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null}',
    )
  })

  it('rpc call with invalid Request object', () => {
    expectExchange(
      '{"jsonrpc": "2.0", "method": 1, "params": "bar"}',
      '{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}',
    )
  })

  it('rpc call Batch, invalid JSON', () => {
    expectExchange(
      `[
        {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
        {"jsonrpc": "2.0", "method"
      ]`,
      '{"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null}',
    )
  })

  it('rpc call with an empty Array is one Invalid Request, not an array', () => {
    expectExchange('[]', '{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}')
  })

  it('rpc call with an invalid Batch (but not empty)', () => {
    expectExchange('[1]', '[{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}]')
  })

  it('rpc call with invalid Batch of three', () => {
    expectExchange(
      '[1,2,3]',
      `[
        {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
        {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
        {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}
      ]`,
    )
  })

  it('rpc call Batch mixing calls, notifications and errors', () => {
    expectExchange(
      `[
        {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
        {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
        {"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},
        {"foo": "boo"},
        {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
        {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
      ]`,
      `[
        {"jsonrpc": "2.0", "result": 7, "id": "1"},
        {"jsonrpc": "2.0", "result": 19, "id": "2"},
        {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
        {"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": "5"},
        {"jsonrpc": "2.0", "result": ["hello", 5], "id": "9"}
      ]`,
    )
  })

  it('rpc call Batch (all notifications) gets no answer at all', () => {
    expectExchange(
      `[
        {"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]},
        {"jsonrpc": "2.0", "method": "notification", "params": [7]}
      ]`,
      undefined,
    )
  })
})
