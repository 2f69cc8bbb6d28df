/**
 * WS-Trust STS codecs (`/IAM/SecurityTokenService/v1`): the profile catalogue and its claims, the
 * Issue and Renew RequestSecurityToken, the SignChallenge answer, the STS's responses, the
 * server-side readers the sandbox uses, and eHealth's R2024.1 duplicate-claim rule and fault.
 *
 * @module
 */
export { buildChallengeResponse } from './build-challenge-response.js'
export type { ChallengeResponseOptions } from './build-challenge-response.js'
export { buildIssueRequest, buildRenewRequest } from './build-rst.js'
export type { IssueRequestOptions, RenewRequestOptions } from './build-rst.js'
export { claimsForProfile } from './claims.js'
export type { ProfileClaims, ProfileIdentity, ProvidedAttribute, StsClaims } from './claims.js'
export { buildDuplicateClaimFault, DUPLICATE_CLAIM_FAULT, EHEALTH_ENVIRONMENTS } from './duplicate-claim-fault.js'
export type { DuplicateClaimFault, EhealthEnvironment } from './duplicate-claim-fault.js'
export { findDuplicateClaimUris, mergeClaims } from './merge-claims.js'
export type { WireClaim } from './merge-claims.js'
export { ATTRIBUTE_NS, STS_NS, STS_URIS } from './namespaces.js'
export { parseChallengeResponse } from './parse-challenge-response.js'
export type { ParsedChallengeResponse } from './parse-challenge-response.js'
export { parseRst } from './parse-rst.js'
export type { ParsedRst, RstClaim } from './parse-rst.js'
export { parseRstr } from './parse-rstr.js'
export type { RstrChallenge, RstrResult, RstrToken } from './parse-rstr.js'
export { IDENTITY_FIELDS, isProfileId, listProfiles, PROFILE_IDS, PROFILE_KINDS, PROFILES } from './profiles.js'
export type { AttributeDesignator, IdentityField, ProfileId, ProfileKind, ProvidedAttributeSpec, StsProfile } from './profiles.js'
