import { X509Certificate } from 'node:crypto'
import { AgentError } from '../../../protocol/errors.js'
import type { SamlpRequest } from '../../../protocol/saml/parse-samlp-request.js'
import { derOf, readKeyInfoCertificate } from '../../../protocol/saml/read-xml.js'
import { childElements, descendants } from '../../../protocol/xml/dom.js'
import { checkXmlSignature, DSIG } from './check-xml-signature.js'
import { indexDocumentIds } from './index-ids.js'

/**
 * The SAML-P STS's check of a samlp:Request's enveloped signature, the requester's proof that
 * it holds the key the token will bind: made by the key of the request's own holder-of-key
 * certificate (the caller has checked that it chains to a sandbox CA), over the request root
 * (SAML 1.1 core §5.4: one Reference to `#RequestID`, enveloped-signature then exc-c14n),
 * verified by xml-crypto with that certificate passed explicitly. A certificate in the
 * signature's KeyInfo must be the HOK certificate (ERR_TOKEN_NOT_BOUND); it is never used to
 * verify.
 *
 * `requestXml` is the text `request` was parsed from; protocol/ only parsed it.
 */
export function checkSamlpRequestSignature(request: SamlpRequest, requestXml: string): void {
  const signature = request.signature
  if (!signature) throw new AgentError('ERR_SIGNATURE_INVALID', 'the samlp:Request is not signed', { detail: 'no ds:Signature' })
  if (descendants(request.root, DSIG.ns, 'Signature').length !== 1) {
    throw new AgentError('ERR_SIGNATURE_WRAPPING', 'signature wrapping refused: the samlp:Request holds more than one ds:Signature')
  }
  // KeyInfo normally carries the HOK certificate; the Technical Connector's `keyinfo=publickey`
  // variant carries a KeyValue instead, which the HOK certificate's key then has to verify anyway.
  const keyInfo = childElements(signature, DSIG.ns, 'KeyInfo')[0]
  if (keyInfo && childElements(keyInfo, DSIG.ns, 'X509Data').length > 0 && !derOf(readKeyInfoCertificate(keyInfo)).equals(derOf(request.hokCertificateBase64))) {
    throw new AgentError('ERR_TOKEN_NOT_BOUND', 'the samlp:Request is signed with another certificate than its HOK certificate')
  }
  let hok: X509Certificate
  try {
    hok = new X509Certificate(derOf(request.hokCertificateBase64))
  } catch {
    throw new AgentError('ERR_SAML_INVALID', 'not valid SAML 1.1: the HOK certificate of the request is not an X.509 certificate')
  }
  checkXmlSignature({
    xml: requestXml,
    signature,
    key: hok.publicKey,
    idAttribute: 'RequestID',
    ids: indexDocumentIds(request.root.ownerDocument),
    required: [{ element: request.root, name: 'the samlp:Request', transforms: [DSIG.enveloped, DSIG.excC14n] }],
  })
}
