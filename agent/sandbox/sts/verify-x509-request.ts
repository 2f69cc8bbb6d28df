import { AgentError, isAgentError } from '../../../protocol/errors.js'
import type { ClaimSubject } from '../directory.js'
import type { SandboxState } from '../sandbox-state.js'
import { checkWsSecurity, type CheckedWsSecurity } from '../verify/check-ws-security.js'
import { certificateFromBase64, checkSandboxChain } from './certificate-trust.js'
import { subjectOfCertificate } from './subject-of-certificate.js'

/** Who signed an STS request, as the directory sees them, with the DNs the assertion names. */
export type StsRequester = ClaimSubject & { dn: string; issuerDn: string }

/** A request whose X.509 WS-Security header checked out. */
export interface VerifiedX509Request {
  verified: CheckedWsSecurity
  /** Base64 DER of the BinarySecurityToken's certificate: the identification credential. */
  bstCertificateBase64: string
  requester: StsRequester
}

/**
 * Check the X.509 WS-Security header of a request to one of the sandbox's STSs (the
 * `sts_v1.wsdl` policy, as TC `CertificateCallback` signs; the same for WS-Trust and SAML-P): a
 * BinarySecurityToken whose certificate chains to a sandbox CA and is valid now, Body, Timestamp
 * and BST signed by its key, the Timestamp fresh within the sandbox's skew. Throws the verifier's
 * AgentError otherwise; the caller turns it into its own fault (both STSs answer SOA-01001). The
 * signature is checked by xml-crypto (verify/check-ws-security.ts), with the BST's certificate once
 * it is known to chain.
 */
export async function verifyX509Request(state: SandboxState, requestText: string): Promise<VerifiedX509Request> {
  const now = state.now()
  const verified = await checkWsSecurity(requestText, {
    now,
    skewMs: state.options.timestampSkewMs,
    keyFor: (token) => {
      if (token.kind !== 'x509') throw new AgentError('ERR_SIGNATURE_INVALID', 'the STS expects an X.509 BinarySecurityToken')
      const cert = certificateFromBase64(token.certificateBase64)
      checkSandboxChain(cert, state.pki, now)
      return cert.publicKey
    },
  })
  const bstCertificateBase64 = verified.token.kind === 'x509' ? verified.token.certificateBase64 : ''
  return { verified, bstCertificateBase64, requester: subjectOfCertificate(certificateFromBase64(bstCertificateBase64)) }
}

/** The message of an error safe to put in a fault: ours, never a stack or an unexpected error's text. */
export function describeStsError(err: unknown): string {
  return isAgentError(err) ? err.message : 'invalid request'
}
