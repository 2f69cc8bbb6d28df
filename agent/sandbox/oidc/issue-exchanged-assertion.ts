import type { X509Certificate } from 'node:crypto'
import { claimsForProfile } from '../../../protocol/sts/claims.js'
import { mergeClaims } from '../../../protocol/sts/merge-claims.js'
import { ORGANIZATION_TYPES, type OrganizationType } from '../directory-data.js'
import type { ProfileChoice } from '../directory.js'
import type { SandboxState } from '../sandbox-state.js'
import { issueAssertion, splitWireClaims, type IssueOutcome } from '../sts/issue-assertion.js'
import type { StsRequester } from '../sts/verify-x509-request.js'

/** What the token exchange knows when it issues a SAML token. */
export interface ExchangeSubject {
  ssin: string
  choice: ProfileChoice
  /** The provider's issuer URL: the NameIdentifier's qualifier (modelled). */
  issuer: string
  hokCertificate: X509Certificate
  notOnOrAfter: Date
}

/**
 * The SAML 1.1 holder-of-key assertion of a token exchange, made by the sandbox STS's own code
 * (`issueAssertion`, hence `mintAssertion` and the STS key) exactly as the IDP page makes one for
 * a chosen profile (`idp/issue-sso-token.ts`): the profile's claims merged by URI as a WS-Trust
 * Issue carries them, checked and evaluated against the directory; bound to the certificate whose
 * key signed the exchange proof. Modelled: the NameIdentifier (the STS puts the certificate's
 * subject DN there; here the certificate is the agent's key, not the person, so it names the
 * person by SSIN, qualified by the IAM Connect issuer).
 */
export function issueExchangedAssertion(state: SandboxState, subject: ExchangeSubject): IssueOutcome {
  const requester: StsRequester = {
    ssin: subject.ssin,
    dn: `CN="SSIN=${subject.ssin}", OU=eHealth IAM Connect token exchange (sandbox), C=BE`,
    issuerDn: subject.issuer,
  }
  const organization = organizationOf(subject.choice)
  if (organization) requester.organization = organization
  const wire = mergeClaims(claimsForProfile(subject.choice.profile, subject.choice.identity))
  const claims = splitWireClaims(wire.map((c) => ({ uri: c.uri, values: c.value === undefined ? [] : c.value.split(';') })))
  return issueAssertion(state, {
    requester,
    hokCertificateBase64: subject.hokCertificate.raw.toString('base64'),
    ...claims,
    latestNotOnOrAfter: subject.notOnOrAfter,
  })
}

/** The organization an `org:<type>` choice acts for (as `idp/issue-sso-token.ts` reads it). */
function organizationOf(choice: ProfileChoice): { type: OrganizationType; nihii: string } | undefined {
  const type = choice.profile.startsWith('org:') ? choice.profile.slice(4) : undefined
  if (!type || choice.identity.nihii === undefined || !(ORGANIZATION_TYPES as readonly string[]).includes(type)) return undefined
  return { type: type as OrganizationType, nihii: choice.identity.nihii }
}
