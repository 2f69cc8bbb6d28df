/**
 * Hardened XML for ehealth-agent: parsing with no DTD and with size/depth limits, exclusive
 * c14n, digests, signatures split into prepare/finish, and a generic verifier.
 *
 * @module
 */
export { ALGORITHMS, SUITES, hashOfDigestUri, hashOfSignatureUri } from './algorithms.js'
export type { AlgorithmSuite, HashName, SignatureAlgorithm } from './algorithms.js'
export { canonicalize, inScopeNamespaces } from './c14n.js'
export type { C14nOptions } from './c14n.js'
export { compareCodePoints, escapeAttr, escapeText } from './c14n-escape.js'
export { ExcC14nStream, canonicalizeElement } from './c14n-stream.js'
export type { AddedAttribute, C14nStreamOptions } from './c14n-stream.js'
export { decodeXmlBytes } from './decode-xml-bytes.js'
export { digestBase64 } from './digest.js'
export { extractElementText } from './extract-element-text.js'
export { childElement, childElements, descendants, isInside, textOf } from './dom.js'
export { ID_ATTRIBUTES, indexIds, isIdAttribute } from './ids.js'
export { parseXml } from './parse-xml.js'
export type { ParsedXml } from './parse-xml.js'
export { DEFAULT_XML_LIMITS, XML_NS, XMLNS_NS, decodeCharacterData, normalizeAttributeValue, scanXml, scanXmlEvents } from './scan-xml.js'
export type { ElementSpan, NamespaceDeclaration, ScanHandler, StartTag, XmlAttribute, XmlLimits } from './scan-xml.js'
export { DSIG_NS, prepareSignature } from './sign.js'
export type { PrepareSignatureOptions, PreparedSignature, ReferenceInput } from './sign.js'
export { verifySignature } from './verify.js'
export type { VerifiedSignature } from './verify.js'
