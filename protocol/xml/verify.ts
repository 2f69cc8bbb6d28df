import { createHash, verify as rsaVerify, type KeyObject } from 'node:crypto'
import { AgentError } from '../errors.js'
import { ALGORITHMS, hashOfDigestUri, hashOfSignatureUri, type HashName } from './algorithms.js'
import { canonicalize } from './c14n.js'
import { childElement, childElements, isInside, textOf } from './dom.js'
import { DSIG_NS } from './sign.js'

/** What a verified signature covers. */
export interface VerifiedSignature {
  /** The elements the references resolved to, in reference order. */
  signedElements: Element[]
  signatureHash: HashName
  digestHashes: HashName[]
}

/**
 * Verify one ds:Signature with a public key the caller chose (from a trusted list, a BST, a SAML
 * subject confirmation...). Generic: it knows nothing of SOAP or SAML, only XML-DSig with
 * exc-c14n, the enveloped-signature transform and same-document references by id.
 *
 * What it checks: SignedInfo's c14n is exc-c14n; RSA with SHA-1/SHA-256 over canonical
 * SignedInfo; each reference `#id` resolves in `ids` (built with {@link indexIds}, so duplicates
 * were already refused); each digest. The caller must then check that the element it *uses* is
 * one of `signedElements`: that check, not this one, defeats signature wrapping.
 *
 * @example
 * ```ts
 * const ids = indexIds(doc)
 * const { signedElements } = verifySignature(signatureEl, stsCert.publicKey, ids)
 * if (!signedElements.includes(assertionEl)) throw ...
 * ```
 */
export function verifySignature(signature: Element, key: KeyObject, ids: Map<string, Element>): VerifiedSignature {
  if (signature.namespaceURI !== DSIG_NS || signature.localName !== 'Signature') {
    throw invalid('not a ds:Signature element')
  }
  const signedInfo = only(signature, 'SignedInfo')
  const c14nMethod = only(signedInfo, 'CanonicalizationMethod')
  if (c14nMethod.getAttribute('Algorithm') !== ALGORITHMS.excC14n) {
    throw new AgentError('ERR_UNSUPPORTED_ALGORITHM', `unsupported CanonicalizationMethod ${c14nMethod.getAttribute('Algorithm')}`)
  }
  const signatureHash = hashOfSignatureUri(only(signedInfo, 'SignatureMethod').getAttribute('Algorithm'))

  const signedInfoC14n = canonicalize(signedInfo, { inclusivePrefixes: prefixList(c14nMethod) })
  const value = Buffer.from(textOf(only(signature, 'SignatureValue')).replace(/\s+/g, ''), 'base64')
  let ok = false
  try {
    ok = rsaVerify(signatureHash, Buffer.from(signedInfoC14n, 'utf8'), key, value)
  } catch {
    ok = false
  }
  if (!ok) throw invalid('the signature value does not match SignedInfo')

  const references = childElements(signedInfo, DSIG_NS, 'Reference')
  if (references.length === 0) throw invalid('SignedInfo has no Reference')
  const signedElements: Element[] = []
  const digestHashes: HashName[] = []
  for (const ref of references) {
    const uri = ref.getAttribute('URI') ?? ''
    if (!uri.startsWith('#') || uri.length < 2) throw invalid(`only same-document references are accepted, not "${uri.slice(0, 80)}"`)
    const target = ids.get(uri.slice(1))
    if (!target) throw invalid(`the reference ${uri.slice(0, 80)} points at no element`)

    let enveloped = false
    let inclusive: string[] | undefined
    let sawC14n = false
    const transformsEl = childElement(ref, DSIG_NS, 'Transforms')
    for (const t of transformsEl ? childElements(transformsEl, DSIG_NS, 'Transform') : []) {
      const alg = t.getAttribute('Algorithm')
      if (alg === ALGORITHMS.enveloped && !sawC14n && !enveloped) enveloped = true
      else if (alg === ALGORITHMS.excC14n && !sawC14n) {
        sawC14n = true
        inclusive = prefixList(t)
      } else throw new AgentError('ERR_UNSUPPORTED_ALGORITHM', `unsupported or misplaced Transform ${alg}`)
    }
    // Without an explicit exc-c14n transform XML-DSig §4.3.3.2 means inclusive C14N 1.0, which
    // this verifier does not implement: refuse rather than digest something else.
    if (!sawC14n) throw new AgentError('ERR_UNSUPPORTED_ALGORITHM', `the reference ${uri.slice(0, 80)} has no exc-c14n transform`)
    if (enveloped && !isInside(signature, target)) throw invalid('an enveloped-signature transform on an element that does not contain the signature')
    if (!enveloped && isInside(signature, target)) throw invalid('a reference covers its own signature without the enveloped-signature transform')

    const digestHash = hashOfDigestUri(only(ref, 'DigestMethod').getAttribute('Algorithm'))
    const canonical = canonicalize(target, { inclusivePrefixes: inclusive, exclude: enveloped ? signature : null })
    const actual = createHash(digestHash).update(canonical, 'utf8').digest('base64')
    const expected = textOf(only(ref, 'DigestValue')).replace(/\s+/g, '')
    if (actual !== expected) throw invalid(`the digest of ${uri.slice(0, 80)} does not match`)
    signedElements.push(target)
    digestHashes.push(digestHash)
  }
  return { signedElements, signatureHash, digestHashes }
}

function prefixList(parent: Element): string[] | undefined {
  const incl = childElement(parent, ALGORITHMS.excC14n, 'InclusiveNamespaces')
  if (!incl) return undefined
  return (incl.getAttribute('PrefixList') ?? '').split(/\s+/).filter(Boolean)
}

function only(parent: Element, localName: string): Element {
  const found = childElements(parent, DSIG_NS, localName)
  if (found.length !== 1) throw invalid(`expected exactly one ds:${localName}, found ${found.length}`)
  return found[0]!
}

function invalid(detail: string): AgentError {
  return new AgentError('ERR_SIGNATURE_INVALID', `the XML signature does not verify: ${detail}`, { detail })
}
