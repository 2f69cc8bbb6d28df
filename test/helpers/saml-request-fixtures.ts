import type { SamlpRequestInput } from '../../protocol/saml/build-samlp-request.js'

/**
 * A SAML-P request as TC would fill its template for a doctor signing in with the eID (reference
 * §2.3 expanded example), with fixed clock and ids. The names are the eID certificate's subject
 * and issuer as Java's X500Principal.getName(RFC1779) writes them (C, CN, SN, GN, serialNumber in
 * DER order: most specific first, OID. for the types RFC 1779 has no keyword for).
 */
export function samlpRequestInput(hokCertificateBase64: string, overrides: Partial<SamlpRequestInput> = {}): SamlpRequestInput {
  const uuid = '8f0b5a52-3c1e-4d57-9a0b-2f6c1d9e7a41'
  const notBefore = new Date('2025-01-10T09:00:00.000Z')
  return {
    requestId: `request-${uuid}`,
    assertionId: `assertion-${uuid}`,
    issueInstant: notBefore,
    notBefore,
    notOnOrAfter: new Date('2025-01-11T09:00:00.000Z'),
    nameIdentifier: {
      value: 'OID.2.5.4.5=79021802145, OID.2.5.4.42=John, OID.2.5.4.4=Doe, CN=John Doe (Authentication), C=BE',
      nameQualifier: 'OID.2.5.4.5=201901, CN=Citizen CA, C=BE',
    },
    hokCertificateBase64,
    attributes: [
      { name: 'urn:be:fgov:ehealth:1.0:certificateholder:person:ssin', namespace: 'urn:be:fgov:identification-namespace', values: ['79021802145'] },
      { name: 'urn:be:fgov:person:ssin', namespace: 'urn:be:fgov:identification-namespace', values: ['79021802145'] },
    ],
    designators: [
      { name: 'urn:be:fgov:ehealth:1.0:certificateholder:person:ssin', namespace: 'urn:be:fgov:identification-namespace' },
      { name: 'urn:be:fgov:person:ssin', namespace: 'urn:be:fgov:identification-namespace' },
      { name: 'urn:be:fgov:person:ssin:doctor:boolean', namespace: 'urn:be:fgov:certified-namespace:ehealth' },
      { name: 'urn:be:fgov:person:ssin:ehealth:1.0:doctor:nihii11', namespace: 'urn:be:fgov:certified-namespace:ehealth' },
    ],
    ...overrides,
  }
}
