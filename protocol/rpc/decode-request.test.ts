import { describe, expect, it } from 'vitest'
import { decodeRequestBody, type DecodedBody } from './decode-request.js'
import type { JsonRpcErrorResponse } from './json-rpc.js'

function errorOf(body: DecodedBody, index = 0): JsonRpcErrorResponse {
  const item = body.items[index]!
  if (item.ok) throw new Error(`item ${index} was accepted`)
  return item.response
}

describe('decodeRequestBody', () => {
  it('accepts a call and rebuilds it from the known members only', () => {
    const body = decodeRequestBody('{"jsonrpc":"2.0","method":"agent.status","id":"a1","extra":true}')
    expect(body).toEqual({ kind: 'single', items: [{ ok: true, request: { jsonrpc: '2.0', method: 'agent.status', id: 'a1' } }] })
  })

  it('keeps an explicit null id: a (discouraged) call, not a notification', () => {
    const body = decodeRequestBody('{"jsonrpc":"2.0","method":"m","id":null}')
    expect(body.items[0]).toEqual({ ok: true, request: { jsonrpc: '2.0', method: 'm', id: null } })
  })

  it('accepts a fractional id, which the spec only discourages', () => {
    expect(decodeRequestBody('{"jsonrpc":"2.0","method":"m","id":1.5}').items[0]).toMatchObject({ ok: true, request: { id: 1.5 } })
  })

  it.each([
    ['jsonrpc missing', '{"method":"m","id":1}', 1],
    ['jsonrpc 1.0', '{"jsonrpc":"1.0","method":"m","id":1}', 1],
    ['jsonrpc as a number', '{"jsonrpc":2.0,"method":"m","id":1}', 1],
    ['method missing', '{"jsonrpc":"2.0","id":1}', 1],
    ['method not a string', '{"jsonrpc":"2.0","method":["m"],"id":1}', 1],
    ['params a string', '{"jsonrpc":"2.0","method":"m","params":"bar","id":1}', 1],
    ['params null', '{"jsonrpc":"2.0","method":"m","params":null,"id":1}', 1],
    ['id an object', '{"jsonrpc":"2.0","method":"m","id":{}}', null],
    ['id a boolean', '{"jsonrpc":"2.0","method":"m","id":true}', null],
    ['id too large for a double', '{"jsonrpc":"2.0","method":"m","id":1e400}', null],
    ['a JSON string', '"hello"', null],
    ['JSON null', 'null', null],
  ])('refuses %s as Invalid Request, echoing only a readable id', (_name, text, id) => {
    const response = errorOf(decodeRequestBody(text))
    expect(response.id).toBe(id)
    expect(response.error.code).toBe(-32600)
    expect(response.error.data).toMatchObject({ code: 'ERR_INVALID_REQUEST', detail: expect.any(String) })
  })

  it('answers invalid JSON with a Parse error that does not quote the input back', () => {
    const body = decodeRequestBody('{"pin":"1234"')
    expect(body.kind).toBe('single')
    const response = errorOf(body)
    expect(response).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700, data: { code: 'ERR_PARSE' } } })
    expect(JSON.stringify(response)).not.toContain('1234')
  })

  it('answers an empty body with a Parse error', () => {
    expect(errorOf(decodeRequestBody('')).error.code).toBe(-32700)
  })

  it('checks each element of a batch on its own', () => {
    const body = decodeRequestBody('[{"jsonrpc":"2.0","method":"a","id":1},{"jsonrpc":"2.0","method":2,"id":2},{"jsonrpc":"2.0","method":"c"}]')
    expect(body.kind).toBe('batch')
    expect(body.items.map((item) => item.ok)).toEqual([true, false, true])
    expect(errorOf(body, 1)).toMatchObject({ id: 2, error: { code: -32600 } })
  })

  it('refuses a batch above the default limit of 100 as a whole', () => {
    const call = '{"jsonrpc":"2.0","method":"m","id":1}'
    expect(decodeRequestBody(`[${Array(100).fill(call).join(',')}]`).items).toHaveLength(100)
    const body = decodeRequestBody(`[${Array(101).fill(call).join(',')}]`)
    expect(body.kind).toBe('single')
    expect(body.items).toHaveLength(1)
    expect(errorOf(body)).toMatchObject({ id: null, error: { code: -32600, data: { code: 'ERR_INVALID_REQUEST', limit: 100 } } })
  })

  it('takes the batch limit from its options', () => {
    const call = '{"jsonrpc":"2.0","method":"m"}'
    expect(decodeRequestBody(`[${call},${call}]`, { maxBatchSize: 2 }).kind).toBe('batch')
    expect(errorOf(decodeRequestBody(`[${call},${call},${call}]`, { maxBatchSize: 2 })).error.data).toMatchObject({ limit: 2 })
    expect(() => decodeRequestBody('[]', { maxBatchSize: 0 })).toThrow(RangeError)
  })

  it('leaves Object.prototype untouched by __proto__ and constructor keys', () => {
    const hostile = [
      '{"jsonrpc":"2.0","method":"m","id":1,"__proto__":{"polluted":"top"}}',
      '{"jsonrpc":"2.0","method":"m","id":1,"params":{"__proto__":{"polluted":"params"},"constructor":{"prototype":{"polluted":"ctor"}}}}',
      '[{"__proto__":{"polluted":"batch"}},{"jsonrpc":"2.0","method":"__proto__","params":{"__proto__":{"polluted":"x"}}}]',
      '{"__proto__":{"jsonrpc":"2.0","method":"m","id":1}}',
    ]
    const bodies = hostile.map((text) => decodeRequestBody(text))
    // Touch everything the codec handed out, as a dispatcher would.
    JSON.stringify(bodies)

    expect(Object.prototype).not.toHaveProperty('polluted')
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
    // The inherited-looking members were not taken for the call's own.
    expect(bodies[3]!.items[0]!.ok).toBe(false)
    // The key stays what it is in params: an own data property, not a prototype.
    const item = bodies[1]!.items[0]!
    if (!item.ok) throw new Error('refused')
    const params = item.request.params as Record<string, unknown>
    expect(Object.getPrototypeOf(params)).toBe(Object.prototype)
    expect(Object.hasOwn(params, '__proto__')).toBe(true)
  })

  it('never throws on hostile input', () => {
    const inputs = ['', ' ', '[', ']', '[[]]', '[null]', '{}', '0', '-0', 'true', '"\\u0000"', '[' + '['.repeat(5000), '{"a":'.repeat(3000)]
    for (const text of inputs) expect(() => decodeRequestBody(text)).not.toThrow()
  })
})
