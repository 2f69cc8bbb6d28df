import { ALGORITHMS, SUITES, type HashName, type SignatureAlgorithm } from './algorithms.js'
import { escapeAttr } from './c14n.js'
import { digestBase64 } from './digest.js'

export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#'

/** One `ds:Reference` to build: the id it points at and the canonical form of that element. */
export interface ReferenceInput {
  /** The referenced element's id (without `#`). */
  id: string
  /**
   * exc-c14n of the referenced element, after the transforms listed below: one string, or
   * strings to digest in order (as a streaming canonicalizer produces them).
   */
  canonical: string | readonly string[]
  /** Whether an enveloped-signature transform precedes exc-c14n (the signature sits inside). */
  enveloped?: boolean
  /** InclusiveNamespaces PrefixList of the exc-c14n transform, written out when given. */
  inclusivePrefixes?: readonly string[]
}

/** Options of {@link prepareSignature}. */
export interface PrepareSignatureOptions {
  references: readonly ReferenceInput[]
  /** Default `rsa-sha256` (sha256 digests); `rsa-sha1` uses sha1 digests. */
  algorithm?: SignatureAlgorithm
  /** `Id` attribute of ds:Signature, if any. */
  signatureId?: string
}

/**
 * The first half of a signature: everything but the RSA operation. `signedInfo` is the exact
 * byte string the key must sign (RSA PKCS#1 v1.5 with `hash`); `finish` takes the raw signature
 * value and the ds:KeyInfo markup and returns the ds:Signature element as text.
 */
export interface PreparedSignature {
  /** Canonical SignedInfo, UTF-8: the bytes to sign. */
  signedInfo: Uint8Array
  /** Hash of the signature algorithm, as Node's `crypto.sign(hash, ...)` names it. */
  hash: HashName
  algorithm: SignatureAlgorithm
  /** Build `<ds:Signature>` around the signature value. `keyInfo` is inserted verbatim. */
  finish(signatureValue: Uint8Array, keyInfo: string): string
}

/**
 * Prepare an XML-DSig signature over already-canonicalized references.
 *
 * The SignedInfo is written directly in canonical form, so no re-parse is needed: its text inside
 * the document is the canonical text minus the `xmlns:ds` declaration, which exc-c14n renders on
 * SignedInfo (ds is visibly utilized there, XML-DSig §4.3 + exc-c14n §3) and which the enclosing
 * ds:Signature declares in the document. SignedInfo is always canonicalized without a PrefixList.
 *
 * @example
 * ```ts
 * const p = prepareSignature({ references: [{ id: 'TS-1', canonical: tsC14n }] })
 * const value = crypto.sign(p.hash, p.signedInfo, privateKey)
 * const signatureXml = p.finish(value, '<ds:KeyInfo>...</ds:KeyInfo>')
 * ```
 */
export function prepareSignature(options: PrepareSignatureOptions): PreparedSignature {
  const algorithm = options.algorithm ?? 'rsa-sha256'
  const suite = SUITES[algorithm]
  const parts: string[] = [
    `<ds:CanonicalizationMethod Algorithm="${ALGORITHMS.excC14n}"></ds:CanonicalizationMethod>`,
    `<ds:SignatureMethod Algorithm="${suite.signatureUri}"></ds:SignatureMethod>`,
  ]
  for (const ref of options.references) {
    const transforms: string[] = []
    if (ref.enveloped) transforms.push(`<ds:Transform Algorithm="${ALGORITHMS.enveloped}"></ds:Transform>`)
    if (ref.inclusivePrefixes) {
      transforms.push(
        `<ds:Transform Algorithm="${ALGORITHMS.excC14n}">` +
          `<ec:InclusiveNamespaces xmlns:ec="${ALGORITHMS.excC14n}" PrefixList="${escapeAttr(ref.inclusivePrefixes.join(' '))}"></ec:InclusiveNamespaces>` +
          `</ds:Transform>`,
      )
    } else {
      transforms.push(`<ds:Transform Algorithm="${ALGORITHMS.excC14n}"></ds:Transform>`)
    }
    parts.push(
      `<ds:Reference URI="#${escapeAttr(ref.id)}"><ds:Transforms>${transforms.join('')}</ds:Transforms>` +
        `<ds:DigestMethod Algorithm="${suite.digestUri}"></ds:DigestMethod>` +
        `<ds:DigestValue>${digestBase64(suite.hash, ref.canonical)}</ds:DigestValue></ds:Reference>`,
    )
  }
  const inner = parts.join('')
  const canonical = `<ds:SignedInfo xmlns:ds="${DSIG_NS}">${inner}</ds:SignedInfo>`
  const idAttr = options.signatureId ? ` Id="${escapeAttr(options.signatureId)}"` : ''
  return {
    signedInfo: new TextEncoder().encode(canonical),
    hash: suite.hash,
    algorithm,
    finish(signatureValue, keyInfo) {
      const b64 = toBase64(signatureValue)
      return (
        `<ds:Signature xmlns:ds="${DSIG_NS}"${idAttr}><ds:SignedInfo>${inner}</ds:SignedInfo>` +
        `<ds:SignatureValue>${b64}</ds:SignatureValue>${keyInfo}</ds:Signature>`
      )
    },
  }
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}
