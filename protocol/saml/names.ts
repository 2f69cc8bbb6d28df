/**
 * The fixed names of SAML 1.1 as eHealth uses them: namespace URIs and the URIs that fill
 * ConfirmationMethod, NameIdentifier/@Format and AuthenticationMethod.
 *
 * @module
 */

/**
 * Namespace URIs. SAML 1.1 kept the 1.0 namespaces (SAML 1.1 core §1.2: "SAML V1.1 uses the same
 * namespaces as V1.0"), so `1.0` here is not a version mistake.
 *
 * @example
 * ```ts
 * root.namespaceURI === SAML_NAMESPACES.assertion && root.localName === 'Assertion'
 * ```
 */
export const SAML_NAMESPACES = {
  assertion: 'urn:oasis:names:tc:SAML:1.0:assertion',
  protocol: 'urn:oasis:names:tc:SAML:1.0:protocol',
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
} as const

/**
 * URI values of SAML 1.1 that eHealth uses (TC `STSServiceImpl`, EG `Verify()`).
 *
 * @example
 * ```ts
 * confirmationMethod === SAML_URIS.holderOfKey
 * ```
 */
export const SAML_URIS = {
  /** SAML 1.1 core §7.1: the subject proves possession of the key in SubjectConfirmation/ds:KeyInfo. */
  holderOfKey: 'urn:oasis:names:tc:SAML:1.0:cm:holder-of-key',
  /** NameIdentifier/@Format used by TC, EC and EG. */
  x509SubjectName: 'urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName',
  /** AuthenticationStatement/@AuthenticationMethod of STS tokens (X509-PKI, as the STS issues them). */
  x509Pki: 'urn:oasis:names:tc:SAML:1.0:am:X509-PKI',
} as const

/**
 * The `Issuer` of assertions minted by the eHealth STS (EG `Verify()` asserts it).
 * Offered to callers as a default for `expectedIssuers`; nothing in protocol/saml hard-codes it.
 *
 * @example
 * ```ts
 * checkAssertion(xml, { trustedSigners, now, expectedIssuers: [EHEALTH_STS_ISSUER] })
 * ```
 */
export const EHEALTH_STS_ISSUER = 'urn:be:fgov:ehealth:sts:1_0'
