import { X509Certificate } from 'node:crypto'
import { parseAssertion } from '../../../protocol/saml/parse-assertion.js'
import { buildSsoTokenFile, ssoTokenFileName } from '../../../protocol/saml/sso-token-file.js'
import { claimsForProfile } from '../../../protocol/sts/claims.js'
import { mergeClaims } from '../../../protocol/sts/merge-claims.js'
import { ORGANIZATION_TYPES, type OrganizationType, type Person } from '../directory-data.js'
import type { ProfileChoice } from '../directory.js'
import type { SandboxKeystore } from '../pki/types.js'
import type { SandboxState } from '../sandbox-state.js'
import { issueAssertion, splitWireClaims } from '../sts/issue-assertion.js'
import { subjectOfCertificate } from '../sts/subject-of-certificate.js'
import type { StsRequester } from '../sts/verify-x509-request.js'
import type { SsoResult } from './session-store.js'

/** A token for the result page, or why there is none. */
export type SsoTokenOutcome = { kind: 'issued'; result: SsoResult } | { kind: 'no-certificate' } | { kind: 'denied'; message: string }

/**
 * What the IDP does once the user has picked a profile (I.AM fat-client SSO spec v1.0 §5.1, step
 * 3): look up the person's active eHealth certificate in the "eHealth Certificate Store" (here: the
 * sandbox PKI's personal keystores) and, "on behalf of the end user for the profile he has chosen
 * and his personal certificate", obtain a token from the STS. The token comes from the very code
 * the WS-Trust STS runs for an Issue request with that profile's claims (same claim merging,
 * directory checks and minting), bound to the keystore's certificate, so it is only usable with
 * that key.
 */
export function issueSsoToken(state: SandboxState, person: Person, choice: ProfileChoice): SsoTokenOutcome {
  const keystore = findPersonalKeystore(state, person.ssin)
  if (!keystore) return { kind: 'no-certificate' }
  const certificate = new X509Certificate(keystore.certificatePem)
  const requester: StsRequester = { ...subjectOfCertificate(certificate) }
  // The IDP knows which organization the user chose to act for; the directory still decides
  // (evaluateAttribute counts it only if the person represents it).
  const organization = organizationOf(choice)
  if (organization) requester.organization = organization

  // As a WS-Trust Issue would carry them: each claim URI once (eHealth's R2024.1 STS WS-Trust
  // rule), then split back.
  const wire = mergeClaims(claimsForProfile(choice.profile, choice.identity))
  const claims = splitWireClaims(wire.map((c) => ({ uri: c.uri, values: c.value === undefined ? [] : c.value.split(';') })))
  const outcome = issueAssertion(state, { requester, hokCertificateBase64: certificate.raw.toString('base64'), ...claims })
  if (outcome.kind === 'denied') return { kind: 'denied', message: outcome.message }

  const assertion = parseAssertion(outcome.assertionXml)
  const fileText = buildSsoTokenFile({ assertionXml: outcome.assertionXml, environment: 'sandbox', profile: choice.profile, issued: assertion.issueInstant })
  // The token "as if it was retrieved from the eHealth STS itself" (the fat-client SSO spec §5.2):
  // the assertion as the Technical Connector saves one (SAML10Converter.toXMLString: an XML
  // declaration, then the element, no final newline; as the real token in
  // taktik/freehealth-connector's Recip-e example).
  const assertionText = `<?xml version="1.0" encoding="UTF-8"?>${outcome.assertionXml}`
  return {
    kind: 'issued',
    result: {
      profile: choice.profile,
      fileText,
      fileName: ssoTokenFileName(choice.profile),
      assertionText,
      assertionFileName: ssoTokenFileName(choice.profile).replace(/\.ehtoken$/, '.saml.xml'),
      assertionId: assertion.assertionId,
      notOnOrAfter: outcome.notOnOrAfter,
    },
  }
}

/** The person's own eHealth keystore, if the sandbox issued one (organization keystores are not a person's). */
export function findPersonalKeystore(state: SandboxState, ssin: string): SandboxKeystore | undefined {
  return Object.values(state.pki.keystores).find((k) => k.kind === 'person' && k.ssin === ssin)
}

function organizationOf(choice: ProfileChoice): { type: OrganizationType; nihii: string } | undefined {
  const type = choice.profile.startsWith('org:') ? choice.profile.slice(4) : undefined
  if (!type || choice.identity.nihii === undefined || !(ORGANIZATION_TYPES as readonly string[]).includes(type)) return undefined
  return { type: type as OrganizationType, nihii: choice.identity.nihii }
}
