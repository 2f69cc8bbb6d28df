import { describe, expect, it } from 'vitest'
import { buildDuplicateClaimFault, DUPLICATE_CLAIM_FAULT } from './duplicate-claim-fault.js'

describe('R2024.1 duplicate-claim fault', () => {
  it('has the announcement\'s exact faultcode, faultstring, detail and messages', () => {
    const uri = 'urn:be:fgov:ehealth:1.0:certificateholder:hospital:nihii-number'
    expect(buildDuplicateClaimFault(uri, 'Integration')).toEqual({
      faultcode: 'wst:InvalidRequest',
      faultstring: 'The request was invalid or malformed',
      origin: 'Client',
      code: 'wst:InvalidRequest',
      messages: ['Message not properly encoded', 'Attribute urn:be:fgov:ehealth:1.0:certificateholder:hospital:nihii-number multiple times found.'],
      environment: 'Integration',
    })
    expect(DUPLICATE_CLAIM_FAULT.faultcodeNamespace).toBe('http://docs.oasis-open.org/ws-sx/ws-trust/200512')
    expect(DUPLICATE_CLAIM_FAULT.messageLang).toBe('en')
    expect(DUPLICATE_CLAIM_FAULT.errorElement).toBe('BusinessError')
  })
})
