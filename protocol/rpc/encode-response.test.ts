import { describe, expect, it } from 'vitest'
import { encodeError, encodeReply, encodeSuccess } from './encode-response.js'
import { AgentError, ERROR_CODES } from '../errors.js'

describe('encodeSuccess', () => {
  it('writes the result and the id', () => {
    expect(encodeSuccess('9', ['hello', 5])).toEqual({ jsonrpc: '2.0', result: ['hello', 5], id: '9' })
  })

  it('turns an undefined result into null, so the member survives JSON.stringify', () => {
    expect(JSON.stringify(encodeSuccess(1, undefined))).toBe('{"jsonrpc":"2.0","result":null,"id":1}')
  })
})

describe('encodeError', () => {
  it('writes an AgentError with its number, message, string code, hint and data', () => {
    const response = encodeError(7, new AgentError('ERR_PIN_INCORRECT', 'the PIN is incorrect (2 tries left)', { retriesLeft: 2 }))
    expect(response).toEqual({
      jsonrpc: '2.0',
      id: 7,
      error: {
        code: -32012,
        message: 'the PIN is incorrect (2 tries left)',
        data: { code: 'ERR_PIN_INCORRECT', hint: ERROR_CODES.ERR_PIN_INCORRECT.hint, retriesLeft: 2 },
      },
    })
  })

  it('never lets the data override the stable code', () => {
    const response = encodeError(1, new AgentError('ERR_TIMEOUT', undefined, { code: 'ERR_PARSE', hint: 'retry in 5 s' }))
    expect(response.error.data).toEqual({ code: 'ERR_TIMEOUT', hint: 'retry in 5 s' })
    expect(response.error.code).toBe(-32034)
  })

  it.each([
    ['an Error', new Error('ENOENT: open /home/doctor/.config/ehealth-agent/key.p12')],
    ['a TypeError', new TypeError('Cannot read properties of undefined (reading \'pin\')')],
    ['a string', 'secret 1234 at /srv/agent/session.ts:42'],
    ['an object', { message: 'pin=1234', stack: 'at /srv/agent/session.ts:42:7' }],
    ['a look-alike with a bad code', Object.assign(new Error('pin=1234'), { name: 'AgentError', code: 'toString' })],
    ['undefined', undefined],
  ])('turns %s into a generic ERR_INTERNAL that leaks nothing', (_name, err) => {
    const response = encodeError(3, err)
    expect(response).toEqual({
      jsonrpc: '2.0',
      id: 3,
      error: { code: -32603, message: ERROR_CODES.ERR_INTERNAL.message, data: { code: 'ERR_INTERNAL', hint: ERROR_CODES.ERR_INTERNAL.hint } },
    })
    const wire = JSON.stringify(response)
    for (const secret of ['ENOENT', '/home', '/srv', '1234', 'session.ts', 'stack', 'pin']) expect(wire).not.toContain(secret)
  })

  it('never puts the stack or the cause of an AgentError on the wire', () => {
    const err = new AgentError('ERR_KEY_SOURCE', undefined, { detail: 'CKR_DEVICE_ERROR' }, { cause: new Error('/usr/lib/libbeidpkcs11.so') })
    const wire = JSON.stringify(encodeError(1, err))
    expect(wire).not.toContain('libbeidpkcs11')
    expect(wire).not.toContain('at ')
    expect(wire).toContain('CKR_DEVICE_ERROR')
  })

  it('drops data that cannot be written as JSON instead of failing the answer', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic['self'] = cyclic
    for (const data of [cyclic, { big: 10n }]) {
      const response = encodeError(1, new AgentError('ERR_CONFIG_INVALID', undefined, data))
      expect(response.error.data).toEqual({ code: 'ERR_CONFIG_INVALID', hint: ERROR_CODES.ERR_CONFIG_INVALID.hint })
      expect(() => JSON.stringify(response)).not.toThrow()
    }
  })
})

describe('encodeReply', () => {
  const one = encodeSuccess(1, 'a')
  const two = encodeSuccess(2, 'b')

  it('answers a single call with one object and a batch with an array', () => {
    expect(encodeReply('single', [one])).toBe(one)
    expect(encodeReply('batch', [one])).toEqual([one])
    expect(encodeReply('batch', [one, two])).toEqual([one, two])
  })

  it('answers nothing rather than an empty array', () => {
    expect(encodeReply('single', [])).toBeUndefined()
    expect(encodeReply('batch', [])).toBeUndefined()
  })
})
