/**
 * Namespace and literal URIs of the eHealth WS-Trust STS (`/IAM/SecurityTokenService/v1`).
 *
 * Kept here rather than imported from `protocol/soap/` so the STS codecs stand alone; the values
 * are the same strings (the STS WSDL `ehealth-iam-sts-ws-trust-1.3-proxy-v1.wsdl`).
 *
 * @module
 */

/**
 * XML namespaces used by the RST / RSTR (the STS WSDL; TC `wstrust/` templates).
 *
 * @example
 * ```ts
 * STS_NS.wst // 'http://docs.oasis-open.org/ws-sx/ws-trust/200512'
 * ```
 */
export const STS_NS = {
  /** WS-Trust 1.3. Note `ws-trust` here; the R2024.1 announcement's request sample spells it `wstrust`, which is
   * the KeyType literal's spelling leaking into a PDF copy; its response and TC use `ws-trust`. */
  wst: 'http://docs.oasis-open.org/ws-sx/ws-trust/200512',
  auth: 'http://docs.oasis-open.org/wsfed/authorization/200706',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  /** SAML 1.x assertion namespace (the STS issues SAML 1.1 under it). */
  saml1: 'urn:oasis:names:tc:SAML:1.0:assertion',
} as const

/**
 * Literal URIs written into, and expected in, the RST (TC `wstrust/` Issue and Renew templates).
 *
 * @example
 * ```ts
 * STS_URIS.keyTypePublicKey // 'http://docs.oasis-open.org/ws-sx/wstrust/200512/PublicKey'
 * ```
 */
export const STS_URIS = {
  /** TC `issue.samlv11.hok.template.xml`: `saml-token-profile-1.1` (the announcement drops the hyphen
   * before 1.1 in its PDF copy; TC, EC, EG and JS all write it with the hyphen). */
  tokenTypeSaml11: 'http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1',
  requestTypeIssue: 'http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue',
  requestTypeRenew: 'http://docs.oasis-open.org/ws-sx/ws-trust/200512/Renew',
  claimsDialect: 'http://docs.oasis-open.org/wsfed/authorization/200706/authclaims',
  /** `wstrust`, not the standard `ws-trust`: the literal every known client sends (TC, EC, EG). */
  keyTypePublicKey: 'http://docs.oasis-open.org/ws-sx/wstrust/200512/PublicKey',
} as const

/**
 * SAML AttributeNamespace values of the eHealth claims (ICURE `STSServiceImpl.kt`). Never on the
 * wire of the RST (TC `STSServiceWsTrustImpl.issueHokToken`), but kept in the catalogue to match
 * the attributes of the issued assertion.
 *
 * @example
 * ```ts
 * ATTRIBUTE_NS.identification // 'urn:be:fgov:identification-namespace'
 * ```
 */
export const ATTRIBUTE_NS = {
  identification: 'urn:be:fgov:identification-namespace',
  certified: 'urn:be:fgov:certified-namespace:ehealth',
} as const
