import type { X509Certificate } from 'node:crypto'
import { AgentError } from '../../../protocol/errors.js'
import { readAssertion, type SamlAssertion } from '../../../protocol/saml/parse-assertion.js'
import { derOf } from '../../../protocol/saml/read-xml.js'
import { childElements, descendants } from '../../../protocol/xml/dom.js'
import { parseXml } from '../../../protocol/xml/parse-xml.js'
import { checkXmlSignature, DSIG } from './check-xml-signature.js'
import { indexDocumentIds } from './index-ids.js'

const SAML_NS = 'urn:oasis:names:tc:SAML:1.0:assertion'

/** Options of {@link checkStsAssertion}. */
export interface CheckStsAssertionOptions {
  /**
   * The sandbox STS's certificates (its signer, and any it rotated to under its own CA): the only
   * keys the assertion's signature may verify with; ds:KeyInfo says which.
   */
  stsCertificates: readonly X509Certificate[]
  now: Date
  /** Tolerated clock difference on Conditions, both ways; default 5 minutes. */
  skewMs?: number
  /** When given, `Issuer` must be one of these. */
  expectedIssuers?: readonly string[]
}

/**
 * Check a SAML 1.1 assertion presented to the sandbox (a HOK token in a service call, the token
 * of a WS-Trust Renew) as the sandbox STS's own: its one enveloped signature, as SAML 1.1 core
 * §5.4 lays it out (the last child of the Assertion, one Reference to `#AssertionID`,
 * enveloped-signature then exc-c14n), verified by xml-crypto with the STS certificate passed
 * explicitly; a certificate in its KeyInfo, if any, must be that one. Then issuer and Conditions.
 * Returns the assertion as protocol/ parses it (readAssertion reads only; it checks nothing).
 *
 * Throws AgentError: ERR_XML_* / ERR_XML_DUPLICATE_ID, ERR_SIGNATURE_WRAPPING, ERR_TOKEN_UNTRUSTED,
 * ERR_SIGNATURE_INVALID, ERR_UNSUPPORTED_ALGORITHM, ERR_TOKEN_EXPIRED, ERR_SAML_INVALID.
 */
export function checkStsAssertion(xml: string, options: CheckStsAssertionOptions): SamlAssertion {
  const skewMs = options.skewMs ?? 5 * 60_000
  const parsed = parseXml(xml, undefined, 1)
  const root = parsed.root
  if (root.namespaceURI !== SAML_NS || root.localName !== 'Assertion') {
    if (descendants(root, SAML_NS, 'Assertion').length > 0) throw wrapping('the assertion is wrapped in another element; the document root must be the Assertion')
    throw new AgentError('ERR_SAML_INVALID', 'not valid SAML 1.1: the document root is not a saml:Assertion', { detail: 'not an Assertion' })
  }
  const assertionId = root.getAttribute('AssertionID') ?? ''
  if (assertionId === '') throw new AgentError('ERR_SAML_INVALID', 'not valid SAML 1.1: the assertion has no AssertionID', { detail: 'no AssertionID' })
  const ids = indexDocumentIds(parsed.document)

  const signature = locateSignature(root)
  const signer = chooseSigner(signature, options.stsCertificates)
  // Exactly one reference, to the root: the element everything is then read from.
  checkXmlSignature({
    xml,
    signature,
    key: signer.publicKey,
    idAttribute: 'AssertionID',
    ids,
    required: [{ element: root, name: 'the assertion root', transforms: [DSIG.enveloped, DSIG.excC14n] }],
  })

  const span = parsed.spans[0]!
  const assertion = readAssertion(root, xml.slice(span.start, span.end))
  if (options.expectedIssuers && !options.expectedIssuers.includes(assertion.issuer)) {
    throw new AgentError('ERR_TOKEN_UNTRUSTED', `the assertion is issued by "${assertion.issuer.slice(0, 120)}", not by an expected STS`, { issuer: assertion.issuer })
  }
  const { notBefore, notOnOrAfter } = assertion.conditions
  const t = options.now.getTime()
  const window = { notBefore: notBefore.toISOString(), notOnOrAfter: notOnOrAfter.toISOString() }
  // SAML 1.1 core §2.3.2.1: valid when NotBefore <= now < NotOnOrAfter; the skew widens both ends.
  if (t + skewMs < notBefore.getTime()) throw new AgentError('ERR_TOKEN_EXPIRED', 'the SAML token is not yet valid', window)
  if (t - skewMs >= notOnOrAfter.getTime()) throw new AgentError('ERR_TOKEN_EXPIRED', 'the SAML token has expired', window)
  return assertion
}

/** The assertion's one ds:Signature: its last child, with no other signature or assertion inside. */
function locateSignature(root: Element): Element {
  const all = descendants(root, DSIG.ns, 'Signature')
  if (all.length === 0) throw new AgentError('ERR_SIGNATURE_INVALID', 'the assertion is not signed', { detail: 'no ds:Signature' })
  // Another assertion inside (Advice, an extension) is how a signed original is smuggled next to
  // forged content; eHealth tokens never carry one.
  if (descendants(root, SAML_NS, 'Assertion').length > 0) throw wrapping('the assertion contains another assertion')
  const children = childElements(root)
  const last = children[children.length - 1]
  if (all.length !== 1 || last !== all[0]) throw wrapping('the assertion must carry exactly one ds:Signature, as its last child')
  return last
}

/**
 * The STS certificate to verify with: the one ds:KeyInfo names (a certificate named there that
 * is not one of the STS's says the token comes from someone else: refused as untrusted, before
 * any cryptography), or the only one when KeyInfo names none. KeyInfo never supplies the key.
 */
function chooseSigner(signature: Element, trusted: readonly X509Certificate[]): X509Certificate {
  const keyInfo = childElements(signature, DSIG.ns, 'KeyInfo')[0]
  const named: X509Certificate[] = []
  if (keyInfo) {
    for (const data of childElements(keyInfo, DSIG.ns, 'X509Data')) {
      for (const cert of childElements(data, DSIG.ns, 'X509Certificate')) {
        const der = derOf(cert.textContent ?? '')
        const match = trusted.find((t) => t.raw.equals(der))
        if (!match) throw new AgentError('ERR_TOKEN_UNTRUSTED', 'the assertion is signed with a certificate that is not a trusted STS certificate')
        named.push(match)
      }
    }
  }
  if (named.length > 0) return named[0]!
  if (trusted.length !== 1) throw new AgentError('ERR_TOKEN_UNTRUSTED', 'the assertion does not name its signing certificate')
  return trusted[0]!
}

function wrapping(detail: string): AgentError {
  return new AgentError('ERR_SIGNATURE_WRAPPING', `signature wrapping refused: ${detail}`, { detail })
}
