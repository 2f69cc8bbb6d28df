import { randomBytes, sign } from 'node:crypto'
import { EHEALTH_STS_ISSUER } from '../../../protocol/saml/names.js'
import { prepareAssertion } from '../../../protocol/saml/build-assertion.js'
import type { SamlAttribute } from '../../../protocol/saml/types.js'
import type { SandboxPki } from '../pki/types.js'

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
 * Mint a SAML 1.1 holder-of-key assertion as the eHealth STS does (reference §4): signed by the
 * sandbox STS key, rsa-sha256, exc-c14n, enveloped, the HOK certificate from the request.
 */
export function mintAssertion(pki: SandboxPki, req: MintRequest): string {
  const prepared = prepareAssertion({
    assertionId: '_' + randomBytes(16).toString('hex'),
    issuer: EHEALTH_STS_ISSUER,
    issueInstant: req.now,
    notBefore: req.now,
    notOnOrAfter: req.notOnOrAfter,
    nameIdentifier: { nameQualifier: req.issuerDn, value: req.subjectDn },
    hokCertificateBase64: req.hokCertificateBase64,
    attributes: req.attributes,
  })
  return prepared.finish(sign(prepared.hash, prepared.signedInfo, pki.sts.privateKey), pki.sts.certificateBase64)
}
