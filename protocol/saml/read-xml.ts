/**
 * Reading SAML 1.1 markup strictly: exactly-one and at-most-one children, required attributes,
 * xsd:dateTime, base64 certificates and NameIdentifiers. Every complaint is ERR_SAML_INVALID.
 *
 * @module
 */
import { AgentError } from '../errors.js'
import { childElements } from '../xml/index.js'
import { parseXsdDateTime } from '../xsd/index.js'
import { SAML_NAMESPACES } from './names.js'
import type { NameIdentifier } from './types.js'

const PREFIX_OF: Record<string, string> = {
  [SAML_NAMESPACES.assertion]: 'saml',
  [SAML_NAMESPACES.protocol]: 'samlp',
  [SAML_NAMESPACES.dsig]: 'ds',
}

/**
 * The one child `ns:localName` of `parent`; none or several is an error.
 *
 * @example
 * ```ts
 * const conditions = requireChild(assertionEl, SAML_NAMESPACES.assertion, 'Conditions')
 * ```
 */
export function requireChild(parent: Element, ns: string, localName: string): Element {
  const found = childElements(parent, ns, localName)
  if (found.length !== 1) {
    throw samlInvalid(`${describe(parent)} must contain exactly one ${name(ns, localName)}, found ${found.length}`)
  }
  return found[0]!
}

/**
 * The child `ns:localName` of `parent` if there is one; several is an error.
 *
 * @example
 * ```ts
 * const confirmation = optionalChild(subjectEl, SAML_NAMESPACES.assertion, 'SubjectConfirmation')
 * ```
 */
export function optionalChild(parent: Element, ns: string, localName: string): Element | undefined {
  const found = childElements(parent, ns, localName)
  if (found.length > 1) throw samlInvalid(`${describe(parent)} must contain at most one ${name(ns, localName)}, found ${found.length}`)
  return found[0]
}

/**
 * A required, non-empty attribute (unqualified, as all SAML 1.1 attributes are). An empty value
 * counts as absent (xmldom 0.8 returns '' for a missing attribute anyway).
 *
 * @example
 * ```ts
 * const id = requireAttr(assertionEl, 'AssertionID')
 * ```
 */
export function requireAttr(el: Element, attr: string): string {
  const value = el.getAttribute(attr)
  if (value === null || value === '') throw samlInvalid(`${describe(el)} has no ${attr}`)
  return value
}

/**
 * SAML 1.1 requires MajorVersion="1" MinorVersion="1" on Assertion, Request and Response.
 *
 * @example
 * ```ts
 * requireVersion11(responseEl) // throws ERR_SAML_INVALID for SAML 1.0 or 2.0
 * ```
 */
export function requireVersion11(el: Element): void {
  if (el.getAttribute('MajorVersion') !== '1' || el.getAttribute('MinorVersion') !== '1') {
    throw samlInvalid(`${describe(el)} is not SAML 1.1 (MajorVersion="1" MinorVersion="1")`)
  }
}

/**
 * An xsd:dateTime attribute as a Date (fractions beyond milliseconds are truncated). SAML 1.1
 * core §1.2.2: time values are xsd:dateTime in UTC ("Z"); an explicit offset is accepted too (it
 * is unambiguous), a time without zone is not.
 *
 * @example
 * ```ts
 * readDateTime(conditionsEl, 'NotOnOrAfter') // Date for NotOnOrAfter="2025-01-11T09:00:00.000Z"
 * ```
 */
export function readDateTime(el: Element, attr: string): Date {
  const raw = requireAttr(el, attr)
  const read = parseXsdDateTime(raw, { missingTimezone: 'refuse' })
  if (!read.ok) throw samlInvalid(`${describe(el)}/@${attr} is not an xsd:dateTime in UTC (${read.problem}): "${raw.slice(0, 40)}"`)
  return read.value
}

/**
 * The one `ds:KeyInfo/ds:X509Data/ds:X509Certificate` under `keyInfo`, base64 without whitespace.
 *
 * @example
 * ```ts
 * const hok = readKeyInfoCertificate(requireChild(confirmationEl, SAML_NAMESPACES.dsig, 'KeyInfo'))
 * ```
 */
export function readKeyInfoCertificate(keyInfo: Element): string {
  const data = requireChild(keyInfo, SAML_NAMESPACES.dsig, 'X509Data')
  const cert = requireChild(data, SAML_NAMESPACES.dsig, 'X509Certificate')
  const b64 = (cert.textContent ?? '').replace(/\s+/g, '')
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw samlInvalid('ds:X509Certificate is not base64')
  return b64
}

/**
 * A saml:NameIdentifier: Format and NameQualifier ('' when absent) and the trimmed value.
 *
 * @example
 * ```ts
 * readNameIdentifier(nameIdEl) // { format: '…X509SubjectName', nameQualifier: 'CN=…', value: 'CN=…' }
 * ```
 */
export function readNameIdentifier(el: Element): NameIdentifier {
  const value = (el.textContent ?? '').trim()
  if (value === '') throw samlInvalid('saml:NameIdentifier is empty')
  return { format: el.getAttribute('Format') ?? '', nameQualifier: el.getAttribute('NameQualifier') ?? '', value }
}

/**
 * Base64 DER as bytes, for comparing certificates by exact DER equality.
 *
 * @example
 * ```ts
 * derOf(tokenHokBase64).equals(derOf(ourCertBase64))
 * ```
 */
export function derOf(base64: string): Buffer {
  return Buffer.from(base64.replace(/\s+/g, ''), 'base64')
}

/**
 * The typed error of every structural complaint about SAML input.
 *
 * @example
 * ```ts
 * throw samlInvalid('the response has no InResponseTo') // ERR_SAML_INVALID, data.detail
 * ```
 */
export function samlInvalid(detail: string): AgentError {
  return new AgentError('ERR_SAML_INVALID', `not valid SAML 1.1: ${detail}`, { detail })
}

function describe(el: Element): string {
  return name(el.namespaceURI ?? '', el.localName ?? el.nodeName)
}

function name(ns: string, localName: string): string {
  const prefix = PREFIX_OF[ns]
  return prefix ? `${prefix}:${localName}` : localName
}
