import { WSSE11_NS } from '../soap/namespaces.js'
import { WSSE_NS, WSU_NS } from '../soap/namespaces.js'

/** Token profile URIs (OASIS WSS X.509 Token Profile 1.0, SAML Token Profile 1.0/1.1). */
export const TOKEN_TYPES = {
  x509v3: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3',
  base64Binary: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary',
  samlAssertionId: 'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.0#SAMLAssertionID',
  samlV11: 'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1',
} as const

/**
 * A BinarySecurityToken holding an X.509 certificate, in exclusive-canonical form (namespace
 * declarations sorted by prefix, unqualified attributes before wsu:Id), so it is digested as is.
 */
export function buildBinarySecurityToken(id: string, certificateBase64: string): string {
  return (
    `<wsse:BinarySecurityToken xmlns:wsse="${WSSE_NS}" xmlns:wsu="${WSU_NS}" ` +
    `EncodingType="${TOKEN_TYPES.base64Binary}" ValueType="${TOKEN_TYPES.x509v3}" wsu:Id="${id}">` +
    `${certificateBase64}</wsse:BinarySecurityToken>`
  )
}

/** ds:KeyInfo pointing at a BinarySecurityToken by direct reference (WSS X.509 profile §3.3.2). */
export function keyInfoForBinarySecurityToken(bstId: string): string {
  return (
    `<ds:KeyInfo><wsse:SecurityTokenReference>` +
    `<wsse:Reference URI="#${bstId}" ValueType="${TOKEN_TYPES.x509v3}"/>` +
    `</wsse:SecurityTokenReference></ds:KeyInfo>`
  )
}

/**
 * ds:KeyInfo naming a SAML 1.1 assertion by its AssertionID (SAML Token Profile 1.1 §3.4.2),
 * as eHealth's HOK policy expects: a KeyIdentifier of ValueType SAMLAssertionID, TokenType
 * SAMLV1.1, no EncodingType (TC `templates/keyinfo-saml1.1-reference.xml`).
 */
export function keyInfoForSamlAssertion(assertionId: string): string {
  return (
    `<ds:KeyInfo><wsse:SecurityTokenReference xmlns:wsse11="${WSSE11_NS}" wsse11:TokenType="${TOKEN_TYPES.samlV11}">` +
    `<wsse:KeyIdentifier ValueType="${TOKEN_TYPES.samlAssertionId}">${assertionId}</wsse:KeyIdentifier>` +
    `</wsse:SecurityTokenReference></ds:KeyInfo>`
  )
}
