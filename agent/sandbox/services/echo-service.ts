import { createHash } from 'node:crypto'
import { isAgentError } from '../../../protocol/errors.js'
import { EHEALTH_STS_ISSUER } from '../../../protocol/saml/names.js'
import type { SamlAssertion } from '../../../protocol/saml/parse-assertion.js'
import { escapeAttr, escapeText } from '../../../protocol/xml/c14n.js'
import type { SandboxState } from '../sandbox-state.js'
import { businessFault, soapResponse, type SoapReply } from '../soap-reply.js'
import { certificateFromBase64, checkSandboxChain } from '../sts/certificate-trust.js'
import { checkStsAssertion } from '../verify/check-sts-assertion.js'
import { checkWsSecurity } from '../verify/check-ws-security.js'

const ECHO_NS = 'urn:ehealth-agent:sandbox:echo:v1'

/**
 * A business service secured as eHealth secures its services, answering with a summary of what
 * it accepted (never the body itself). `saml-hok` (most services, TC `SAMLHolderOfKeyHandler`): the
 * assertion must be signed by the STS and currently valid, the message signed by the key of its HOK
 * certificate over Body and Timestamp, the Timestamp fresh. `x509` (Seals, TimestampAuthority; TC
 * `ServiceFactory`): a BST chaining to a sandbox CA, Body, Timestamp and BST signed. Every
 * signature, the message's and the assertion's, is verified by xml-crypto (verify/), never by the
 * agent's own verifier; the BodyDigest of the answer is over the Body's canonical form as
 * xml-crypto digested it.
 *
 * SOA codes (ICURE `errors.json`): SOA-01001 "not authenticated" for a message whose signature,
 * key, timestamp or token signer fails; SOA-01002 "not authorized" for a well-signed message whose
 * token is expired or of the wrong kind for the service.
 */
export async function handleEchoService(state: SandboxState, requestText: string, kind: 'saml-hok' | 'x509'): Promise<SoapReply> {
  const now = state.now()
  let assertion: SamlAssertion | undefined
  let denied: string | undefined
  try {
    const verified = await checkWsSecurity(requestText, {
      now,
      skewMs: state.options.timestampSkewMs,
      keyFor: (token) => {
        if (token.kind !== kind) {
          denied = `this service requires ${kind === 'saml-hok' ? 'a SAML holder-of-key token' : 'an X.509 signature'}`
          throw new Error(denied)
        }
        if (token.kind === 'x509') {
          const cert = certificateFromBase64(token.certificateBase64)
          checkSandboxChain(cert, state.pki, now)
          return cert.publicKey
        }
        try {
          assertion = checkStsAssertion(token.assertionXml, { stsCertificates: state.stsSigning.trustedCertificates(), now, expectedIssuers: [EHEALTH_STS_ISSUER] })
        } catch (err) {
          if (isAgentError(err) && err.code === 'ERR_TOKEN_EXPIRED') denied = 'the SAML token has expired'
          throw err
        }
        return certificateFromBase64(assertion.hokCertificateBase64).publicKey
      },
    })
    const op = verified.envelope.bodyRoot
    const digest = createHash('sha256').update(verified.canonicalBody, 'utf8').digest('base64')
    const who = assertion ? assertion.nameIdentifier.value : (verified.token.kind === 'x509' ? certificateFromBase64(verified.token.certificateBase64).subject.replace(/\n/g, ', ') : '')
    const attributes = (assertion?.attributes ?? [])
      .map((a) => `<echo:Attribute Name="${escapeAttr(a.name)}">${escapeText(a.values.join(';'))}</echo:Attribute>`)
      .join('')
    return soapResponse(
      `<echo:EchoResponse xmlns:echo="${ECHO_NS}"><echo:Accepted>true</echo:Accepted><echo:Security>${kind}</echo:Security>` +
        `<echo:Subject>${escapeText(who)}</echo:Subject>` +
        (assertion ? `<echo:AssertionID>${escapeText(assertion.assertionId)}</echo:AssertionID>` : '') +
        `<echo:Operation Namespace="${escapeAttr(op?.namespaceURI ?? '')}">${escapeText(op?.localName ?? '')}</echo:Operation>` +
        `<echo:BodyDigest Algorithm="sha256">${digest}</echo:BodyDigest>${attributes}</echo:EchoResponse>`,
    )
  } catch (err) {
    const detail = isAgentError(err) ? err.message : err instanceof Error ? err.message : 'invalid message'
    if (denied) return businessFault(state, 'soapenv:Client', 'SOA-01002', ['Service call not authorized', denied])
    return businessFault(state, 'soapenv:Client', 'SOA-01001', ['Service call not authenticated', detail])
  }
}
