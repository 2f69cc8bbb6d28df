/**
 * The SOAPAction of each eHealth SAML-P (SAML 1.1 token service) endpoint, as eHealth's WSDLs bind
 * it. The endpoints are two generations of the service with different WSDLs, and a client must
 * send the action of the endpoint it calls (WS-I Basic Profile 1.1 R2744: the SOAPAction header
 * carries the value of the `soap:operation/@soapAction` of the binding used).
 *
 * @module
 */
import { AgentError } from '../errors.js'

/** One endpoint path, the action its WSDL binds, and where that is written. */
export interface SamlpEndpointAction {
  /** The end of the endpoint's URL path (integration puts `/R1` before it). */
  path: string
  soapAction: string
  /** The public WSDL that binds it. */
  source: string
}

/**
 * The table. The current endpoint binds `RequestSecurityToken`; the older SecureTokenService
 * WSDL, which the Legacy endpoints and `sts_1_1` publish, binds `RequestSecureToken`.
 *
 * @example
 * ```ts
 * SAMLP_ENDPOINT_ACTIONS.find((e) => e.path === '/IAM/Saml11TokenService/v1')?.soapAction
 * // 'urn:be:fgov:ehealth:sts:protocol:v1:RequestSecurityToken'
 * ```
 */
export const SAMLP_ENDPOINT_ACTIONS: readonly SamlpEndpointAction[] = [
  {
    path: '/IAM/Saml11TokenService/v1',
    soapAction: 'urn:be:fgov:ehealth:sts:protocol:v1:RequestSecurityToken',
    source:
      'egelke/eHI library-core/wsdl/ehealth-iam-sts-saml1-v1.wsdl ("SAML 1.1 Token Service: Version 1.2"): binding Saml11TokenServiceSOAPBinding, ' +
      'operation RequestSecurityToken, address https://services.ehealth.fgov.be/IAM/Saml11TokenService/v1',
  },
  {
    path: '/IAM/Saml11TokenService/Legacy/v1',
    soapAction: 'urn:be:fgov:ehealth:sts:protocol:v1:RequestSecureToken',
    source:
      'taktik/freehealth-connector compiled/RECIPE.1.7/conf/wsdl/sts_v1_int.wsdl: binding SecureTokenServiceSoapBinding, operation RequestSecureToken, ' +
      'address https://services-int.ehealth.fgov.be/R1/IAM/Saml11TokenService/Legacy/v1 (the acceptance and production Legacy endpoints replaced sts_1_1 ' +
      'in the connector configuration; no WSDL of their own was found, so they are taken to publish this one)',
  },
  {
    path: '/sts_1_1/SecureTokenService',
    soapAction: 'urn:be:fgov:ehealth:sts:protocol:v1:RequestSecureToken',
    source:
      'taktik/freehealth-connector compiled/RECIPE.1.7/conf/wsdl/sts_v1.wsdl and sts_v1_prod.wsdl (JAX-WS RI 2.1.5): binding SecureTokenServiceSoapBinding, ' +
      'operation RequestSecureToken, addresses https://wwwacc.ehealth.fgov.be:443/sts_1_1/SecureTokenService and https://www.ehealth.fgov.be/sts_1_1/SecureTokenService',
  },
]

/**
 * The SOAPAction to send to the SAML-P endpoint at `endpoint` (a URL, or its path).
 *
 * @throws AgentError `ERR_CONFIG_INVALID` for an endpoint the table does not know: guessing an
 * action would fail at a strict server with an opaque fault.
 *
 * @example
 * ```ts
 * findSamlpSoapAction('https://services-acpt.ehealth.fgov.be/IAM/Saml11TokenService/v1') // '…:RequestSecurityToken'
 * findSamlpSoapAction('https://services-int.ehealth.fgov.be/R1/IAM/Saml11TokenService/Legacy/v1') // '…:RequestSecureToken'
 * ```
 */
export function findSamlpSoapAction(endpoint: string): string {
  let path = endpoint
  if (/^[a-z][a-z0-9+.-]*:/i.test(endpoint)) {
    try {
      path = new URL(endpoint).pathname
    } catch {
      path = endpoint
    }
  }
  path = path.replace(/\/+$/, '')
  const entry = SAMLP_ENDPOINT_ACTIONS.find((e) => path === e.path || path.endsWith(e.path))
  if (!entry) {
    throw new AgentError('ERR_CONFIG_INVALID', `no SOAPAction is known for the SAML-P endpoint ${endpoint.slice(0, 200)}`, {
      detail: `use one of the eHealth SAML-P endpoints (${SAMLP_ENDPOINT_ACTIONS.map((e) => e.path).join(', ')}), or the WS-Trust STS`,
    })
  }
  return entry.soapAction
}
