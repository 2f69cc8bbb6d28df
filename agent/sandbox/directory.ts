/**
 * The sandbox's directory: who the test people are, what they may claim, and the value the
 * sandbox STS puts in an assertion for each requested attribute.
 *
 * Profile ids are plain strings that mirror the catalogue being written in
 * `protocol/sts/profiles.ts` (not imported yet, to be reconciled): `citizen`; a quality by its
 * eHealth name (`doctor`, `nurse`, `pharmacist`, …); `org:<type>` for an organization
 * (`org:hospital`, `org:pharmacy`, …); `mandate`. A choice's `identity` uses the catalogue's
 * identity fields (`ssin`, `nihii`, `mandateService`), so it can feed `claimsForProfile` directly.
 */
import { parseAttributeName, type AttributeQuestion } from './attribute-names.js'
import {
  MANDATES,
  ORGANIZATIONS,
  PEOPLE,
  type Mandate,
  type Organization,
  type OrganizationRef,
  type Person,
  type PersonId,
} from './directory-data.js'

export * from './directory-data.js'

/**
 * Who is asking, as far as the STS knows: the SSIN of the certificate holder (eHealth personal
 * certificate or eID), the organization the request acts for (the organization's own certificate,
 * or the NIHII number a person claims to act for), and the service named by a mandate request.
 */
export interface ClaimSubject {
  ssin?: string
  organization?: OrganizationRef
  mandateService?: string
}

/** A profile a subject may use, with the identifiers the profile's provided attributes need. */
export interface ProfileChoice {
  profile: string
  label: string
  identity: { ssin?: string; nihii?: string; mandateService?: string }
}

export function findPersonBySsin(ssin: string): Person | undefined {
  return PEOPLE.find((p) => p.ssin === ssin)
}

export function findPersonById(id: PersonId): Person {
  const person = PEOPLE.find((p) => p.id === id)
  if (!person) throw new Error(`no sandbox person "${id}"`)
  return person
}

/** `type` is an eHealth organization name (`hospital`, `pharmacy`, …); `number` its 8-digit NIHII. */
export function findOrganization(type: string, number: string): Organization | undefined {
  return ORGANIZATIONS.find((o) => o.type === type && o.nihii === number)
}

export function findMandates(mandatarySsin: string): Mandate[] {
  return MANDATES.filter((m) => m.mandatarySsin === mandatarySsin)
}

/**
 * The profiles a person may sign in with: `citizen` always, then each quality, each organization
 * they represent, each mandate they hold. Empty for an SSIN the directory does not know.
 */
export function profilesFor(ssin: string): ProfileChoice[] {
  const person = findPersonBySsin(ssin)
  if (!person) return []
  const name = `${person.givenName} ${person.surname}`
  const choices: ProfileChoice[] = [{ profile: 'citizen', label: `${name} (citizen)`, identity: { ssin } }]
  for (const q of person.qualities) {
    choices.push({ profile: q.quality, label: `${name} (${q.quality}, NIHII ${q.nihii11})`, identity: { ssin } })
  }
  for (const r of person.represents) {
    const org = findOrganization(r.type, r.nihii)
    if (!org) continue
    choices.push({ profile: `org:${org.type}`, label: `${org.name} (NIHII ${org.nihii}) for ${name}`, identity: { ssin, nihii: org.nihii } })
  }
  for (const m of findMandates(ssin)) {
    choices.push({ profile: 'mandate', label: `${name}: mandate for ${m.service} from ${describeMandator(m)}`, identity: { ssin, mandateService: m.service } })
  }
  return choices
}

/** The profile an organization's own certificate may use. */
export function profilesForOrganization(type: string, number: string): ProfileChoice[] {
  const org = findOrganization(type, number)
  if (!org) return []
  return [{ profile: `org:${org.type}`, label: `${org.name} (NIHII ${org.nihii})`, identity: { nihii: org.nihii } }]
}

/**
 * The value the STS puts in the assertion for a requested attribute, or undefined when there is
 * none to certify (the STS omits it). Booleans are 'true' / 'false': the real STS answers `false`
 * rather than omitting the attribute (TC Recip-e `SAMLTokenValidator` checks for `false`), so a
 * nurse asking for `urn:be:fgov:person:ssin:doctor:boolean` gets 'false'.
 *
 * SSIN attributes come from the certificate (`subject.ssin`) even for a person the directory does
 * not know; qualities, names, organizations and mandates come from the directory. An organization
 * counts only when the subject may act for it: its own certificate (no SSIN), or a person who
 * represents it.
 */
export function evaluateAttribute(subject: ClaimSubject, attributeName: string): string | undefined {
  const question = parseAttributeName(attributeName)
  return question ? answer(subject, question) : undefined
}

function answer(subject: ClaimSubject, q: AttributeQuestion): string | undefined {
  const person = subject.ssin === undefined ? undefined : findPersonBySsin(subject.ssin)
  switch (q.kind) {
    case 'ssin':
      return subject.ssin
    case 'givenname':
      return person?.givenName
    case 'surname':
      return person?.surname
    case 'quality':
      return bool(person?.qualities.some((r) => r.quality === q.quality) ?? false)
    case 'quality-nihii11':
      return person?.qualities.find((r) => r.quality === q.quality)?.nihii11
    case 'usersession':
      return bool(subject.ssin !== undefined)
    case 'recognised-mandatary':
      return bool(heldMandate(subject) !== undefined)
    case 'mandate-service':
      return heldMandate(subject)?.service
    case 'organization-number': {
      const org = actedForOrganization(subject)
      return org?.type === q.organizationType ? org.nihii : undefined
    }
    case 'organization-recognised': {
      const org = actedForOrganization(subject)
      return bool(org?.type === q.organizationType && org.recognised)
    }
    case 'organization-nihii11': {
      const org = actedForOrganization(subject)
      return org?.type === q.organizationType && org.recognised ? org.nihii11 : undefined
    }
    case 'recognised-organization':
      return bool(actedForOrganization(subject)?.recognised ?? false)
    case 'pharmacy-holder': {
      // A person holding the pharmacy; the pharmacy's own certificate holds nothing.
      const org = actedForOrganization(subject)
      return bool(person !== undefined && org?.type === 'pharmacy')
    }
    case 'hospital-pharmacy': {
      const org = actedForOrganization(subject)
      return bool(org?.type === 'pharmacy' && org.recognised && org.hospitalPharmacy === true)
    }
  }
}

/** The organization the subject acts for, when the directory agrees that it may. */
function actedForOrganization(subject: ClaimSubject): Organization | undefined {
  if (!subject.organization) return undefined
  const org = findOrganization(subject.organization.type, subject.organization.nihii)
  if (!org) return undefined
  if (subject.ssin === undefined) return org
  const person = findPersonBySsin(subject.ssin)
  return person?.represents.some((r) => r.type === org.type && r.nihii === org.nihii) ? org : undefined
}

/** The mandate the subject holds for the requested service (any, when none is named). */
function heldMandate(subject: ClaimSubject): Mandate | undefined {
  if (subject.ssin === undefined) return undefined
  const mandates = findMandates(subject.ssin)
  return subject.mandateService === undefined ? mandates[0] : mandates.find((m) => m.service === subject.mandateService)
}

function describeMandator(m: Mandate): string {
  if (m.mandator.kind === 'organization') {
    const { type, nihii } = m.mandator.organization
    return findOrganization(type, nihii)?.name ?? `${type} ${nihii}`
  }
  const p = findPersonBySsin(m.mandator.ssin)
  return p ? `${p.givenName} ${p.surname}` : m.mandator.ssin
}

function bool(value: boolean): 'true' | 'false' {
  return value ? 'true' : 'false'
}
