/**
 * What an attribute designator asks about, read from its name (ICURE `STSServiceImpl.kt`'s
 * per-profile lists). The names follow a few patterns across qualities and organization types, so
 * they are parsed rather than listed: a new quality or organization added to the directory needs no
 * change here.
 */

export type AttributeQuestion =
  | { kind: 'ssin' }
  | { kind: 'givenname' }
  | { kind: 'surname' }
  /** `…:doctor:boolean`, `…:professional:<q>:boolean`, `…:fpsph:<q>:boolean`. */
  | { kind: 'quality'; quality: string }
  /** `…:ehealth:1.0:<q>:nihii11`, `…:ehealth:1.0:nihii:<q>:nihii11`. */
  | { kind: 'quality-nihii11'; quality: string }
  | { kind: 'usersession' }
  | { kind: 'recognised-mandatary' }
  | { kind: 'mandate-service' }
  /** `<org>:nihii-number`, `certificateholder:<org>:nihii-number`. */
  | { kind: 'organization-number'; organizationType: string }
  | { kind: 'organization-recognised'; organizationType: string }
  | { kind: 'organization-nihii11'; organizationType: string }
  | { kind: 'recognised-organization' }
  | { kind: 'pharmacy-holder' }
  | { kind: 'hospital-pharmacy' }

const EXACT: Record<string, AttributeQuestion> = {
  'urn:be:fgov:ehealth:1.0:certificateholder:person:ssin': { kind: 'ssin' },
  'urn:be:fgov:person:ssin': { kind: 'ssin' },
  'urn:be:fgov:person:ssin:ehealth:1.0:givenname': { kind: 'givenname' },
  'urn:be:fgov:person:ssin:ehealth:1.0:surname': { kind: 'surname' },
  'urn:be:fgov:ehealth:1.0:certificateholder:person:ssin:usersession:boolean': { kind: 'usersession' },
  'urn:be:fgov:person:ssin:ehealth:1.0:recognisedmandatary:boolean': { kind: 'recognised-mandatary' },
  'urn:be:fgov:ehealth:1.0:servicename:external': { kind: 'mandate-service' },
  'urn:be:fgov:ehealth:1.0:certificateholder:recognisedorganization:boolean': { kind: 'recognised-organization' },
  'urn:be:fgov:ehealth:1.0:pharmacy:nihii-number:person:ssin:ehealth:1.0:pharmacy-holder:boolean': { kind: 'pharmacy-holder' },
  'urn:be:fgov:ehealth:1.0:pharmacy:nihii-number:recognisedhospitalpharmacy:boolean': { kind: 'hospital-pharmacy' },
}

// `urn:be:fgov:person:ssin:doctor:boolean` and `…:nurse:boolean` are the two qualities named
// without the `ehealth:1.0` segment (ICURE's doctor and nurse lists).
const SHORT_QUALITY = /^urn:be:fgov:person:ssin:([a-z]+):boolean$/
const QUALITY = /^urn:be:fgov:person:ssin:ehealth:1\.0:(?:professional|fpsph):([a-z]+):boolean$/
const QUALITY_NIHII11 = /^urn:be:fgov:person:ssin:ehealth:1\.0:(?:nihii:)?([a-z]+):nihii11$/
const ORG_NUMBER = /^urn:be:fgov:ehealth:1\.0:(?:certificateholder:)?([a-z]+):nihii-number$/
const ORG_RECOGNISED = /^urn:be:fgov:ehealth:1\.0:(?:certificateholder:)?([a-z]+):nihii-number:recognised([a-z]+):(boolean|nihii11)$/

/** The question an attribute name asks, or undefined for a name the sandbox does not know. */
export function parseAttributeName(name: string): AttributeQuestion | undefined {
  const exact = EXACT[name]
  if (exact) return exact
  let m = SHORT_QUALITY.exec(name) ?? QUALITY.exec(name)
  if (m) return { kind: 'quality', quality: m[1]! }
  m = QUALITY_NIHII11.exec(name)
  if (m) return { kind: 'quality-nihii11', quality: m[1]! }
  m = ORG_NUMBER.exec(name)
  if (m) return { kind: 'organization-number', organizationType: m[1]! }
  m = ORG_RECOGNISED.exec(name)
  // `hospital:nihii-number:recognisedhospital:…`: both names must agree.
  if (m && m[1] === m[2]) {
    return m[3] === 'boolean'
      ? { kind: 'organization-recognised', organizationType: m[1]! }
      : { kind: 'organization-nihii11', organizationType: m[1]! }
  }
  return undefined
}
