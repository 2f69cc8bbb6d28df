import type { KeyObject } from 'node:crypto'
import { DOMParser } from '@xmldom/xmldom'
import { SignedXml } from 'xml-crypto'
import { AgentError } from '../../../protocol/errors.js'
import { childElements, textOf } from '../../../protocol/xml/dom.js'
import { SpecExclusiveCanonicalization } from './spec-exclusive-c14n.js'

/** XML-DSig names the sandbox accepts (XML Signature Syntax and Processing, 2nd ed., §6). */
export const DSIG = {
  ns: 'http://www.w3.org/2000/09/xmldsig#',
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
} as const

// RSA PKCS#1 v1.5 with SHA-256 or SHA-1 and the matching digests: the two suites eHealth clients
// use (the Technical Connector 3.x defaults to SHA-1, 4.x to SHA-256).
const SIGNATURE_METHODS = ['http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', 'http://www.w3.org/2000/09/xmldsig#rsa-sha1'] as const
const DIGEST_METHODS = ['http://www.w3.org/2001/04/xmlenc#sha256', 'http://www.w3.org/2000/09/xmldsig#sha1'] as const

/** An element the signature must cover, and how. */
export interface RequiredReference {
  element: Element
  /** For messages: "the Body", "the Timestamp"... */
  name: string
  /** The Transform algorithms the Reference must list, exactly and in this order. */
  transforms: readonly string[]
}

/** Options of {@link checkXmlSignature}. */
export interface CheckXmlSignatureOptions {
  /** The whole document exactly as received: xml-crypto parses it again itself. */
  xml: string
  /** The ds:Signature to check, from a parse of `xml`. */
  signature: Element
  /** The only key the signature may verify with; chosen by the caller, never read from KeyInfo. */
  key: KeyObject
  /** The id attribute (local name) references resolve by: `Id` (wsu:Id), `AssertionID`, `RequestID`. */
  idAttribute: string
  /** The document's ids (see indexDocumentIds, which refused duplicates). */
  ids: ReadonlyMap<string, Element>
  /** The signature must cover exactly these elements, each once, and nothing else. */
  required: readonly RequiredReference[]
}

/**
 * Check one XML signature with xml-crypto, configured so that nothing but the caller decides what
 * is trusted: the key is passed explicitly (`publicCert`; `getCertFromKeyInfo` returns nothing,
 * so a certificate in ds:KeyInfo is never used), references resolve only by `idAttribute`, and
 * only RSA-SHA256/RSA-SHA1 with exc-c14n is accepted.
 *
 * Before the cryptography, the ds:Signature's own shape is checked and each Reference URI is
 * resolved with the sandbox's id index: the referenced elements must be exactly `required`.
 * After it, xml-crypto's own view is checked too: the references it loaded from the SignedInfo it
 * verified (`getReferences()`) name the same ids with the same transforms, each has a signed
 * canonical form (`getSignedReferences()`), and that form is the required element (same name,
 * same id). Returns those canonical forms by id: the bytes the signature really covers.
 *
 * Throws AgentError: ERR_UNSUPPORTED_ALGORITHM, ERR_SIGNATURE_WRAPPING (the coverage is not
 * exactly `required`), ERR_SIGNATURE_INVALID (anything else).
 */
export function checkXmlSignature(options: CheckXmlSignatureOptions): Map<string, string> {
  const references = readSignatureShape(options.signature)
  const byId = matchRequired(references, options.ids, options.required)

  const sig = new SignedXml({ publicCert: options.key, getCertFromKeyInfo: () => null })
  sig.idAttributes = [options.idAttribute]
  sig.CanonicalizationAlgorithms[DSIG.excC14n] = SpecExclusiveCanonicalization
  let ok: boolean
  try {
    sig.loadSignature(options.signature)
    ok = sig.checkSignature(options.xml)
  } catch (err) {
    throw invalid(describeXmlCryptoError(err))
  }
  const loaded = sig.getReferences()
  if (!ok) {
    const failed = loaded.find((r) => r.validationError)
    const uri = (failed?.uri ?? '').slice(0, 80)
    throw invalid(/calculated digest/.test(String(failed?.validationError?.message)) ? `the digest of ${uri} does not match` : `the reference ${uri} could not be checked`)
  }

  const signed = sig.getSignedReferences()
  if (loaded.length !== references.length || signed.length !== loaded.length) {
    throw wrapping('xml-crypto verified another set of references than the SignedInfo lists')
  }
  const canonical = new Map<string, string>()
  for (const ref of loaded) {
    const id = ref.uri.startsWith('#') ? ref.uri.slice(1) : ''
    const expected = byId.get(id)
    if (!expected || canonical.has(id) || ref.signedReference === undefined) throw wrapping(`xml-crypto verified an unexpected reference "${ref.uri.slice(0, 80)}"`)
    if (!sameList(ref.transforms, expected.transforms)) throw wrapping(`the transforms of ${expected.name} are not as required`)
    if (!isCanonicalFormOf(ref.signedReference, expected.element, options.idAttribute, id)) {
      throw wrapping(`what xml-crypto verified for #${id.slice(0, 80)} is not ${expected.name}`)
    }
    canonical.set(id, ref.signedReference)
  }
  return canonical
}

interface ReferenceShape {
  id: string
  transforms: string[]
}

/**
 * The ds:Signature as XML-DSig §4 lays it out, and nothing else (no ds:Object, no second
 * SignedInfo, no element xml-crypto's name-only lookups could pick up instead of the real one):
 * SignedInfo (CanonicalizationMethod exc-c14n, SignatureMethod, Reference+), SignatureValue,
 * optional KeyInfo. Every Reference is same-document (`#id`) with known algorithms.
 */
function readSignatureShape(signature: Element): ReferenceShape[] {
  if (signature.namespaceURI !== DSIG.ns || signature.localName !== 'Signature') throw invalid('not a ds:Signature element')
  const parts = childElements(signature)
  const [signedInfo, signatureValue, keyInfo, ...rest] = parts
  if (!isDsig(signedInfo, 'SignedInfo') || !isDsig(signatureValue, 'SignatureValue') || (keyInfo && !isDsig(keyInfo, 'KeyInfo')) || rest.length > 0) {
    throw invalid('ds:Signature must hold SignedInfo, SignatureValue and an optional KeyInfo, in that order, and nothing else')
  }
  const [c14n, method, ...references] = childElements(signedInfo)
  if (!isDsig(c14n, 'CanonicalizationMethod') || !isDsig(method, 'SignatureMethod') || references.length === 0 || !references.every((r) => isDsig(r, 'Reference'))) {
    throw invalid('ds:SignedInfo must hold CanonicalizationMethod, SignatureMethod and at least one Reference, and nothing else')
  }
  if (c14n.getAttribute('Algorithm') !== DSIG.excC14n) {
    throw new AgentError('ERR_UNSUPPORTED_ALGORITHM', `unsupported CanonicalizationMethod ${c14n.getAttribute('Algorithm')?.slice(0, 100)}`)
  }
  checkPrefixListOnly(c14n)
  checkSignedInfoScope(signedInfo, c14n)
  const signatureMethod = method.getAttribute('Algorithm') ?? ''
  if (!(SIGNATURE_METHODS as readonly string[]).includes(signatureMethod) || childElements(method).length > 0) {
    throw new AgentError('ERR_UNSUPPORTED_ALGORITHM', `unsupported SignatureMethod ${signatureMethod.slice(0, 100)}`)
  }
  return references.map(readReference)
}

function readReference(ref: Element): ReferenceShape {
  const uri = ref.getAttribute('URI') ?? ''
  if (!uri.startsWith('#') || uri.length < 2) throw invalid(`only same-document references are accepted, not "${uri.slice(0, 80)}"`)
  const children = childElements(ref)
  const transformsEl = isDsig(children[0], 'Transforms') ? children.shift() : undefined
  const [digestMethod, digestValue, ...rest] = children
  if (!isDsig(digestMethod, 'DigestMethod') || !isDsig(digestValue, 'DigestValue') || rest.length > 0) {
    throw invalid(`the reference ${uri.slice(0, 80)} must hold Transforms, DigestMethod and DigestValue, and nothing else`)
  }
  const digest = digestMethod.getAttribute('Algorithm') ?? ''
  if (!(DIGEST_METHODS as readonly string[]).includes(digest)) throw new AgentError('ERR_UNSUPPORTED_ALGORITHM', `unsupported DigestMethod ${digest.slice(0, 100)}`)
  if (textOf(digestValue) === '') throw invalid(`the reference ${uri.slice(0, 80)} has no DigestValue`)
  const transforms: string[] = []
  for (const t of transformsEl ? childElements(transformsEl) : []) {
    const algorithm = t.getAttribute('Algorithm') ?? ''
    if (!isDsig(t, 'Transform') || (algorithm !== DSIG.excC14n && algorithm !== DSIG.enveloped)) {
      throw new AgentError('ERR_UNSUPPORTED_ALGORITHM', `unsupported Transform ${algorithm.slice(0, 100)}`)
    }
    if (algorithm === DSIG.excC14n) checkPrefixListOnly(t)
    else if (childElements(t).length > 0) throw invalid('the enveloped-signature transform takes no parameters')
    transforms.push(algorithm)
  }
  return { id: uri.slice(1), transforms }
}

/** An exc-c14n algorithm element may carry one InclusiveNamespaces PrefixList (exc-c14n §3), nothing else. */
function checkPrefixListOnly(el: Element): void {
  const children = childElements(el)
  if (children.length > 1 || (children.length === 1 && (children[0]!.namespaceURI !== DSIG.excC14n || children[0]!.localName !== 'InclusiveNamespaces'))) {
    throw invalid(`unexpected content in ${el.nodeName}`)
  }
}

/**
 * xml-crypto 6.3 takes the ancestor namespaces for a SignedInfo PrefixList from the document's
 * first element named SignedInfo, which in a holder-of-key message is the assertion's, not this
 * one. Accept a PrefixList only when every prefix it names is bound alike at both.
 */
function checkSignedInfoScope(signedInfo: Element, c14n: Element): void {
  const list = childElements(c14n, DSIG.excC14n, 'InclusiveNamespaces')[0]?.getAttribute('PrefixList') ?? ''
  const prefixes = list.split(/\s+/).filter((p) => p !== '' && p !== '#default')
  if (prefixes.length === 0) return
  const first = signedInfo.ownerDocument.getElementsByTagNameNS('*', 'SignedInfo')[0]
  if (!first || first === signedInfo) return
  for (const p of prefixes) {
    if (first.lookupNamespaceURI(p) !== signedInfo.lookupNamespaceURI(p)) {
      throw invalid(`the SignedInfo PrefixList names "${p.slice(0, 40)}", bound differently at another SignedInfo of the document`)
    }
  }
}

/** Each reference resolves (sandbox index) to a required element, each required element once. */
function matchRequired(references: ReferenceShape[], ids: ReadonlyMap<string, Element>, required: readonly RequiredReference[]): Map<string, RequiredReference> {
  const byId = new Map<string, RequiredReference>()
  for (const ref of references) {
    const target = ids.get(ref.id)
    if (!target) throw invalid(`the reference #${ref.id.slice(0, 80)} points at no element`)
    const expected = required.find((r) => r.element === target)
    if (!expected) throw wrapping(`the signature covers ${target.nodeName.slice(0, 80)}, which it must not`)
    if ([...byId.values()].includes(expected)) throw wrapping(`the signature covers ${expected.name} twice`)
    if (!sameList(ref.transforms, expected.transforms)) {
      throw new AgentError('ERR_UNSUPPORTED_ALGORITHM', `the reference to ${expected.name} must list the transforms ${expected.transforms.join(', ')}`)
    }
    byId.set(ref.id, expected)
  }
  for (const r of required) {
    if (![...byId.values()].includes(r)) throw new AgentError('ERR_SIGNATURE_WRAPPING', `the signature does not cover ${r.name}`, { detail: `${r.name} not signed` })
  }
  return byId
}

/** The verified canonical text is the element itself: same expanded name, same id. */
function isCanonicalFormOf(canonical: string, element: Element, idAttribute: string, id: string): boolean {
  const root = new DOMParser().parseFromString(canonical, 'text/xml').documentElement
  if (!root || (root.namespaceURI ?? '') !== (element.namespaceURI ?? '') || root.localName !== element.localName) return false
  for (let i = 0; i < root.attributes.length; i++) {
    const a = root.attributes[i]!
    if ((a.localName ?? a.name) === idAttribute && a.value === id) return true
  }
  return false
}

function isDsig(el: Element | undefined, localName: string): el is Element {
  return el !== undefined && el.namespaceURI === DSIG.ns && el.localName === localName
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

/** xml-crypto's reason, cut short: its messages can quote a signature value or a whole element. */
function describeXmlCryptoError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err)
  if (message.startsWith('invalid signature: the signature value')) return 'the signature value does not match SignedInfo'
  return `xml-crypto refused it: ${message.split('\n')[0]!.replace(/[A-Za-z0-9+/=]{40,}/g, '…').slice(0, 160)}`
}

function invalid(detail: string): AgentError {
  return new AgentError('ERR_SIGNATURE_INVALID', `the XML signature does not verify: ${detail}`, { detail })
}

function wrapping(detail: string): AgentError {
  return new AgentError('ERR_SIGNATURE_WRAPPING', `signature wrapping refused: ${detail}`, { detail })
}
