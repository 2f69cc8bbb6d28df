/**
 * The STS-side check of the enveloped signature of a samlp:Request (as TC, EC
 * and EG sign it): made by the HOK key, over the request element itself.
 *
 * @module
 */
import { X509Certificate } from 'node:crypto'
import { AgentError } from '../errors.js'
import { DSIG_NS, childElements, descendants, verifySignature, type HashName } from '../xml/index.js'
import type { SamlpRequest } from './parse-samlp-request.js'
import { derOf, readKeyInfoCertificate, samlInvalid } from './read-xml.js'

/**
 * Verify the request's ds:Signature with the HOK certificate of its SubjectConfirmation. The
 * signature must be the only one in the document, reference `#<RequestID>` and cover the
 * samlp:Request root; a certificate in its ds:KeyInfo must equal the HOK certificate. Whether a
 * signature is required at all is the caller's policy (it is when the WS-Security BST
 * certificate differs from the HOK certificate).
 *
 * @example
 * ```ts
 * const req = parseSamlpRequest(text)
 * if (req.signature || bstCertBase64 !== req.hokCertificateBase64) checkSamlpRequestSignature(req)
 * ```
 */
export function checkSamlpRequestSignature(request: SamlpRequest): { signatureHash: HashName } {
  const signature = request.signature
  if (!signature) throw new AgentError('ERR_SIGNATURE_INVALID', 'the samlp:Request is not signed', { detail: 'no ds:Signature' })
  if (descendants(request.root, DSIG_NS, 'Signature').length !== 1) {
    throw new AgentError('ERR_SIGNATURE_WRAPPING', 'signature wrapping refused: the samlp:Request holds more than one ds:Signature')
  }
  const signedInfo = childElements(signature, DSIG_NS, 'SignedInfo')
  const references = signedInfo.length === 1 ? childElements(signedInfo[0]!, DSIG_NS, 'Reference') : []
  // SAML 1.1 core §5.4.1: one Reference, to the root's id.
  if (references.length !== 1 || references[0]!.getAttribute('URI') !== `#${request.requestId}`) {
    throw new AgentError('ERR_SIGNATURE_WRAPPING', 'signature wrapping refused: the signature does not reference the samlp:Request')
  }

  // KeyInfo normally carries the HOK certificate; TC's `keyinfo=publickey` variant carries a
  // KeyValue instead (TC `…sts.keyinfo=publickey`), which the HOK certificate's key then has to
  // verify anyway.
  const keyInfo = childElements(signature, DSIG_NS, 'KeyInfo')[0]
  const hasCertificate = keyInfo !== undefined && childElements(keyInfo, DSIG_NS, 'X509Data').length > 0
  if (hasCertificate && !derOf(readKeyInfoCertificate(keyInfo)).equals(derOf(request.hokCertificateBase64))) {
    throw new AgentError('ERR_TOKEN_NOT_BOUND', 'the samlp:Request is signed with another certificate than its HOK certificate')
  }
  let hok: X509Certificate
  try {
    hok = new X509Certificate(derOf(request.hokCertificateBase64))
  } catch {
    throw samlInvalid('the HOK certificate of the request is not an X.509 certificate')
  }
  const verified = verifySignature(signature, hok.publicKey, request.ids)
  if (verified.signedElements.length !== 1 || verified.signedElements[0] !== request.root) {
    throw new AgentError('ERR_SIGNATURE_WRAPPING', 'signature wrapping refused: the signature does not cover the samlp:Request')
  }
  return { signatureHash: verified.signatureHash }
}
