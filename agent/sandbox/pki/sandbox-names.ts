/**
 * The names in the sandbox PKI. Each imitates the real one's shape (eHealth certificate DNs as TC's
 * `CertificateParser` reads them) and says TEST or SANDBOX where a person reads it, so a sandbox
 * certificate is never mistaken for a real one.
 */
import { SANDBOX_STS_SIGNER_OU } from '../../../protocol/environments.js'
import type { Organization, Person } from '../directory-data.js'
import type { DnAttribute } from './distinguished-name.js'

/** Shaped like `CN=ZetesConfidens Private Trust PKI - eHealth issuing CA 001, SERIALNUMBER=001, O=ZETES SA, C=BE`. */
export const EHEALTH_CA_DN: readonly DnAttribute[] = [
  ['CN', 'TEST eHealth sandbox issuing CA'],
  ['SERIALNUMBER', '001'],
  ['O', 'ehealth-agent sandbox'],
  ['C', 'BE'],
]

/** Shaped like `CN=Belgium Root CA4, C=BE`. */
export const BELGIUM_ROOT_CA_DN: readonly DnAttribute[] = [
  ['CN', 'TEST Belgium Root CA (sandbox)'],
  ['C', 'BE'],
]

/**
 * Shaped like the Belgian eID CAs, which encode C, CN, serialNumber in that order (the real
 * Government CA 201402 in taktik/freehealth-connector `src/main/resources/prod/caCertificateKeystore.jks`),
 * so that Java prints them `SERIALNUMBER=201402, CN=Government CA, C=BE`: serialNumber first in
 * this reading order.
 */
export const CITIZEN_CA_DN: readonly DnAttribute[] = [
  ['SERIALNUMBER', '000001'],
  ['CN', 'TEST Citizen CA (sandbox)'],
  ['C', 'BE'],
]

/**
 * Named exactly as the real STS signing certificates are, every generation of them (DER order
 * `C=BE, O=Federal Government, OU=IAMACC, OU=CBE=0809394427, OU=EHEALTH-PLATFORM,
 * OU=eHealth-platform Belgium, CN=CBE=0809394427, IAMACC` in acceptance; public copies in
 * taktik/freehealth-connector `src/main/resources/acpt/truststore.jks`), with the sandbox's IAM OU
 * in place of `IAMACC`: an agent recognises it by the same rule as the real one
 * (protocol/saml/check-sts-signer.ts), and the TEST issuer marks it as the sandbox's.
 * CBE 0809394427 is the eHealth platform's enterprise number.
 */
export const STS_DN: readonly DnAttribute[] = [
  ['CN', `CBE=0809394427, ${SANDBOX_STS_SIGNER_OU}`],
  ['OU', 'eHealth-platform Belgium'],
  ['OU', 'EHEALTH-PLATFORM'],
  ['OU', 'CBE=0809394427'],
  ['OU', SANDBOX_STS_SIGNER_OU],
  ['O', 'Federal Government'],
  ['C', 'BE'],
]

/** The application OU of organization certificates (beside the `<TYPE>=<id>` OU TC's `CertificateParser` picks). */
export const ORGANIZATION_APPLICATION = 'SANDBOX'

/**
 * `CN="SSIN=…", OU=eHealth-platform Belgium, OU=<name>, OU="SSIN=…", O=Federal Government, C=BE`,
 * the eHealth personal certificate DN.
 */
export function ehealthPersonDn(person: Person): DnAttribute[] {
  const ssin = `SSIN=${person.ssin}`
  return [
    ['CN', ssin],
    ['OU', 'eHealth-platform Belgium'],
    ['OU', `${person.givenName} ${person.surname}`],
    ['OU', ssin],
    ['O', 'Federal Government'],
    ['C', 'BE'],
  ]
}

/**
 * `CN="NIHII-HOSPITAL=71089914, SANDBOX", OU=eHealth-platform Belgium, OU=<name>, OU=NIHII-HOSPITAL=71089914, OU=SANDBOX, …`:
 * the STS certificate's layout with the organization's `<TYPE>=<id>` OU (TC `CertificateParser`).
 */
export function ehealthOrganizationDn(org: Organization): DnAttribute[] {
  const id = organizationIdentifier(org)
  return [
    ['CN', `${id}, ${ORGANIZATION_APPLICATION}`],
    ['OU', 'eHealth-platform Belgium'],
    ['OU', org.name],
    ['OU', id],
    ['OU', ORGANIZATION_APPLICATION],
    ['O', 'Federal Government'],
    ['C', 'BE'],
  ]
}

/** `NIHII-HOSPITAL=71089914`: the identifier OU that TC's `CertificateParser` and its like pick. */
export function organizationIdentifier(org: Pick<Organization, 'type' | 'nihii'>): string {
  return `NIHII-${org.type.toUpperCase()}=${org.nihii}`
}

export const EID_KEY_ROLES = ['Authentication', 'Signature'] as const
export type EidKeyRole = (typeof EID_KEY_ROLES)[number]

/**
 * A Belgian eID certificate subject: `CN=<Given Surname> (Authentication), SN=<surname>,
 * GIVENNAME=<given>, SERIALNUMBER=<SSIN>, C=BE`. Real cards store C first and the SSIN last, so
 * the reading order (reversed) begins with SERIALNUMBER; this list is that reading order.
 */
export function eidDn(person: Person, role: EidKeyRole): DnAttribute[] {
  return [
    ['SERIALNUMBER', person.ssin],
    ['GIVENNAME', person.givenName],
    ['SN', person.surname],
    ['CN', `${person.givenName} ${person.surname} (${role})`],
    ['C', 'BE'],
  ]
}
