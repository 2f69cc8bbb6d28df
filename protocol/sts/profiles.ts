/**
 * The profile catalogue (ICURE `STSServiceImpl.kt`'s per-profile lists) as data: for each way of
 * signing in to eHealth (as a citizen, in a care-provider quality, for an organization, under a
 * mandate), the SAML attributes the client provides and the attribute designators it asks the STS
 * to certify.
 *
 * Lists are copied entry by entry from their source, in source order, duplicates included:
 * ICURE's `sortingcenter`, `officedoctors` and `groupofnurses` ask for the same AttributeName under
 * two namespaces. The catalogue keeps that; the RST builder merges designators
 * by URI (see `merge-claims.ts`), because the namespace is not on the wire (TC
 * `STSServiceWsTrustImpl.issueHokToken`).
 *
 * The one deliberate change: ICURE spells the certified namespace `urn:be:fgov:certifiednamespace:ehealth`
 * on a few `reeducation` and `enterprise` lines. No other source spells it so: a typo, not a
 * namespace, so those entries use `urn:be:fgov:certified-namespace:ehealth` here (it never reaches
 * the wire).
 *
 * Profile ids are stable strings, part of the JSON-RPC API (`session.login {profile}`):
 * - `citizen`;
 * - a care-provider quality by its eHealth name: `doctor`, `nurse`, `physiotherapist`, `dentist`,
 *   `midwife`, `logopedist`, `dietician`, `clinicalpsychologist`, `optician`, `podologist`, `pharmacist`;
 * - an organization as `org:<eHealth name>`: `org:hospital`, `org:medicalhouse`, `org:guardpost`,
 *   `org:sortingcenter`, `org:officedoctors`, `org:groupofnurses`, `org:reeducation`,
 *   `org:pharmacy` (by NIHII number), `org:enterprise` (by CBE number), `org:ehp` (by EHP number);
 * - `mandate`.
 *
 * @module
 */
import { ATTRIBUTE_NS } from './namespaces.js'

/**
 * Where a provided attribute's value comes from: the person's SSIN (INSZ/NISS), the organization's
 * NIHII (RIZIV/INAMI) number, its CBE (KBO/BCE) number, its eHealth-platform (EHP) number, or the
 * name of the service a mandate is for.
 *
 * @example
 * ```ts
 * IDENTITY_FIELDS.includes('ssin') // true
 * ```
 */
export const IDENTITY_FIELDS = ['ssin', 'nihii', 'cbe', 'ehp', 'mandateService'] as const

/** One of {@link IDENTITY_FIELDS}. */
export type IdentityField = (typeof IDENTITY_FIELDS)[number]

/** A SAML attribute by name and namespace: what a designator asks the STS to certify. */
export interface AttributeDesignator {
  /** The SAML AttributeName; this is the `auth:ClaimType/@Uri` on the wire. */
  name: string
  /** The SAML AttributeNamespace; not transmitted in WS-Trust (TC `STSServiceWsTrustImpl.issueHokToken`). */
  namespace: string
}

/** A provided attribute of a profile: its name, namespace and where its value comes from. */
export interface ProvidedAttributeSpec extends AttributeDesignator {
  valueFrom: IdentityField
}

/**
 * The kinds of profile, for grouping in a UI.
 *
 * @example
 * ```ts
 * PROFILE_KINDS // ['citizen', 'quality', 'organization', 'mandate']
 * ```
 */
export const PROFILE_KINDS = ['citizen', 'quality', 'organization', 'mandate'] as const

/** One of {@link PROFILE_KINDS}. */
export type ProfileKind = (typeof PROFILE_KINDS)[number]

/** One entry of the catalogue. */
export interface StsProfile {
  id: ProfileId
  kind: ProfileKind
  /** English label; the UI localises it. */
  label: string
  /** Attributes the client asserts, with their value source, in request order. */
  attributes: readonly ProvidedAttributeSpec[]
  /** Attributes the client asks the STS to return, in request order, as found in the source. */
  designators: readonly AttributeDesignator[]
  /**
   * Where the lists come from (the source short names of protocol/README.md, "Public sources
   * used"); INFERRED when no source has them.
   */
  source: string
}

/**
 * Every profile id, in catalogue order.
 *
 * @example
 * ```ts
 * PROFILE_IDS.includes('org:hospital') // true
 * ```
 */
export const PROFILE_IDS = [
  'citizen',
  'doctor',
  'nurse',
  'physiotherapist',
  'dentist',
  'midwife',
  'logopedist',
  'dietician',
  'clinicalpsychologist',
  'optician',
  'podologist',
  'pharmacist',
  'org:hospital',
  'org:medicalhouse',
  'org:guardpost',
  'org:sortingcenter',
  'org:officedoctors',
  'org:groupofnurses',
  'org:reeducation',
  'org:pharmacy',
  'org:enterprise',
  'org:ehp',
  'mandate',
] as const

/** One of {@link PROFILE_IDS}. */
export type ProfileId = (typeof PROFILE_IDS)[number]

const ID = ATTRIBUTE_NS.identification
const CERT = ATTRIBUTE_NS.certified

const id = (name: string): AttributeDesignator => ({ name, namespace: ID })
const cert = (name: string): AttributeDesignator => ({ name, namespace: CERT })
const provided = (name: string, valueFrom: IdentityField): ProvidedAttributeSpec => ({ name, namespace: ID, valueFrom })

// Person base (any person): ICURE's `else` branch of `attributes` and the first two
// designators of every quality, in that order.
const PERSON_SSIN = 'urn:be:fgov:ehealth:1.0:certificateholder:person:ssin'
const SSIN = 'urn:be:fgov:person:ssin'
const PERSON_ATTRIBUTES = [provided(PERSON_SSIN, 'ssin'), provided(SSIN, 'ssin')] as const
const PERSON_DESIGNATORS = [id(PERSON_SSIN), id(SSIN)] as const

/** `urn:be:fgov:person:ssin:ehealth:1.0:<rest>`, the certified per-person claims. */
const pc = (rest: string): AttributeDesignator => cert(`urn:be:fgov:person:ssin:ehealth:1.0:${rest}`)
/** `urn:be:fgov:ehealth:1.0:<rest>`, the organization claims. */
const oc = (rest: string): string => `urn:be:fgov:ehealth:1.0:${rest}`

const GIVENNAME = pc('givenname')
const SURNAME = pc('surname')
const USERSESSION = cert('urn:be:fgov:ehealth:1.0:certificateholder:person:ssin:usersession:boolean')
const RECOGNISED_ORGANIZATION = cert(oc('certificateholder:recognisedorganization:boolean'))

/** A care-provider quality: the person base plus its certified designators. */
function quality(qid: ProfileId, label: string, extra: readonly AttributeDesignator[], source: string): StsProfile {
  return { id: qid, kind: 'quality', label, attributes: PERSON_ATTRIBUTES, designators: [...PERSON_DESIGNATORS, ...extra], source }
}

/** ICURE's pattern for midwife, logopedist, dietician and clinicalpsychologist. */
function professional(q: string): AttributeDesignator[] {
  return [pc(`professional:${q}:boolean`), pc(`nihii:${q}:nihii11`), GIVENNAME, SURNAME, pc(`fpsph:${q}:boolean`)]
}

/** An organization by NIHII number: `<org>:nihii-number` and `certificateholder:<org>:nihii-number`. */
function nihiiOrg(org: string, label: string, designators: readonly AttributeDesignator[], source: string): StsProfile {
  return {
    id: `org:${org}` as ProfileId,
    kind: 'organization',
    label,
    attributes: [provided(oc(`${org}:nihii-number`), 'nihii'), provided(oc(`certificateholder:${org}:nihii-number`), 'nihii')],
    designators,
    source,
  }
}

const CATALOGUE: readonly StsProfile[] = Object.freeze([
  {
    id: 'citizen',
    kind: 'citizen',
    label: 'Citizen',
    attributes: PERSON_ATTRIBUTES,
    designators: PERSON_DESIGNATORS,
    source: 'INFERRED: the person base; no citizen-specific certified claim is known',
  },
  quality(
    'doctor',
    'Doctor',
    [cert('urn:be:fgov:person:ssin:doctor:boolean'), pc('doctor:nihii11'), GIVENNAME, SURNAME, pc('fpsph:doctor:boolean')],
    'ICURE STSServiceImpl.kt "doctor"',
  ),
  quality(
    'nurse',
    'Nurse',
    [cert('urn:be:fgov:person:ssin:nurse:boolean'), pc('nurse:nihii11'), pc('nihii:nurse:nihii11'), GIVENNAME, SURNAME, pc('fpsph:nurse:boolean')],
    'ICURE STSServiceImpl.kt "nurse"',
  ),
  quality(
    'physiotherapist',
    'Physiotherapist',
    [
      pc('professional:physiotherapist:boolean'),
      pc('nihii:physiotherapist:nihii11'),
      GIVENNAME,
      SURNAME,
      pc('fpsph:physiotherapist:boolean'),
      USERSESSION,
    ],
    'ICURE STSServiceImpl.kt "physiotherapist" (usersession added 2024); PY',
  ),
  quality(
    'dentist',
    'Dentist',
    [pc('fpsph:dentist:boolean'), pc('nihii:dentist:nihii11'), pc('professional:dentist:boolean')],
    'ICURE STSServiceImpl.kt "dentist"',
  ),
  quality('midwife', 'Midwife', professional('midwife'), 'ICURE STSServiceImpl.kt "midwife"'),
  quality('logopedist', 'Speech therapist (logopedist)', professional('logopedist'), 'ICURE STSServiceImpl.kt "logopedist"'),
  quality('dietician', 'Dietician', professional('dietician'), 'ICURE STSServiceImpl.kt "dietician"'),
  quality('clinicalpsychologist', 'Clinical psychologist', professional('clinicalpsychologist'), 'ICURE STSServiceImpl.kt "clinicalpsychologist"'),
  quality('optician', 'Optician', [pc('nihii:optician:nihii11'), GIVENNAME, SURNAME], 'ICURE STSServiceImpl.kt "optician"'),
  quality('podologist', 'Podologist', [pc('nihii:podologist:nihii11'), GIVENNAME, SURNAME], 'ICURE STSServiceImpl.kt "podologist"'),
  quality(
    'pharmacist',
    'Pharmacist',
    [pc('nihii:pharmacist:nihii11'), GIVENNAME, SURNAME],
    'INFERRED: no source lists a pharmacist quality; the optician/podologist pattern, whose nihii:<q>:nihii11 every quality shares',
  ),
  nihiiOrg(
    'hospital',
    'Hospital',
    [
      id(oc('hospital:nihii-number')),
      id(oc('certificateholder:hospital:nihii-number')),
      cert(oc('certificateholder:hospital:nihii-number:recognisedhospital:boolean')),
      cert(oc('hospital:nihii-number:recognisedhospital:nihii11')),
    ],
    'EG genIns-test/GenInsExamples.cs bindHospital',
  ),
  nihiiOrg(
    'medicalhouse',
    'Medical house',
    [
      id(oc('medicalhouse:nihii-number')),
      id(oc('certificateholder:medicalhouse:nihii-number')),
      cert(oc('medicalhouse:nihii-number:recognisedmedicalhouse:nihii11')),
      cert(oc('medicalhouse:nihii-number:recognisedmedicalhouse:boolean')),
      RECOGNISED_ORGANIZATION,
    ],
    'ICURE STSServiceImpl.kt "medicalhouse"',
  ),
  nihiiOrg(
    'guardpost',
    'Guard post',
    [
      id(oc('guardpost:nihii-number')),
      id(oc('certificateholder:guardpost:nihii-number')),
      cert(oc('guardpost:nihii-number:recognisedguardpost:nihii11')),
      cert(oc('guardpost:nihii-number:recognisedguardpost:boolean')),
      RECOGNISED_ORGANIZATION,
    ],
    'ICURE STSServiceImpl.kt "guardpost"',
  ),
  nihiiOrg(
    'sortingcenter',
    'Sorting centre',
    [
      id(oc('sortingcenter:nihii-number')),
      id(oc('certificateholder:sortingcenter:nihii-number')),
      // Same AttributeName as the line above, other namespace: kept as in the source.
      cert(oc('certificateholder:sortingcenter:nihii-number')),
      cert(oc('sortingcenter:nihii-number:recognisedsortingcenter:nihii11')),
      cert(oc('sortingcenter:nihii-number:recognisedsortingcenter:boolean')),
      RECOGNISED_ORGANIZATION,
    ],
    'ICURE STSServiceImpl.kt "sortingcenter"',
  ),
  nihiiOrg(
    'officedoctors',
    'Office of doctors',
    [
      id(oc('officedoctors:nihii-number')),
      id(oc('certificateholder:officedoctors:nihii-number')),
      cert(oc('certificateholder:officedoctors:nihii-number')), // namespace duplicate, as in ICURE
      cert(oc('officedoctors:nihii-number:recognisedofficedoctors:nihii11')),
      cert(oc('officedoctors:nihii-number:recognisedofficedoctors:boolean')),
    ],
    'ICURE STSServiceImpl.kt "officedoctors"',
  ),
  nihiiOrg(
    'groupofnurses',
    'Group of nurses',
    [
      id(oc('groupofnurses:nihii-number')),
      id(oc('certificateholder:groupofnurses:nihii-number')),
      cert(oc('certificateholder:groupofnurses:nihii-number')), // namespace duplicate, as in ICURE
      cert(oc('groupofnurses:nihii-number:recognisedgroupofnurses:nihii11')),
      cert(oc('certificateholder:groupofnurses:nihii-number:recognisedgroupofnurses:boolean')),
    ],
    'ICURE STSServiceImpl.kt "groupofnurses"',
  ),
  nihiiOrg(
    'reeducation',
    'Re-education centre',
    [
      id(oc('reeducation:nihii-number')),
      id(oc('certificateholder:reeducation:nihii-number')),
      cert(oc('reeducation:nihii-number:recognisedreeducation:boolean')),
      cert(oc('certificateholder:reeducation:nihii-number:recognisedreeducation:boolean')), // ICURE: certifiednamespace typo
      cert(oc('reeducation:nihii-number:recognisedreeducation:nihii11')), // ICURE: certifiednamespace typo
      RECOGNISED_ORGANIZATION,
    ],
    'ICURE STSServiceImpl.kt "reeducation"',
  ),
  {
    // Recip-e: a pharmacist (eID, SSIN) acting for a pharmacy (NIHII). The three certified claims
    // are what RCP's SAMLTokenValidator checks; the provided attributes are INFERRED (no public
    // source lists them): the pharmacy-holder claim links a person's SSIN to the pharmacy's NIHII.
    id: 'org:pharmacy',
    kind: 'organization',
    label: 'Pharmacy',
    attributes: [...PERSON_ATTRIBUTES, provided(oc('pharmacy:nihii-number'), 'nihii')],
    designators: [
      cert(oc('pharmacy:nihii-number:recognisedpharmacy:boolean')),
      cert(oc('pharmacy:nihii-number:person:ssin:ehealth:1.0:pharmacy-holder:boolean')),
      cert(oc('pharmacy:nihii-number:recognisedhospitalpharmacy:boolean')),
    ],
    source: 'RCP SAMLTokenValidator and connector-client.properties (designators); provided attributes INFERRED',
  },
  {
    id: 'org:enterprise',
    kind: 'organization',
    label: 'Enterprise (CBE number)',
    attributes: [provided(oc('certificateholder:enterprise:cbe-number'), 'cbe')],
    designators: [
      id(oc('certificateholder:enterprise:cbe-number')),
      cert(oc('certificateholder:enterprise:cbe-number:ehealth:1.0:cbe_daas_authorized:boolean')), // ICURE: certifiednamespace typo
      RECOGNISED_ORGANIZATION,
      id('urn:be:fgov:kbo-bce:organization:cbe-number'),
    ],
    source: 'ICURE STSServiceImpl.kt "enterprise"',
  },
  {
    id: 'org:ehp',
    kind: 'organization',
    label: 'eHealth-platform number (EHP)',
    attributes: [provided(oc('organization:ehp-number'), 'ehp'), provided(oc('certificateholder:organization:ehp-number'), 'ehp')],
    designators: [
      id(oc('organization:ehp-number')),
      id(oc('certificateholder:organization:ehp-number')),
      cert(oc('organization:ehp-number:recognisedehp:boolean')),
    ],
    source: 'ICURE STSServiceImpl.kt "ehp"',
  },
  {
    id: 'mandate',
    kind: 'mandate',
    label: 'Mandate',
    attributes: [provided(SSIN, 'ssin'), provided(PERSON_SSIN, 'ssin'), provided(oc('servicename:external'), 'mandateService')],
    designators: [
      id(SSIN),
      id(PERSON_SSIN),
      id(oc('servicename:external')),
      USERSESSION,
      cert('urn:be:fgov:person:ssin:ehealth:1.0:recognisedmandatary:boolean'),
    ],
    source: 'EG genIns-test/GenInsExamples.cs bindMandate',
  },
])

/**
 * The catalogue by id. Frozen: callers read it, never change it.
 *
 * @example
 * ```ts
 * PROFILES['org:hospital'].attributes.map((a) => a.valueFrom) // ['nihii', 'nihii']
 * ```
 */
export const PROFILES: Readonly<Record<ProfileId, StsProfile>> = Object.freeze(
  Object.fromEntries(CATALOGUE.map((p) => [p.id, deepFreeze(p)])) as Record<ProfileId, StsProfile>,
)

function deepFreeze(profile: StsProfile): StsProfile {
  for (const entry of [...profile.attributes, ...profile.designators]) Object.freeze(entry)
  Object.freeze(profile.attributes)
  Object.freeze(profile.designators)
  return Object.freeze(profile)
}

/**
 * The catalogue in display order (citizen, qualities, organizations, mandate).
 *
 * @example
 * ```ts
 * listProfiles().map((p) => p.id) // ['citizen', 'doctor', 'nurse', ...]
 * ```
 */
export function listProfiles(): readonly StsProfile[] {
  return CATALOGUE
}

/**
 * True when `value` names a profile of the catalogue.
 *
 * @example
 * ```ts
 * isProfileId('doctor') // true
 * isProfileId('hospital') // false: organizations are 'org:hospital'
 * ```
 */
export function isProfileId(value: unknown): value is ProfileId {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(PROFILES, value)
}
