import { randomBytes, sign } from 'node:crypto'
import { EHEALTH_STS_ISSUER } from '../../../protocol/saml/names.js'
import { prepareAssertion } from '../../../protocol/saml/build-assertion.js'
import type { SamlAttribute } from '../../../protocol/saml/types.js'
import type { SandboxState } from '../sandbox-state.js'

/** What the sandbox STS puts in a token. */
export interface MintRequest {
  now: Date
  notOnOrAfter: Date
  subjectDn: string
  issuerDn: string
  hokCertificateBase64: string
  attributes: SamlAttribute[]
}

/**
 * Mint a SAML 1.1 holder-of-key assertion as the eHealth STS does (protocol/README.md, "SAML 1.1
 * assertion"), laid out as its tokens come (build-assertion.ts `as-issued`: certificate base64 in
 * 76-character lines, `xmlns:SOAP-ENV` on the root): `_` and 32 hex digits for AssertionID,
 * NotBefore some minutes before IssueInstant (a real acceptance token: 5 minutes), signed enveloped
 * with exc-c14n by the STS's current signer, rsa-sha256 unless SHA-1 is asked for (the real token
 * of 2020 is rsa-sha1).
 */
export function mintAssertion(state: SandboxState, req: MintRequest): string {
  const { signer, algorithm } = state.stsSigning.next()
  const prepared = prepareAssertion({
    assertionId: '_' + randomBytes(16).toString('hex'),
    issuer: EHEALTH_STS_ISSUER,
    issueInstant: req.now,
    notBefore: new Date(req.now.getTime() - state.options.notBeforeLeadMs),
    notOnOrAfter: req.notOnOrAfter,
    nameIdentifier: { nameQualifier: req.issuerDn, value: req.subjectDn },
    hokCertificateBase64: req.hokCertificateBase64,
    attributes: req.attributes,
    algorithm,
    layout: 'as-issued',
  })
  return prepared.finish(sign(prepared.hash, prepared.signedInfo, signer.privateKey), signer.certificateBase64)
}
