/**
 * Distinguished names written the way eHealth's certificates and STS NameIdentifiers show them
 * (Java RFC 1779 form): most specific first, `, ` between attributes, a value quoted when it holds
 * a DN special character, as in
 * `CN="SSIN=79021802145", OU=eHealth-platform Belgium, …, O=Federal Government, C=BE`.
 *
 * Lists here are in that reading order; the certificate stores them reversed (C first), which is
 * what makes the printed form start with CN.
 */
import forge from 'node-forge'

export const DN_KEYS = ['C', 'O', 'OU', 'CN', 'SN', 'GIVENNAME', 'SERIALNUMBER'] as const
export type DnKey = (typeof DN_KEYS)[number]

export type DnAttribute = readonly [DnKey, string]

const OIDS: Record<DnKey, string> = {
  C: '2.5.4.6',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  CN: '2.5.4.3',
  SN: '2.5.4.4',
  GIVENNAME: '2.5.4.42',
  SERIALNUMBER: '2.5.4.5',
}

/** `CN="SSIN=…", OU=…, C=BE` from attributes in reading order. */
export function formatDn(dn: readonly DnAttribute[]): string {
  return dn.map(([key, value]) => `${key}=${quoteDnValue(value)}`).join(', ')
}

/** forge's subject/issuer attributes, in certificate (ASN.1) order. */
export function toForgeAttributes(dn: readonly DnAttribute[]): forge.pki.CertificateField[] {
  // UTF8String for names (accents are common in Belgian names); PrintableString where X.520
  // requires it (countryName, serialNumber). forge UTF-8-encodes a UTF8String value itself.
  return [...dn].reverse().map(([key, value]) => {
    const tag = key === 'C' || key === 'SERIALNUMBER' ? forge.asn1.Type.PRINTABLESTRING : forge.asn1.Type.UTF8
    // @types/node-forge types valueTagClass as a tag class; forge reads it as the value's tag.
    return { type: OIDS[key], value, valueTagClass: tag as unknown as forge.asn1.Class }
  })
}

function quoteDnValue(value: string): string {
  return /[,=+<>#;"\\]|^\s|\s$/.test(value) ? `"${value.replace(/(["\\])/g, '\\$1')}"` : value
}

