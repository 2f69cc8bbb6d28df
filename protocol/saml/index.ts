/**
 * SAML 1.1 for ehealth-agent: the STS's holder-of-key assertion (parse, check, mint) and the
 * legacy STS's SAML-P request and response (TC `STSServiceImpl`; the assertion as EG and EC read
 * it). Pure: the clock, the ids and the RSA operation are the caller's.
 *
 * @module
 */
export { prepareAssertion } from './build-assertion.js'
export type { AssertionInput, PreparedAssertion } from './build-assertion.js'
export { prepareSamlpRequest } from './build-samlp-request.js'
export type { PreparedSamlpRequest, SamlpRequestInput } from './build-samlp-request.js'
export { buildSamlpResponse } from './build-samlp-response.js'
export type { SamlpResponseInput, SamlpStatus } from './build-samlp-response.js'
export { DEFAULT_ASSERTION_SKEW_MS, DEFAULT_MAX_ISSUE_AGE_MS, checkAssertion } from './check-assertion.js'
export { EHEALTH_CBE, EHEALTH_PLATFORM_OU, checkStsSigner, describeSubjectMismatch, type StsSignerChain, type StsSignerVerdict } from './check-sts-signer.js'
export type { CheckAssertionOptions } from './check-assertion.js'
export { checkSamlpRequestSignature } from './check-samlp-request-signature.js'
export { EHEALTH_STS_ISSUER, SAML_NAMESPACES, SAML_URIS } from './names.js'
export { parseAssertion, readAssertion } from './parse-assertion.js'
export type { SamlAssertion } from './parse-assertion.js'
export { parseSamlpRequest } from './parse-samlp-request.js'
export type { SamlpRequest } from './parse-samlp-request.js'
export { parseSamlpResponse } from './parse-samlp-response.js'
export { readTokenDocument, TOKEN_DOCUMENT_SHAPES, type TokenDocument, type TokenDocumentShape } from './read-token-document.js'
export { findSamlpSoapAction, SAMLP_ENDPOINT_ACTIONS, type SamlpEndpointAction } from './samlp-soap-actions.js'
export type { ParseSamlpResponseOptions, SamlpSuccess } from './parse-samlp-response.js'
export { buildSsoTokenFile, parseSsoTokenFile, SSO_TOKEN_FILE, ssoTokenFileName, type SsoTokenFile } from './sso-token-file.js'
export type { AttributeDesignator, NameIdentifier, SamlAttribute } from './types.js'
