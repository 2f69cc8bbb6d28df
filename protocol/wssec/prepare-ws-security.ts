import { AgentError } from '../errors.js'
import { WSSE_NS, WSU_NS } from '../soap/namespaces.js'
import { spliceHeader } from '../soap/splice-header.js'
import { splitEnvelope, type SplitEnvelope } from '../soap/split-envelope.js'
import type { HashName, SignatureAlgorithm } from '../xml/algorithms.js'
import { canonicalize, escapeAttr } from '../xml/c14n.js'
import { indexIds } from '../xml/ids.js'
import { prepareSignature } from '../xml/sign.js'
import { buildTimestamp } from './timestamp.js'
import { buildBinarySecurityToken, keyInfoForBinarySecurityToken, keyInfoForSamlAssertion } from './tokens.js'

const XMLNS_NS = 'http://www.w3.org/2000/xmlns/'

/** The two WS-Security profiles eHealth uses (reference §2.2 and §5.1). */
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
  /** Timestamp lifetime; default 60 s (eHealth connector default, reference §5.1). */
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
 * 1. parse the caller's envelope once and refuse anything ambiguous (see splitEnvelope);
 * 2. give the Body a wsu:Id (or keep the caller's), canonicalize it (exc-c14n) and digest it;
 *    the Timestamp (and BST) are generated directly in canonical form;
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

  const body = env.body
  let bodyId = checkBodyId(env)
  let bodyAttributes = ''
  if (!bodyId) {
    bodyId = newId('id')
    const prefix = wsuPrefixFor(body)
    if (body.lookupNamespaceURI(prefix) !== WSU_NS) {
      bodyAttributes += ` xmlns:${prefix}="${WSU_NS}"`
      body.setAttributeNS(XMLNS_NS, `xmlns:${prefix}`, WSU_NS)
    }
    bodyAttributes += ` ${prefix}:Id="${escapeAttr(bodyId)}"`
    // The DOM gets the same attributes the text will get, so its c14n is the c14n of the result.
    body.setAttributeNS(WSU_NS, `${prefix}:Id`, bodyId)
  }

  const tsId = newId('TS')
  const timestamp = buildTimestamp(tsId, options.now, options.ttlMs ?? 60_000)
  const references = [
    { id: bodyId, canonical: canonicalize(body) },
    { id: tsId, canonical: timestamp },
  ]
  let token: string
  let keyInfo: string
  if (profile.kind === 'saml-hok') {
    token = profile.assertionXml
    keyInfo = keyInfoForSamlAssertion(escapeAttr(profile.assertionId))
  } else {
    const bstId = newId('X509')
    token = buildBinarySecurityToken(bstId, profile.certificateBase64)
    keyInfo = keyInfoForBinarySecurityToken(bstId)
    references.push({ id: bstId, canonical: token })
  }
  for (const ref of references.slice(1)) assertUnusedId(env.parsed.text, ref.id)

  const prepared = prepareSignature({ references, algorithm: options.algorithm ?? 'rsa-sha256', signatureId: newId('SIG') })

  const soapPrefix = soapPrefixFor(env)
  const securityOpen =
    `<wsse:Security xmlns:wsse="${WSSE_NS}" xmlns:${soapPrefix}="${env.soapNs}" ${soapPrefix}:mustUnderstand="1">`
  const body0 = env.bodyRoot
  return {
    signedInfo: prepared.signedInfo,
    hash: prepared.hash,
    algorithm: prepared.algorithm,
    bodyId,
    operation: body0 ? { namespace: body0.namespaceURI ?? '', localName: body0.localName } : undefined,
    finish(signatureValue) {
      const signature = prepared.finish(signatureValue, keyInfo)
      const headerContent = `${securityOpen}${timestamp}${token}${signature}</wsse:Security>`
      return spliceHeader(env, { headerContent, bodyAttributes })
    },
  }
}

/**
 * The caller's own Body wsu:Id ('' when it has none), refused with ERR_XML_DUPLICATE_ID when
 * another element carries it too: referencing it is only safe when nothing else does (wrapping).
 * {@link prepareWsSecurity} runs it; a caller that must sign in first runs it before, so such an
 * envelope is refused without a PIN prompt.
 */
export function checkBodyId(env: SplitEnvelope): string {
  const bodyId = env.body.getAttributeNS(WSU_NS, 'Id') ?? ''
  if (bodyId && indexIds(env.parsed.document).get(bodyId) !== env.body) {
    throw new AgentError('ERR_XML_DUPLICATE_ID', `the Body id "${bodyId.slice(0, 80)}" is used by another element`)
  }
  return bodyId
}

/** `wsu`, unless the caller's document binds `wsu` to something else in the Body's scope. */
function wsuPrefixFor(body: Element): string {
  for (let i = 0; ; i++) {
    const candidate = i === 0 ? 'wsu' : `wsu${i}`
    const bound = body.lookupNamespaceURI(candidate)
    if (bound === null || bound === WSU_NS) return candidate
  }
}

/** The prefix used for soap:mustUnderstand on the Security header; declared on it explicitly. */
function soapPrefixFor(env: SplitEnvelope): string {
  const qname = (env.spans.header ?? env.spans.body).qname
  const i = qname.indexOf(':')
  return i === -1 ? 'soapenv' : qname.slice(0, i)
}

/**
 * Our generated ids must not collide with one in the caller's document (a collision would make
 * a reference ambiguous). A cheap text search is enough: ids are random and never attacker-chosen.
 */
function assertUnusedId(text: string, id: string): void {
  if (text.includes(`"${id}"`) || text.includes(`'${id}'`)) {
    throw new AgentError('ERR_XML_DUPLICATE_ID', `the envelope already uses the id "${id}"`)
  }
}
