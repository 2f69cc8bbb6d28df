/**
 * XML Schema values the protocol codecs read and write: xsd:dateTime, NCName (xsd:ID) and the
 * XML 1.0 character range. One implementation each, shared by saml/, sts/ and wssec/.
 *
 * @module
 */
export { formatXsdDateTime, parseXsdDateTime } from './date-time.js'
export type { XsdDateTimeOptions, XsdReading } from './date-time.js'
export { isNcName } from './ncname.js'
export { findNonXmlChar, isXmlText } from './xml-char.js'
