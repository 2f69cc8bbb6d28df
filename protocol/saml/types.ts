/**
 * The value shapes shared by the SAML 1.1 codecs (parsed and built alike).
 *
 * @module
 */

/**
 * A `NameIdentifier` (SAML 1.1 core §2.4.2.2). `format` and `nameQualifier` are '' when absent.
 *
 * @example
 * ```ts
 * const id: NameIdentifier = { format: SAML_URIS.x509SubjectName, nameQualifier: 'CN=Citizen CA, C=BE', value: 'CN=John Doe, C=BE' }
 * ```
 */
export interface NameIdentifier {
  format: string
  nameQualifier: string
  value: string
}

/**
 * A `saml:Attribute`: AttributeName, AttributeNamespace and the text of each AttributeValue.
 *
 * @example
 * ```ts
 * const ssin: SamlAttribute = { name: 'urn:be:fgov:person:ssin', namespace: 'urn:be:fgov:identification-namespace', values: ['79021802145'] }
 * ```
 */
export interface SamlAttribute {
  name: string
  namespace: string
  values: string[]
}

/**
 * A `saml:AttributeDesignator`: a claim requested from the STS (TC
 * `legacy/issue.samlv11.hok.template.xml`).
 *
 * @example
 * ```ts
 * const d: AttributeDesignator = { name: 'urn:be:fgov:person:ssin:doctor:boolean', namespace: 'urn:be:fgov:certified-namespace:ehealth' }
 * ```
 */
export interface AttributeDesignator {
  name: string
  namespace: string
}
