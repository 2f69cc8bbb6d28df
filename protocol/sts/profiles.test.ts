import { describe, expect, it } from 'vitest'
import { AgentError } from '../errors.js'
import { claimsForProfile } from './claims.js'
import { ATTRIBUTE_NS } from './namespaces.js'
import { IDENTITY_FIELDS, isProfileId, listProfiles, PROFILE_IDS, PROFILES, type ProfileId } from './profiles.js'

function thrown(fn: () => unknown): AgentError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(AgentError)
    return err as AgentError
  }
  throw new Error('expected an AgentError')
}

describe('profile catalogue', () => {
  it('lists every id once, in PROFILE_IDS order, with a label, a source and at least one provided attribute', () => {
    expect(listProfiles().map((p) => p.id)).toEqual([...PROFILE_IDS])
    for (const p of listProfiles()) {
      expect(PROFILES[p.id]).toBe(p)
      expect(p.label.length).toBeGreaterThan(0)
      expect(p.source.length).toBeGreaterThan(0)
      expect(p.attributes.length).toBeGreaterThan(0)
      expect(IDENTITY_FIELDS).toEqual(expect.arrayContaining(p.attributes.map((a) => a.valueFrom)))
    }
  })

  it('uses only the two eHealth attribute namespaces (ICURE\'s "certifiednamespace" typo normalised)', () => {
    const namespaces = new Set(listProfiles().flatMap((p) => [...p.attributes, ...p.designators].map((a) => a.namespace)))
    expect(namespaces).toEqual(new Set([ATTRIBUTE_NS.identification, ATTRIBUTE_NS.certified]))
  })

  it('keeps ICURE\'s namespace duplicates as data', () => {
    for (const org of ['sortingcenter', 'officedoctors', 'groupofnurses']) {
      const name = `urn:be:fgov:ehealth:1.0:certificateholder:${org}:nihii-number`
      const entries = PROFILES[`org:${org}` as ProfileId].designators.filter((d) => d.name === name)
      expect(entries.map((d) => d.namespace)).toEqual([ATTRIBUTE_NS.identification, ATTRIBUTE_NS.certified])
    }
  })

  it('has ICURE\'s per-profile rows', () => {
    const names = (id: ProfileId): string[] => PROFILES[id].designators.map((d) => d.name)
    expect(names('doctor')).toContain('urn:be:fgov:person:ssin:ehealth:1.0:doctor:nihii11')
    expect(names('physiotherapist')).toContain('urn:be:fgov:ehealth:1.0:certificateholder:person:ssin:usersession:boolean')
    expect(PROFILES['org:hospital'].attributes.map((a) => a.name)).toEqual([
      'urn:be:fgov:ehealth:1.0:hospital:nihii-number',
      'urn:be:fgov:ehealth:1.0:certificateholder:hospital:nihii-number',
    ])
    expect(PROFILES['org:enterprise'].attributes.map((a) => [a.name, a.valueFrom])).toEqual([
      ['urn:be:fgov:ehealth:1.0:certificateholder:enterprise:cbe-number', 'cbe'],
    ])
    expect(PROFILES.mandate.attributes.map((a) => a.valueFrom)).toEqual(['ssin', 'ssin', 'mandateService'])
    expect(PROFILES['org:ehp'].attributes.every((a) => a.valueFrom === 'ehp')).toBe(true)
  })

  it('is frozen', () => {
    expect(Object.isFrozen(PROFILES)).toBe(true)
    expect(Object.isFrozen(PROFILES.doctor.designators)).toBe(true)
    expect(Object.isFrozen(PROFILES.doctor.designators[0])).toBe(true)
  })

  it('isProfileId', () => {
    expect(isProfileId('org:hospital')).toBe(true)
    expect(isProfileId('hospital')).toBe(false)
    expect(isProfileId('toString')).toBe(false)
    expect(isProfileId(42)).toBe(false)
  })
})

describe('claimsForProfile', () => {
  it('fills provided attributes from the identity and copies the designators', () => {
    const claims = claimsForProfile('org:hospital', { nihii: '71089914', ssin: '79021802145' })
    expect(claims.profileId).toBe('org:hospital')
    expect(claims.attributes).toEqual([
      { name: 'urn:be:fgov:ehealth:1.0:hospital:nihii-number', namespace: ATTRIBUTE_NS.identification, values: ['71089914'] },
      { name: 'urn:be:fgov:ehealth:1.0:certificateholder:hospital:nihii-number', namespace: ATTRIBUTE_NS.identification, values: ['71089914'] },
    ])
    expect(claims.designators).toEqual(PROFILES['org:hospital'].designators)
  })

  it('mandate carries the service name', () => {
    const claims = claimsForProfile('mandate', { ssin: '79021802145', mandateService: 'insurability' })
    expect(claims.attributes.find((a) => a.name === 'urn:be:fgov:ehealth:1.0:servicename:external')?.values).toEqual(['insurability'])
  })

  it('refuses an unknown profile with ERR_PROFILE_UNKNOWN', () => {
    const err = thrown(() => claimsForProfile('hospital', { nihii: '71089914' }))
    expect(err.code).toBe('ERR_PROFILE_UNKNOWN')
    expect(err.data).toEqual({ profileId: 'hospital' })
  })

  it('names every missing identifier', () => {
    const err = thrown(() => claimsForProfile('org:pharmacy', {}))
    expect(err.code).toBe('ERR_INVALID_PARAMS')
    expect((err.data.issues as { path: string }[]).map((i) => i.path)).toEqual(['ssin', 'nihii'])
    expect(err.message).toContain('org:pharmacy')
  })

  it.each([
    ['doctor', { ssin: '7902180214' }, 'ssin'],
    ['doctor', { ssin: '79.02.18-021.45' }, 'ssin'],
    ['org:hospital', { nihii: '7108991' }, 'nihii'],
    ['org:enterprise', { cbe: 'BE0809394427' }, 'cbe'],
    ['org:ehp', { ehp: 'x' }, 'ehp'],
    ['mandate', { ssin: '79021802145', mandateService: 'insur ability' }, 'mandateService'],
  ] as const)('refuses a malformed identifier (%s, %j)', (profileId, identity, path) => {
    const err = thrown(() => claimsForProfile(profileId, identity))
    expect(err.code).toBe('ERR_INVALID_PARAMS')
    expect(err.data.issues).toEqual([expect.objectContaining({ path })])
  })

  it('returns copies: changing them does not touch the catalogue', () => {
    const claims = claimsForProfile('citizen', { ssin: '79021802145' })
    ;(claims.designators as unknown as { name: string }[])[0]!.name = 'changed'
    expect(PROFILES.citizen.designators[0]!.name).toBe('urn:be:fgov:ehealth:1.0:certificateholder:person:ssin')
  })
})
