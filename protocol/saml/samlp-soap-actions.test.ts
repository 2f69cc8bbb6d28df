import { describe, expect, it } from 'vitest'
import { ENVIRONMENTS } from '../environments.js'
import { AgentError } from '../errors.js'
import { findSamlpSoapAction } from './samlp-soap-actions.js'

const SECURITY_TOKEN = 'urn:be:fgov:ehealth:sts:protocol:v1:RequestSecurityToken'
const SECURE_TOKEN = 'urn:be:fgov:ehealth:sts:protocol:v1:RequestSecureToken'

describe('the SAML-P endpoint-to-SOAPAction table', () => {
  it.each([
    ['https://services.ehealth.fgov.be/IAM/Saml11TokenService/v1', SECURITY_TOKEN],
    ['https://services-acpt.ehealth.fgov.be/IAM/Saml11TokenService/v1', SECURITY_TOKEN],
    ['https://services-acpt.ehealth.fgov.be/IAM/Saml11TokenService/v1/', SECURITY_TOKEN],
    ['http://127.0.0.1:4753/IAM/Saml11TokenService/v1', SECURITY_TOKEN],
    ['/IAM/Saml11TokenService/v1', SECURITY_TOKEN],
    ['https://services-acpt.ehealth.fgov.be/IAM/Saml11TokenService/Legacy/v1', SECURE_TOKEN],
    ['https://services-int.ehealth.fgov.be/R1/IAM/Saml11TokenService/Legacy/v1', SECURE_TOKEN],
    ['https://wwwacc.ehealth.fgov.be:443/sts_1_1/SecureTokenService', SECURE_TOKEN],
    ['https://www.ehealth.fgov.be/sts_1_1/SecureTokenService', SECURE_TOKEN],
  ])('%s -> %s', (endpoint, action) => {
    expect(findSamlpSoapAction(endpoint)).toBe(action)
  })

  it('every configured real SAML-P endpoint has an action', () => {
    for (const env of Object.values(ENVIRONMENTS)) expect(findSamlpSoapAction(env.stsSamlP)).toBe(SECURITY_TOKEN)
  })

  it('an unknown endpoint is a configuration error, not a guess', () => {
    expect(() => findSamlpSoapAction('https://services.ehealth.fgov.be/IAM/SecurityTokenService/v1')).toThrow(AgentError)
    expect(() => findSamlpSoapAction('https://example.org/IAM/Saml11TokenService/v12')).toThrow(/no SOAPAction is known/)
  })
})
