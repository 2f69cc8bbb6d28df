import { describe, expect, it } from 'vitest'
import { decodeError, decodeResponse } from './decode-response.js'
import { encodeRequest } from './encode-request.js'
import { encodeError, encodeSuccess } from './encode-response.js'
import { AgentError, ERROR_CODES } from '../errors.js'

/** Through the wire and back, as a client sees it. */
function overTheWire(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value))
}

describe('decodeResponse', () => {
  it('reads a result', () => {
    expect(decodeResponse(overTheWire(encodeSuccess('a1', { ok: true })))).toEqual({ ok: true, id: 'a1', result: { ok: true } })
  })

  it('round-trips an AgentError: same code, message, data and number', () => {
    const sent = new AgentError('ERR_STS_REJECTED', 'the eHealth STS refused the request', {
      ehealth: { code: 'SOA-02001', messages: ['invalid claim'] },
    })
    const answer = decodeResponse(overTheWire(encodeError(5, sent)))
    if (answer.ok) throw new Error('expected an error')
    expect(answer.id).toBe(5)
    expect(answer.error).toBeInstanceOf(AgentError)
    expect(answer.error.code).toBe('ERR_STS_REJECTED')
    expect(answer.error.message).toBe(sent.message)
    expect(answer.error.data).toEqual(sent.data)
    expect(answer.error.rpcCode).toBe(sent.rpcCode)
    expect(answer.error.hint).toBe(sent.hint)
  })

  it('round-trips every code in the table', () => {
    for (const code of Object.keys(ERROR_CODES) as (keyof typeof ERROR_CODES)[]) {
      const answer = decodeResponse(overTheWire(encodeError(1, new AgentError(code))))
      expect(answer.ok ? undefined : answer.error.code).toBe(code)
    }
  })

  it('keeps a hint refined for one occurrence', () => {
    const answer = decodeResponse(overTheWire(encodeError(1, new AgentError('ERR_RATE_LIMITED', undefined, { hint: 'wait 2 s', retryAfterMs: 2000 }))))
    expect(answer.ok ? undefined : answer.error.data).toEqual({ hint: 'wait 2 s', retryAfterMs: 2000 })
  })

  it.each([
    ['not an object', 'hello'],
    ['an array', [encodeSuccess(1, 1)]],
    ['jsonrpc 1.0', { jsonrpc: '1.0', result: 1, id: 1 }],
    ['no id', { jsonrpc: '2.0', result: 1 }],
    ['both result and error', { jsonrpc: '2.0', result: 1, error: { code: -32603, message: 'x' }, id: 1 }],
    ['neither result nor error', { jsonrpc: '2.0', id: 1 }],
  ])('turns %s into ERR_REMOTE_PROTOCOL', (_name, value) => {
    const answer = decodeResponse(value)
    expect(answer.ok).toBe(false)
    expect(answer.ok ? undefined : answer.error.code).toBe('ERR_REMOTE_PROTOCOL')
  })
})

describe('decodeError', () => {
  it('falls back to the JSON-RPC number when data.code is unknown or absent', () => {
    expect(decodeError({ code: -32601, message: 'Method not found' }).code).toBe('ERR_METHOD_NOT_FOUND')
    expect(decodeError({ code: -32020, message: 'x', data: { code: 'ERR_FROM_A_NEWER_AGENT' } }).code).toBe('ERR_NOT_LOGGED_IN')
  })

  it('falls back to ERR_INTERNAL for a number it does not know', () => {
    const err = decodeError({ code: -31999, message: 'server error', data: { code: 'toString', reason: 'x' } })
    expect(err.code).toBe('ERR_INTERNAL')
    expect(err.message).toBe('server error')
    expect(err.data).toEqual({ reason: 'x' })
  })

  it('uses the table message when the wire has none', () => {
    expect(decodeError({ code: -32012 }).message).toBe(ERROR_CODES.ERR_PIN_INCORRECT.message)
  })

  it('turns a malformed error object into ERR_REMOTE_PROTOCOL', () => {
    for (const value of [null, 'boom', { message: 'no code' }, { code: '-32600' }]) {
      expect(decodeError(value).code).toBe('ERR_REMOTE_PROTOCOL')
    }
  })

  it('keeps a __proto__ key in the data as plain data', () => {
    const err = decodeError(JSON.parse('{"code":-32603,"message":"x","data":{"code":"ERR_INTERNAL","__proto__":{"polluted":1}}}'))
    expect(Object.prototype).not.toHaveProperty('polluted')
    expect(Object.getPrototypeOf(err.data)).toBe(Object.prototype)
  })
})

describe('encodeRequest', () => {
  it('writes a call with params', () => {
    expect(JSON.stringify(encodeRequest('subtract', [42, 23], 1))).toBe('{"jsonrpc":"2.0","method":"subtract","params":[42,23],"id":1}')
  })

  it('leaves params out when there are none', () => {
    expect(encodeRequest('agent.status', undefined, 'a1')).toEqual({ jsonrpc: '2.0', method: 'agent.status', id: 'a1' })
  })
})
