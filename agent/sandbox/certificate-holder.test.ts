import { beforeAll, describe, expect, it } from 'vitest'
import { sharedSandboxPki } from '../../test/helpers/sandbox-pki.js'
import { identifyCertificateHolder } from './certificate-holder.js'
import { evaluateAttribute } from './directory.js'
import type { SandboxPki } from './pki/index.js'

let pki: SandboxPki

beforeAll(async () => {
  pki = await sharedSandboxPki()
})

describe('identifyCertificateHolder', () => {
  it('reads the SSIN of a personal eHealth certificate', () => {
    expect(identifyCertificateHolder(pki.keystores.doctor.certificate)).toEqual({ ssin: pki.keystores.doctor.ssin })
  })

  it('reads the NIHII of an organization certificate', () => {
    expect(identifyCertificateHolder(pki.keystores.hospital.certificate)).toEqual({ organization: { type: 'hospital', nihii: '71089914' } })
  })

  it('reads the SSIN of both eID certificates', () => {
    const card = pki.eid.citizen
    expect(identifyCertificateHolder(card.authentication.certificate)).toEqual({ ssin: card.ssin })
    expect(identifyCertificateHolder(card.signature.certificate)).toEqual({ ssin: card.ssin })
  })

  it('finds no holder in CA and STS certificates', () => {
    for (const c of [pki.sts, pki.ehealthCa, pki.citizenCa, pki.belgiumRootCa]) expect(identifyCertificateHolder(c.certificate)).toBeUndefined()
  })

  it('feeds evaluateAttribute: the doctor keystore is a doctor, the nurse keystore is not', () => {
    const doctor = identifyCertificateHolder(pki.keystores.doctor.certificate)!
    const nurse = identifyCertificateHolder(pki.keystores.nurse.certificate)!
    expect(evaluateAttribute(doctor, 'urn:be:fgov:person:ssin:doctor:boolean')).toBe('true')
    expect(evaluateAttribute(nurse, 'urn:be:fgov:person:ssin:doctor:boolean')).toBe('false')
    const hospital = identifyCertificateHolder(pki.keystores.hospital.certificate)!
    expect(evaluateAttribute(hospital, 'urn:be:fgov:ehealth:1.0:certificateholder:hospital:nihii-number')).toBe('71089914')
  })
})
