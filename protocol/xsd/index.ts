/**
 * XML Schema values the protocol codecs read and write: xsd:dateTime, NCName (xsd:ID) and the
 * XML 1.0 characters and name characters. One implementation each, shared by xml/ (the scanner),
 * saml/, sts/ and wssec/.
 *
 * @module
 */
export { formatXsdDateTime, parseXsdDateTime } from './date-time.js'
export type { XsdDateTimeOptions, XsdReading } from './date-time.js'
export { isNcName } from './ncname.js'
export { findNonXmlChar, firstInvalidChar, isNameHighSurrogate, isNameStartUnit, isNameUnit, isXmlCodePoint, isXmlSpace, isXmlText } from './xml-char.js'
