/**
 * From a catalogue profile and the user's identifiers to the claims of an Issue request.
 *
 * @module
 */
import { AgentError } from '../errors.js'
import { isProfileId, PROFILES, type AttributeDesignator, type IdentityField, type ProfileId } from './profiles.js'

/**
 * A provided attribute with its value(s); several values go out joined with `;` (TC
 * `STSServiceWsTrustImpl.issueHokToken`).
 */
export interface ProvidedAttribute extends AttributeDesignator {
  values: readonly string[]
}

/** What an Issue request claims: attributes the client asserts, designators it asks for. */
export interface StsClaims {
  attributes: readonly ProvidedAttribute[]
  designators: readonly AttributeDesignator[]
}

/** The user's identifiers a profile may need (see `IdentityField`). */
export type ProfileIdentity = Partial<Record<IdentityField, string>>

/** The claims of one profile, ready for `buildIssueRequest`. */
export interface ProfileClaims extends StsClaims {
  profileId: ProfileId
}

// Shape checks, so a typo is caught before the user is asked for a PIN. Format only: the STS
// decides whether the number is the user's (ICURE logs RequestDenied for a certificateholder
// value that does not match the certificate).
const FORMATS: Record<IdentityField, { pattern: RegExp; what: string }> = {
  ssin: { pattern: /^\d{11}$/, what: '11 digits' },
  // Organizations use the 8-digit NIHII (the R2024.1 announcement's example: 71089914); 11 digits
  // with the qualification code also occur.
  nihii: { pattern: /^\d{8}(?:\d{3})?$/, what: '8 or 11 digits' },
  cbe: { pattern: /^\d{10}$/, what: '10 digits' },
  ehp: { pattern: /^\d{1,20}$/, what: 'digits' },
  // A service name such as `insurability` (EG bindMandate).
  mandateService: { pattern: /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/, what: 'a service name such as "insurability"' },
}

/**
 * The provided attributes (with their values) and the designators of a catalogue profile.
 * Designators are returned as the catalogue has them, namespace duplicates included; the RST
 * builder merges them by URI.
 *
 * @throws AgentError `ERR_PROFILE_UNKNOWN` for an id not in the catalogue, `ERR_INVALID_PARAMS`
 * (with `data.issues`) when an identifier the profile needs is missing or malformed.
 *
 * @example
 * ```ts
 * const claims = claimsForProfile('org:hospital', { nihii: '71089914' })
 * claims.attributes[0] // { name: 'urn:be:fgov:ehealth:1.0:hospital:nihii-number', namespace: '…', values: ['71089914'] }
 * ```
 */
export function claimsForProfile(profileId: string, identity: ProfileIdentity): ProfileClaims {
  if (!isProfileId(profileId)) {
    throw new AgentError('ERR_PROFILE_UNKNOWN', `unknown profile "${String(profileId).slice(0, 80)}"`, { profileId: String(profileId).slice(0, 80) })
  }
  const profile = PROFILES[profileId]
  const needed = [...new Set(profile.attributes.map((a) => a.valueFrom))]
  const issues: { path: string; message: string }[] = []
  for (const field of needed) {
    const value = identity[field]
    if (value === undefined || value === '') {
      issues.push({ path: field, message: `profile ${profileId} needs ${field}` })
    } else if (typeof value !== 'string' || !FORMATS[field].pattern.test(value)) {
      issues.push({ path: field, message: `${field} must be ${FORMATS[field].what}` })
    }
  }
  if (issues.length > 0) {
    throw new AgentError('ERR_INVALID_PARAMS', `cannot build the claims of profile ${profileId}: ${issues.map((i) => i.message).join('; ')}`, {
      profileId,
      issues,
    })
  }
  return {
    profileId,
    attributes: profile.attributes.map((a) => ({ name: a.name, namespace: a.namespace, values: [identity[a.valueFrom]!] })),
    designators: profile.designators.map((d) => ({ name: d.name, namespace: d.namespace })),
  }
}
