import { describe, expect, it } from 'vitest'
import { AgentError } from '../../protocol/errors.js'
import { CKR_MAPPINGS, mapPkcs11Error, readPinRetries } from './map-pkcs11-error.js'
import { Pkcs11CallError, TOKEN_FLAGS } from './pkcs11-binding.js'

const fail = (ckr: string, operation = 'C_Sign') => new Pkcs11CallError(ckr, operation)

describe('mapPkcs11Error: one AgentError code per CKR value', () => {
  const expected: [string, string][] = [
    ['CKR_PIN_INCORRECT', 'ERR_PIN_INCORRECT'],
    ['CKR_PIN_LEN_RANGE', 'ERR_PIN_INCORRECT'],
    ['CKR_PIN_INVALID', 'ERR_PIN_INCORRECT'],
    ['CKR_PIN_LOCKED', 'ERR_PIN_LOCKED'],
    ['CKR_PIN_EXPIRED', 'ERR_KEY_SOURCE'],
    ['CKR_TOKEN_NOT_PRESENT', 'ERR_TOKEN_ABSENT'],
    ['CKR_DEVICE_REMOVED', 'ERR_TOKEN_ABSENT'],
    ['CKR_TOKEN_NOT_RECOGNIZED', 'ERR_TOKEN_ABSENT'],
    ['CKR_SLOT_ID_INVALID', 'ERR_TOKEN_ABSENT'],
    ['CKR_FUNCTION_CANCELED', 'ERR_USER_CANCELLED'],
    ['CKR_FUNCTION_REJECTED', 'ERR_USER_CANCELLED'],
    ['CKR_CANCEL', 'ERR_USER_CANCELLED'],
    ['CKR_USER_NOT_LOGGED_IN', 'ERR_NOT_LOGGED_IN'],
  ]

  it('the table and this test list the same CKR values', () => {
    expect(Object.keys(CKR_MAPPINGS).sort()).toEqual(expected.map(([ckr]) => ckr).sort())
  })

  it.each(expected)('%s → %s', (ckr, code) => {
    const error = mapPkcs11Error(fail(ckr, 'C_Login'))
    expect(error).toBeInstanceOf(AgentError)
    expect(error.code).toBe(code)
    expect(error.data).toMatchObject({ ckr, operation: 'C_Login' })
  })

  it.each(['CKR_GENERAL_ERROR', 'CKR_DEVICE_ERROR', 'CKR_SESSION_HANDLE_INVALID', 'CKR_MECHANISM_INVALID', 'CKR_KEY_FUNCTION_NOT_PERMITTED', 'CKR_VENDOR_DEFINED_0x80000001'])(
    'any other value (%s) → ERR_KEY_SOURCE with the CKR name in data',
    (ckr) => {
      const error = mapPkcs11Error(fail(ckr))
      expect(error.code).toBe('ERR_KEY_SOURCE')
      expect(error.data).toEqual({ ckr, operation: 'C_Sign', detail: `C_Sign: ${ckr}` })
    },
  )

  it('CKR_PIN_LEN_RANGE says the length is wrong', () => {
    expect(mapPkcs11Error(fail('CKR_PIN_LEN_RANGE')).message).toMatch(/length/)
  })

  it('a wrong PIN reads the tries left from the token flags after the failure', () => {
    const final = mapPkcs11Error(fail('CKR_PIN_INCORRECT', 'C_Login'), { tokenFlags: TOKEN_FLAGS.CKF_USER_PIN_FINAL_TRY | TOKEN_FLAGS.CKF_USER_PIN_COUNT_LOW })
    expect(final).toMatchObject({ code: 'ERR_PIN_INCORRECT', data: { retriesLeft: 1 } })
    expect(final.message).toMatch(/one try left/)
    const low = mapPkcs11Error(fail('CKR_PIN_INCORRECT', 'C_Login'), { tokenFlags: TOKEN_FLAGS.CKF_USER_PIN_COUNT_LOW })
    expect(low).toMatchObject({ code: 'ERR_PIN_INCORRECT', data: { retriesLeft: 'low' } })
    const unknown = mapPkcs11Error(fail('CKR_PIN_INCORRECT', 'C_Login'), { tokenFlags: 0 })
    expect(unknown.code).toBe('ERR_PIN_INCORRECT')
    expect(unknown.data.retriesLeft).toBeUndefined()
  })

  it('a wrong PIN that used the last try is reported as locked', () => {
    const locked = mapPkcs11Error(fail('CKR_PIN_INCORRECT', 'C_Login'), { tokenFlags: TOKEN_FLAGS.CKF_USER_PIN_LOCKED })
    expect(locked).toMatchObject({ code: 'ERR_PIN_LOCKED', data: { retriesLeft: 0 } })
  })

  it('any failure while the token is gone is ERR_TOKEN_ABSENT (e.g. CKR_SESSION_HANDLE_INVALID after removal)', () => {
    expect(mapPkcs11Error(fail('CKR_SESSION_HANDLE_INVALID'), { tokenPresent: false }).code).toBe('ERR_TOKEN_ABSENT')
    expect(mapPkcs11Error(fail('CKR_DEVICE_ERROR'), { tokenPresent: false }).code).toBe('ERR_TOKEN_ABSENT')
    expect(mapPkcs11Error(fail('CKR_SESSION_HANDLE_INVALID'), { tokenPresent: true }).code).toBe('ERR_KEY_SOURCE')
  })

  it('never puts anything but the CKR name, the function and the counters in data', () => {
    const error = mapPkcs11Error(fail('CKR_PIN_INCORRECT', 'C_Login'), { tokenFlags: TOKEN_FLAGS.CKF_USER_PIN_COUNT_LOW })
    expect(Object.keys(error.data).sort()).toEqual(['ckr', 'operation', 'retriesLeft'])
  })

  it('passes AgentErrors through and wraps anything else as ERR_KEY_SOURCE', () => {
    const agentError = new AgentError('ERR_TOKEN_ABSENT')
    expect(mapPkcs11Error(agentError)).toBe(agentError)
    expect(mapPkcs11Error(new TypeError('boom'))).toMatchObject({ code: 'ERR_KEY_SOURCE', data: { detail: 'unexpected PKCS#11 failure' } })
  })
})

describe('readPinRetries', () => {
  it('final try → 1, count low → "low", otherwise unknown', () => {
    expect(readPinRetries(TOKEN_FLAGS.CKF_USER_PIN_FINAL_TRY)).toBe(1)
    expect(readPinRetries(TOKEN_FLAGS.CKF_USER_PIN_COUNT_LOW)).toBe('low')
    expect(readPinRetries(0)).toBeUndefined()
    expect(readPinRetries(undefined)).toBeUndefined()
  })
})
