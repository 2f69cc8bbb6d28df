/** SOAP and WS-Security namespace URIs. */
export const SOAP11_NS = 'http://schemas.xmlsoap.org/soap/envelope/'
export const SOAP12_NS = 'http://www.w3.org/2003/05/soap-envelope'

/** WS-Security 1.0 secext and utility (OASIS 2004). */
export const WSSE_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd'
export const WSU_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd'
/** WS-Security 1.1 secext, for wsse11:TokenType on the SecurityTokenReference. */
export const WSSE11_NS = 'http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd'

/** Every Security namespace a pre-existing header could use, old drafts included. */
export const WSSE_NAMESPACES = [
  WSSE_NS,
  'http://schemas.xmlsoap.org/ws/2002/07/secext',
  'http://schemas.xmlsoap.org/ws/2002/04/secext',
  'http://schemas.xmlsoap.org/ws/2003/06/secext',
] as const

/** eHealth's SOA error namespace (BusinessError, SystemError, Environment). */
export const EHEALTH_SOA_ERRORS_NS = 'urn:be:fgov:ehealth:errors:soa:v1'
