/**
 * The SOAP fault of the R2024.1 STS announcement for a claim URI given twice, as data: one
 * definition for the sandbox STS (which renders it with `protocol/soap`) and for the tests that
 * check the agent never provokes it.
 *
 * eHealth's announcement "IAM/SecurityTokenService STS WS-TRUST" (release R2024.1, 12/05/2024;
 * see the STS WS-Trust cookbook v1.1 §5.2.1.1.1 Claims), verbatim apart from the PDF's line break
 * inside the second Message, which is a single space here:
 * ```xml
 * <faultcode xmlns:wst="http://docs.oasis-open.org/ws-sx/ws-trust/200512">wst:InvalidRequest</faultcode>
 * <faultstring>The request was invalid or malformed</faultstring>
 * <detail><urn:BusinessError Id="_881d…" xmlns:urn="urn:be:fgov:ehealth:errors:soa:v1">
 *   <Origin>Client</Origin><Code>wst:InvalidRequest</Code>
 *   <Message xml:lang="en">Message not properly encoded</Message>
 *   <Message xml:lang="en">Attribute urn:…:hospital:nihii-number multiple times found.</Message>
 *   <urn:Environment>Integration</urn:Environment>
 * </urn:BusinessError></detail>
 * ```
 *
 * @module
 */
import { STS_NS } from './namespaces.js'

/**
 * The values of `soa:Environment` (eHealth errors schema `ehealth-errors-schema-soa-1_1.xsd`).
 *
 * @example
 * ```ts
 * EHEALTH_ENVIRONMENTS.includes('Integration') // true
 * ```
 */
export const EHEALTH_ENVIRONMENTS = ['Development', 'Test', 'Integration', 'Acceptation', 'Simulation', 'Production'] as const

/** One of {@link EHEALTH_ENVIRONMENTS}. */
export type EhealthEnvironment = (typeof EHEALTH_ENVIRONMENTS)[number]

/**
 * The fixed parts of the announced fault, and its messages as a function of the URI.
 *
 * @example
 * ```ts
 * DUPLICATE_CLAIM_FAULT.messages('urn:x') // ['Message not properly encoded', 'Attribute urn:x multiple times found.']
 * ```
 */
export const DUPLICATE_CLAIM_FAULT = {
  faultcode: 'wst:InvalidRequest',
  /** The announcement declares the faultcode's `wst` prefix on the faultcode element itself. */
  faultcodeNamespace: STS_NS.wst,
  faultstring: 'The request was invalid or malformed',
  /** `soa:BusinessError` (not SystemError), namespace `urn:be:fgov:ehealth:errors:soa:v1`. */
  errorElement: 'BusinessError',
  origin: 'Client',
  code: 'wst:InvalidRequest',
  /** `xml:lang` of each Message. */
  messageLang: 'en',
  messages: (uri: string): [string, string] => ['Message not properly encoded', `Attribute ${uri} multiple times found.`],
} as const

/** The announced fault for one URI and environment, as plain data. */
export interface DuplicateClaimFault {
  faultcode: string
  faultstring: string
  origin: string
  code: string
  messages: [string, string]
  environment: EhealthEnvironment
}

/**
 * The announced fault for `uri` in `environment`, ready for the SOAP fault builder.
 *
 * @example
 * ```ts
 * buildDuplicateClaimFault('urn:be:fgov:ehealth:1.0:certificateholder:hospital:nihii-number', 'Integration')
 * // { faultcode: 'wst:InvalidRequest', faultstring: 'The request was invalid or malformed', origin: 'Client',
 * //   code: 'wst:InvalidRequest', messages: ['Message not properly encoded',
 * //   'Attribute urn:be:fgov:ehealth:1.0:certificateholder:hospital:nihii-number multiple times found.'],
 * //   environment: 'Integration' }
 * ```
 */
export function buildDuplicateClaimFault(uri: string, environment: EhealthEnvironment): DuplicateClaimFault {
  return {
    faultcode: DUPLICATE_CLAIM_FAULT.faultcode,
    faultstring: DUPLICATE_CLAIM_FAULT.faultstring,
    origin: DUPLICATE_CLAIM_FAULT.origin,
    code: DUPLICATE_CLAIM_FAULT.code,
    messages: DUPLICATE_CLAIM_FAULT.messages(uri),
    environment,
  }
}
