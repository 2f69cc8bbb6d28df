/**
 * WS-Security for eHealth calls: the SAML holder-of-key profile and the X.509 profile.
 *
 * @module
 */
export { prepareWsSecurity } from './prepare-ws-security.js'
export type { PrepareWsSecurityOptions, PreparedEnvelope, WsSecurityProfile } from './prepare-ws-security.js'
export { buildTimestamp } from './timestamp.js'
export { TOKEN_TYPES, buildBinarySecurityToken, keyInfoForBinarySecurityToken, keyInfoForSamlAssertion } from './tokens.js'
export { verifyWsSecurity } from './verify-ws-security.js'
export type { SigningToken, VerifiedWsSecurity, VerifyWsSecurityOptions } from './verify-ws-security.js'
