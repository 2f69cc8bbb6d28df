import { AgentError } from '../errors.js'
import { WSSE_NS, WSU_NS } from '../soap/namespaces.js'
import { spliceHeader } from '../soap/splice-header.js'
import { splitEnvelope, type SplitEnvelope } from '../soap/split-envelope.js'
import type { HashName, SignatureAlgorithm } from '../xml/algorithms.js'
import { escapeAttr } from '../xml/c14n-escape.js'
import { prepareSignature, type ReferenceInput } from '../xml/sign.js'
import { buildTimestamp } from './timestamp.js'
import { buildBinarySecurityToken, keyInfoForBinarySecurityToken, keyInfoForSamlAssertion } from './tokens.js'

/** The two WS-Security profiles eHealth uses (TC `CertificateCallback` and `SAMLHolderOfKeyHandler`). */
export type WsSecurityProfile =
  | {
      /** SAML holder-of-key: the STS assertion in the header, Body and Timestamp signed by the HOK key. */
      kind: 'saml-hok'
      /** The assertion exactly as the STS issued it (it is copied verbatim; it is signed by the STS). */
      assertionXml: string
      assertionId: string
    }
  | {
      /** X.509: a BinarySecurityToken; Body, Timestamp and the BST signed by its key. */
      kind: 'x509'
      certificateBase64: string
    }

/** Options of {@link prepareWsSecurity}. Clock and ids are injected, so output is reproducible. */
export interface PrepareWsSecurityOptions {
  profile: WsSecurityProfile
  /** Timestamp Created. */
  now: Date
  /** Timestamp lifetime; default 60 s (TC `security.outgoing.message.timestamp.expires.ttl` default). */
  ttlMs?: number
  /** Default rsa-sha256 with sha256 digests; rsa-sha1 on request. */
  algorithm?: SignatureAlgorithm
  /** Makes a fresh id for `kind` ('TS', 'id', 'X509', 'SIG'); each call must return a new, unique NCName. */
  newId: (kind: 'TS' | 'id' | 'X509' | 'SIG') => string
}

/** The envelope ready for its one RSA operation. */
export interface PreparedEnvelope {
  /** The canonical SignedInfo: the exact bytes the key signs. */
  signedInfo: Uint8Array
  hash: HashName
  algorithm: SignatureAlgorithm
  /** The Body's wsu:Id (the caller's own, when it had one). */
  bodyId: string
  /** The Body's first element: what operation the envelope asks for (for consent and audit). */
  operation: { namespace: string; localName: string } | undefined
  /** Splice the header, with this signature value, into the caller's original text. */
  finish(signatureValue: Uint8Array): string
}

/**
 * Sign a SOAP envelope with WS-Security, in two halves so that any key source, synchronous or
 * not (PKCS#11 on a card), does the RSA step in between:
 *
 * 1. read the caller's envelope once and refuse anything ambiguous (see splitEnvelope); that
 *    same pass canonicalizes the Body (exc-c14n), with no DOM;
 * 2. give the Body a wsu:Id (or keep the caller's) and digest its canonical form; the
 *    Timestamp (and BST) are generated directly in canonical form;
 * 3. return the canonical SignedInfo to sign;
 * 4. `finish` splices the Security header into the caller's original text: the Body bytes the
 *    caller sent are the bytes that were digested.
 *
 * @example
 * ```ts
 * const p = prepareWsSecurity(envelope, { profile: { kind: 'saml-hok', assertionXml, assertionId }, now, newId })
 * const signed = p.finish(await key.sign(p.signedInfo, p.hash))
 * ```
 */
export function prepareWsSecurity(envelope: string | SplitEnvelope, options: PrepareWsSecurityOptions): PreparedEnvelope {
  const env = typeof envelope === 'string' ? splitEnvelope(envelope) : envelope
  const { profile, newId } = options

  let bodyId = env.bodyId
  let bodyAttributes = ''
  let bodyCanonical: string[]
  if (bodyId) {
    bodyCanonical = env.bodyCanonical.parts()
  } else {
    bodyId = assertUnusedId(env, newId('id'))
    const { idPrefix, declareIdPrefix } = env.bodyCanonical
    if (declareIdPrefix) bodyAttributes += ` xmlns:${idPrefix}="${WSU_NS}"`
    bodyAttributes += ` ${idPrefix}:Id="${escapeAttr(bodyId)}"`
    // The canonical Body carries the same attribute the text gets, so it is the c14n of the result.
    bodyCanonical = env.bodyCanonical.parts(bodyId)
  }
  if (profile.kind === 'saml-hok' && env.ids.has(profile.assertionId)) {
    // The assertion goes into the same document; its AssertionID must stay unique there too.
    throw new AgentError('ERR_XML_DUPLICATE_ID', `the envelope already uses the assertion's id "${profile.assertionId.slice(0, 80)}"`)
  }

  const tsId = assertUnusedId(env, newId('TS'))
  const timestamp = buildTimestamp(tsId, options.now, options.ttlMs ?? 60_000)
  const references: ReferenceInput[] = [
    { id: bodyId, canonical: bodyCanonical },
    { id: tsId, canonical: timestamp },
  ]
  // Neither the assertion nor a KeyInfo is digested: the assertion is copied verbatim (the STS
  // signed it), and the BST is written in canonical form, so nothing is canonicalized per token.
  let token: string
  let keyInfo: string
  if (profile.kind === 'saml-hok') {
    token = profile.assertionXml
    keyInfo = keyInfoForSamlAssertion(escapeAttr(profile.assertionId))
  } else {
    const bstId = assertUnusedId(env, newId('X509'))
    token = buildBinarySecurityToken(bstId, profile.certificateBase64)
    keyInfo = keyInfoForBinarySecurityToken(bstId)
    references.push({ id: bstId, canonical: token })
  }

  const prepared = prepareSignature({ references, algorithm: options.algorithm ?? 'rsa-sha256', signatureId: assertUnusedId(env, newId('SIG')) })

  const soapPrefix = soapPrefixFor(env)
  const securityOpen =
    `<wsse:Security xmlns:wsse="${WSSE_NS}" xmlns:${soapPrefix}="${env.soapNs}" ${soapPrefix}:mustUnderstand="1">`
  return {
    signedInfo: prepared.signedInfo,
    hash: prepared.hash,
    algorithm: prepared.algorithm,
    bodyId,
    operation: env.operation,
    finish(signatureValue) {
      const signature = prepared.finish(signatureValue, keyInfo)
      const headerContent = `${securityOpen}${timestamp}${token}${signature}</wsse:Security>`
      return spliceHeader(env, { headerContent, bodyAttributes })
    },
  }
}

/**
 * The caller's own Body wsu:Id ('' when it has none). splitEnvelope already refused an envelope
 * where another element carries it too (with any id attribute: referencing it is only safe when
 * nothing else does). Kept for callers that check before signing in.
 */
export function checkBodyId(env: SplitEnvelope): string {
  return env.bodyId
}

/** The prefix used for soap:mustUnderstand on the Security header; declared on it explicitly. */
function soapPrefixFor(env: SplitEnvelope): string {
  const qname = (env.spans.header ?? env.spans.body).qname
  const i = qname.indexOf(':')
  return i === -1 ? 'soapenv' : qname.slice(0, i)
}

/**
 * Our generated ids must not collide with one in the caller's document (a collision would make
 * a reference ambiguous); the envelope's ids were all collected when it was read.
 */
function assertUnusedId(env: SplitEnvelope, id: string): string {
  if (env.ids.has(id)) throw new AgentError('ERR_XML_DUPLICATE_ID', `the envelope already uses the id "${id.slice(0, 80)}"`)
  return id
}
