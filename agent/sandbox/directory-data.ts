/**
 * The sandbox's test people and organizations: the facts the sandbox STS certifies. Everything
 * here is invented. SSINs and NIHII numbers are shaped like real ones and carry valid check digits
 * (see ssin.ts and nihii.ts) so that clients validating formats accept them; any resemblance to a
 * real register entry is chance. The hospital is the NIHII 71089914 of the R2024.1 STS
 * announcement's example.
 *
 * NIHII-11 numbers of care providers: a category digit, 5 digits, 2 check digits, a 3-digit
 * qualification code. The category digits and qualification codes used here are illustrative,
 * not an authoritative RIZIV/INAMI table.
 */

/**
 * The care-provider qualities the directory knows, by their eHealth names (the names that appear
 * in attribute designators, as in ICURE `STSServiceImpl.kt`).
 */
export const QUALITIES = [
  'doctor',
  'nurse',
  'pharmacist',
  'physiotherapist',
  'dentist',
  'midwife',
  'logopedist',
  'dietician',
  'clinicalpsychologist',
  'optician',
  'podologist',
] as const
export type Quality = (typeof QUALITIES)[number]

/** Organizations identified by a NIHII number, by their eHealth names (ICURE `STSServiceImpl.kt`). */
export const ORGANIZATION_TYPES = [
  'hospital',
  'pharmacy',
  'medicalhouse',
  'guardpost',
  'sortingcenter',
  'officedoctors',
  'groupofnurses',
  'reeducation',
] as const
export type OrganizationType = (typeof ORGANIZATION_TYPES)[number]

/** Stable ids of the test people; the PKI names files and eID cards by them. */
export const PERSON_IDS = ['doctor', 'nurse', 'pharmacist', 'citizen', 'secretary'] as const
export type PersonId = (typeof PERSON_IDS)[number]

export interface OrganizationRef {
  type: OrganizationType
  /** 8-digit NIHII number. */
  nihii: string
}

export interface QualityRecord {
  quality: Quality
  nihii11: string
}

export interface Person {
  id: PersonId
  ssin: string
  givenName: string
  surname: string
  qualities: readonly QualityRecord[]
  /** Organizations this person may act for (a pharmacist is the holder of her pharmacy). */
  represents: readonly OrganizationRef[]
}

export interface Organization extends OrganizationRef {
  name: string
  /** Recognised by the authorities (the `recognised<org>:boolean` claims). */
  recognised: boolean
  /** The `recognised<org>:nihii11` claim. INFERRED: the 8-digit number and qualification `000`. */
  nihii11: string
  /** Pharmacies only: a hospital pharmacy (the `recognisedhospitalpharmacy:boolean` claim). */
  hospitalPharmacy?: boolean
}

export type Mandator = { kind: 'person'; ssin: string } | { kind: 'organization'; organization: OrganizationRef }

export interface Mandate {
  mandatarySsin: string
  mandator: Mandator
  /** The external service the mandate is for (`urn:be:fgov:ehealth:1.0:servicename:external`). */
  service: string
}

export const SANDBOX_HOSPITAL: Organization = {
  type: 'hospital',
  nihii: '71089914',
  nihii11: '71089914000',
  name: 'Sandbox General Hospital',
  recognised: true,
}

export const SANDBOX_PHARMACY: Organization = {
  type: 'pharmacy',
  nihii: '25018476',
  nihii11: '25018476000',
  name: 'Sandbox Pharmacy',
  recognised: true,
  hospitalPharmacy: false,
}

export const ORGANIZATIONS: readonly Organization[] = [SANDBOX_HOSPITAL, SANDBOX_PHARMACY]

const ref = (org: Organization): OrganizationRef => ({ type: org.type, nihii: org.nihii })

export const PEOPLE: readonly Person[] = [
  {
    // Also represents the hospital, so one person can try the `org:hospital` profile with an eID.
    id: 'doctor',
    ssin: '78031420465',
    givenName: 'Anne',
    surname: 'Janssens',
    qualities: [{ quality: 'doctor', nihii11: '17432581004' }],
    represents: [ref(SANDBOX_HOSPITAL)],
  },
  {
    id: 'nurse',
    ssin: '85110213716',
    givenName: 'Marc',
    surname: 'Peeters',
    qualities: [{ quality: 'nurse', nihii11: '46287113401' }],
    represents: [],
  },
  {
    id: 'pharmacist',
    ssin: '90062108256',
    givenName: 'Sofie',
    surname: 'Maes',
    qualities: [{ quality: 'pharmacist', nihii11: '53104629010' }],
    represents: [ref(SANDBOX_PHARMACY)],
  },
  {
    // Born in 2001: exercises the 2000s rule of the SSIN check digits.
    id: 'citizen',
    ssin: '01093005531',
    givenName: 'Jan',
    surname: 'Willems',
    qualities: [],
    represents: [],
  },
  {
    // The doctor's medical secretary: no quality, acts for the doctor under a mandate.
    id: 'secretary',
    ssin: '95011716665',
    givenName: 'Lotte',
    surname: 'Claes',
    qualities: [],
    represents: [],
  },
]

export const MANDATES: readonly Mandate[] = [
  { mandatarySsin: '95011716665', mandator: { kind: 'person', ssin: '78031420465' }, service: 'insurability' },
]
