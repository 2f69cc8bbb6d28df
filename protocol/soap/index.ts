/**
 * SOAP envelopes for ehealth-agent: split once, refuse ambiguity, splice a header into the
 * caller's original text, read and write SOAP faults including eHealth's BusinessError.
 *
 * @module
 */
export { buildSoapFault } from './build-fault.js'
export type { FaultSpec } from './build-fault.js'
export { EHEALTH_SOA_ERRORS_NS, SOAP11_NS, SOAP12_NS, WSSE11_NS, WSSE_NAMESPACES, WSSE_NS, WSU_NS } from './namespaces.js'
export { faultToAgentError, parseSoapFault } from './parse-fault.js'
export type { EhealthErrorDetail, SoapFault } from './parse-fault.js'
export { spliceHeader } from './splice-header.js'
export type { SpliceOptions } from './splice-header.js'
export { splitEnvelope } from './split-envelope.js'
export type { SplitEnvelope, SplitOptions } from './split-envelope.js'
