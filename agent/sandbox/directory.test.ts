import { describe, expect, it } from 'vitest'
import {
  evaluateAttribute,
  findOrganization,
  findPersonById,
  findPersonBySsin,
  MANDATES,
  ORGANIZATIONS,
  PEOPLE,
  profilesFor,
  profilesForOrganization,
  type ClaimSubject,
} from './directory.js'
import { isValidNihii } from './nihii.js'
import { computeSsinCheckDigits, isValidSsin } from './ssin.js'

const doctor = findPersonById('doctor')
const nurse = findPersonById('nurse')
const pharmacist = findPersonById('pharmacist')
const citizen = findPersonById('citizen')
const secretary = findPersonById('secretary')

const HOSPITAL = { type: 'hospital', nihii: '71089914' } as const
const PHARMACY = { type: 'pharmacy', nihii: '25018476' } as const

describe('SSIN and NIHII numbers', () => {
  it('checks SSINs with the mod-97 rule, including the 2000s prefix', () => {
    expect(isValidSsin('79021802145')).toBe(true) // egelke/eHI's test keystore `SSIN=79021802145 …acc.p12`
    expect(isValidSsin('79021802146')).toBe(false)
    expect(isValidSsin('7902180214')).toBe(false)
    expect(isValidSsin('7902180214a')).toBe(false)
    expect(computeSsinCheckDigits('010930055', true)).toBe('31')
    expect(computeSsinCheckDigits('010930055', false)).not.toBe('31')
  })

  it('gives every person of the directory a valid SSIN, all different', () => {
    for (const p of PEOPLE) expect(isValidSsin(p.ssin), p.ssin).toBe(true)
    expect(new Set(PEOPLE.map((p) => p.ssin)).size).toBe(PEOPLE.length)
    expect(citizen.ssin.startsWith('0')).toBe(true) // born in the 2000s
  })

  it('gives valid NIHII numbers to qualities and organizations', () => {
    expect(isValidNihii('71089914')).toBe(true) // eHealth's R2024.1 STS announcement's example hospital
    expect(isValidNihii('71089915')).toBe(false)
    for (const p of PEOPLE) for (const q of p.qualities) expect(isValidNihii(q.nihii11), q.nihii11).toBe(true)
    for (const o of ORGANIZATIONS) {
      expect(isValidNihii(o.nihii), o.nihii).toBe(true)
      expect(o.nihii11.startsWith(o.nihii)).toBe(true)
    }
  })
})

describe('lookups', () => {
  it('finds people by SSIN and organizations by type and number', () => {
    expect(findPersonBySsin(doctor.ssin)?.surname).toBe('Janssens')
    expect(findPersonBySsin('79021802145')).toBeUndefined()
    expect(findOrganization('hospital', '71089914')?.name).toBe('Sandbox General Hospital')
    expect(findOrganization('pharmacy', '71089914')).toBeUndefined()
    expect(findOrganization('pharmacy', PHARMACY.nihii)?.hospitalPharmacy).toBe(false)
  })

  it('has a mandate from the doctor to the secretary for insurability', () => {
    expect(MANDATES).toContainEqual({ mandatarySsin: secretary.ssin, mandator: { kind: 'person', ssin: doctor.ssin }, service: 'insurability' })
  })
})

describe('profilesFor', () => {
  const ids = (ssin: string): string[] => profilesFor(ssin).map((c) => c.profile)

  it('offers citizen always, then qualities, organizations and mandates', () => {
    expect(ids(doctor.ssin)).toEqual(['citizen', 'doctor', 'org:hospital'])
    expect(ids(nurse.ssin)).toEqual(['citizen', 'nurse'])
    expect(ids(pharmacist.ssin)).toEqual(['citizen', 'pharmacist', 'org:pharmacy'])
    expect(ids(citizen.ssin)).toEqual(['citizen'])
    expect(ids(secretary.ssin)).toEqual(['citizen', 'mandate'])
    expect(ids('79021802145')).toEqual([])
  })

  it('carries the identifiers the profile claims need', () => {
    expect(profilesFor(doctor.ssin).find((c) => c.profile === 'org:hospital')?.identity).toEqual({ ssin: doctor.ssin, nihii: '71089914' })
    expect(profilesFor(secretary.ssin).find((c) => c.profile === 'mandate')?.identity).toEqual({ ssin: secretary.ssin, mandateService: 'insurability' })
    expect(profilesFor(secretary.ssin)[1]?.label).toContain('Anne Janssens')
  })

  it('offers an organization certificate its organization profile', () => {
    expect(profilesForOrganization('hospital', '71089914')).toEqual([
      { profile: 'org:hospital', label: 'Sandbox General Hospital (NIHII 71089914)', identity: { nihii: '71089914' } },
    ])
    expect(profilesForOrganization('hospital', '71022212')).toEqual([])
  })
})

describe('evaluateAttribute', () => {
  const P = 'urn:be:fgov:person:ssin:ehealth:1.0:'
  const O = 'urn:be:fgov:ehealth:1.0:'
  const as = (ssin: string, extra: Omit<ClaimSubject, 'ssin'> = {}): ClaimSubject => ({ ssin, ...extra })

  it('certifies the SSIN from the certificate', () => {
    expect(evaluateAttribute(as(nurse.ssin), 'urn:be:fgov:person:ssin')).toBe(nurse.ssin)
    expect(evaluateAttribute(as(nurse.ssin), `${O}certificateholder:person:ssin`)).toBe(nurse.ssin)
    expect(evaluateAttribute({ organization: HOSPITAL }, 'urn:be:fgov:person:ssin')).toBeUndefined()
  })

  it('answers quality booleans true for the holder and false for anyone else', () => {
    expect(evaluateAttribute(as(doctor.ssin), 'urn:be:fgov:person:ssin:doctor:boolean')).toBe('true')
    expect(evaluateAttribute(as(nurse.ssin), 'urn:be:fgov:person:ssin:doctor:boolean')).toBe('false')
    expect(evaluateAttribute(as(citizen.ssin), 'urn:be:fgov:person:ssin:doctor:boolean')).toBe('false')
    expect(evaluateAttribute(as('79021802145'), 'urn:be:fgov:person:ssin:doctor:boolean')).toBe('false')
    expect(evaluateAttribute(as(nurse.ssin), 'urn:be:fgov:person:ssin:nurse:boolean')).toBe('true')
    expect(evaluateAttribute(as(doctor.ssin), `${P}fpsph:doctor:boolean`)).toBe('true')
    expect(evaluateAttribute(as(doctor.ssin), `${P}professional:physiotherapist:boolean`)).toBe('false')
  })

  it('gives NIHII-11 numbers only for a quality the person has', () => {
    expect(evaluateAttribute(as(doctor.ssin), `${P}doctor:nihii11`)).toBe('17432581004')
    expect(evaluateAttribute(as(nurse.ssin), `${P}doctor:nihii11`)).toBeUndefined()
    expect(evaluateAttribute(as(nurse.ssin), `${P}nurse:nihii11`)).toBe('46287113401')
    expect(evaluateAttribute(as(nurse.ssin), `${P}nihii:nurse:nihii11`)).toBe('46287113401')
    expect(evaluateAttribute(as(pharmacist.ssin), `${P}nihii:pharmacist:nihii11`)).toBe('53104629010')
  })

  it('gives names from the directory', () => {
    expect(evaluateAttribute(as(doctor.ssin), `${P}givenname`)).toBe('Anne')
    expect(evaluateAttribute(as(doctor.ssin), `${P}surname`)).toBe('Janssens')
    expect(evaluateAttribute(as('79021802145'), `${P}surname`)).toBeUndefined()
  })

  it('certifies the hospital for its own certificate and for a person who represents it', () => {
    for (const subject of [{ organization: HOSPITAL }, as(doctor.ssin, { organization: HOSPITAL })]) {
      expect(evaluateAttribute(subject, `${O}hospital:nihii-number`)).toBe('71089914')
      expect(evaluateAttribute(subject, `${O}certificateholder:hospital:nihii-number`)).toBe('71089914')
      expect(evaluateAttribute(subject, `${O}certificateholder:hospital:nihii-number:recognisedhospital:boolean`)).toBe('true')
      expect(evaluateAttribute(subject, `${O}hospital:nihii-number:recognisedhospital:nihii11`)).toBe('71089914000')
      expect(evaluateAttribute(subject, `${O}certificateholder:recognisedorganization:boolean`)).toBe('true')
    }
  })

  it('refuses the hospital to someone who does not represent it, and unknown hospitals', () => {
    for (const subject of [as(nurse.ssin, { organization: HOSPITAL }), { organization: { type: 'hospital', nihii: '71022212' } } as ClaimSubject]) {
      expect(evaluateAttribute(subject, `${O}certificateholder:hospital:nihii-number`)).toBeUndefined()
      expect(evaluateAttribute(subject, `${O}certificateholder:hospital:nihii-number:recognisedhospital:boolean`)).toBe('false')
      expect(evaluateAttribute(subject, `${O}hospital:nihii-number:recognisedhospital:nihii11`)).toBeUndefined()
    }
    // A hospital attribute asked while acting for the pharmacy.
    expect(evaluateAttribute(as(pharmacist.ssin, { organization: PHARMACY }), `${O}certificateholder:hospital:nihii-number:recognisedhospital:boolean`)).toBe('false')
  })

  it('answers the Recip-e pharmacy booleans', () => {
    const holder = as(pharmacist.ssin, { organization: PHARMACY })
    expect(evaluateAttribute(holder, `${O}pharmacy:nihii-number:recognisedpharmacy:boolean`)).toBe('true')
    expect(evaluateAttribute(holder, `${O}pharmacy:nihii-number:person:ssin:ehealth:1.0:pharmacy-holder:boolean`)).toBe('true')
    expect(evaluateAttribute(holder, `${O}pharmacy:nihii-number:recognisedhospitalpharmacy:boolean`)).toBe('false')
    expect(evaluateAttribute(holder, `${O}pharmacy:nihii-number`)).toBe('25018476')
    const stranger = as(doctor.ssin, { organization: PHARMACY })
    expect(evaluateAttribute(stranger, `${O}pharmacy:nihii-number:recognisedpharmacy:boolean`)).toBe('false')
    expect(evaluateAttribute(stranger, `${O}pharmacy:nihii-number:person:ssin:ehealth:1.0:pharmacy-holder:boolean`)).toBe('false')
  })

  it('answers the mandate attributes', () => {
    const mandatary = as(secretary.ssin, { mandateService: 'insurability' })
    expect(evaluateAttribute(mandatary, `${P}recognisedmandatary:boolean`)).toBe('true')
    expect(evaluateAttribute(mandatary, `${O}servicename:external`)).toBe('insurability')
    expect(evaluateAttribute(as(secretary.ssin, { mandateService: 'ehbox' }), `${P}recognisedmandatary:boolean`)).toBe('false')
    expect(evaluateAttribute(as(secretary.ssin, { mandateService: 'ehbox' }), `${O}servicename:external`)).toBeUndefined()
    expect(evaluateAttribute(as(nurse.ssin), `${P}recognisedmandatary:boolean`)).toBe('false')
    expect(evaluateAttribute(mandatary, `${O}certificateholder:person:ssin:usersession:boolean`)).toBe('true')
    expect(evaluateAttribute({ organization: HOSPITAL }, `${O}certificateholder:person:ssin:usersession:boolean`)).toBe('false')
  })

  it('has no value for an attribute it does not know', () => {
    expect(evaluateAttribute(as(doctor.ssin), 'urn:example:unknown')).toBeUndefined()
    expect(evaluateAttribute(as(doctor.ssin), `${O}certificateholder:enterprise:cbe-number`)).toBeUndefined()
    // Mismatched organization names in one designator are not a pattern the catalogue uses.
    expect(evaluateAttribute({ organization: HOSPITAL }, `${O}hospital:nihii-number:recognisedpharmacy:boolean`)).toBeUndefined()
  })
})
