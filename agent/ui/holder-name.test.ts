import { describe, expect, it } from 'vitest'
import type { SamlAssertion } from '../../protocol/saml/parse-assertion.js'
import { holderName } from './holder-name.js'

function assertion(subject: string, attributes: { name: string; values: string[] }[] = []): SamlAssertion {
  return { nameIdentifier: { value: subject, format: '', nameQualifier: '' }, attributes: attributes.map((a) => ({ ...a, namespace: 'x' })) } as unknown as SamlAssertion
}

describe('holderName', () => {
  it('the certified given name and surname', () => {
    const a = assertion('CN=x', [
      { name: 'urn:be:fgov:person:ssin:ehealth:1.0:givenname', values: ['Anne'] },
      { name: 'urn:be:fgov:person:ssin:ehealth:1.0:surname', values: ['Janssens'] },
    ])
    expect(holderName(a)).toBe('Anne Janssens')
  })

  it('else the CN of the subject, quoted or not', () => {
    expect(holderName(assertion('CN="SSIN=78031420465, Anne Janssens", OU=eHealth-platform Belgium, C=BE'))).toBe('SSIN=78031420465, Anne Janssens')
    expect(holderName(assertion('C=BE, CN=Jan Peeters (Authentication)'))).toBe('Jan Peeters (Authentication)')
  })

  it('else the subject as it is', () => {
    expect(holderName(assertion('SSIN=78031420465'))).toBe('SSIN=78031420465')
  })
})
