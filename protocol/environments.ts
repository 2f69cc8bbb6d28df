/**
 * The eHealth environments the agent can talk to, and the embedded sandbox that stands in for
 * them. Endpoints from the eHealth technical connector's uddi defaults (TC
 * `uddi-default.properties`), the iCure service lists (ICURE `servicelist.xml`), eH-I tests, and
 * eHealth's I.AM fat-client SSO spec v1.0 §5.1 (the IDP's fat-client SSO page).
 *
 * @module
 */

/** Environment ids, as used on the command line (`--env`) and in the config file. */
export const ENVIRONMENT_IDS = ['prod', 'acc', 'int', 'sandbox'] as const
export type EnvironmentId = (typeof ENVIRONMENT_IDS)[number]

/** Where an environment's services live. */
export interface Environment {
  id: EnvironmentId
  /** Human name, and the value eHealth puts in soa:Environment faults. */
  label: string
  soaEnvironment: 'Production' | 'Acceptation' | 'Integration' | 'Simulation'
  /** WS-Trust STS (the default login path). */
  stsWsTrust: string
  /** SAML-P STS (legacy option). */
  stsSamlP: string
  /** The IDP's fat-client SSO wizard (I.AM fat-client SSO spec v1.0). */
  idpSso: string
  /** Business services the agent may call with soap.call without an admin allowlist entry. */
  services: Record<string, string>
  /**
   * The OU that names this environment's STS in its signing certificate's subject
   * (`OU=<it>`, `CN=CBE=0809394427, <it>`): `IAM` in production, `IAMACC` in acceptance,
   * `IAMINT` in integration, as every public copy of those certificates shows
   * (protocol/saml/check-sts-signer.ts).
   */
  stsSignerOu: string
}

function servicesAt(base: string): Record<string, string> {
  return {
    ehBoxConsultation: `${base}/ehBoxConsultation/v3`,
    ehBoxPublication: `${base}/ehBoxPublication/v3`,
    addressBook: `${base}/AddressBook/v1`,
    therLink: `${base}/TherLink/v1`,
    consent: `${base}/Consent/v1`,
    etkDepot: `${base}/EtkDepot/v1`,
    kgss: `${base}/Kgss/v1`,
    seals: `${base}/Seals/v1`,
    timestampAuthority: `${base}/TimestampAuthority/v2`,
  }
}

/** The real eHealth environments. `sandbox` is resolved against the sandbox's own URL. */
export const ENVIRONMENTS: Record<Exclude<EnvironmentId, 'sandbox'>, Environment> = {
  prod: {
    id: 'prod',
    label: 'Production',
    soaEnvironment: 'Production',
    stsWsTrust: 'https://services.ehealth.fgov.be/IAM/SecurityTokenService/v1',
    stsSamlP: 'https://services.ehealth.fgov.be/IAM/Saml11TokenService/v1',
    idpSso: 'https://www.ehealth.fgov.be/idp/Token/SSO',
    services: servicesAt('https://services.ehealth.fgov.be'),
    stsSignerOu: 'IAM',
  },
  acc: {
    id: 'acc',
    label: 'Acceptance',
    soaEnvironment: 'Acceptation',
    stsWsTrust: 'https://services-acpt.ehealth.fgov.be/IAM/SecurityTokenService/v1',
    stsSamlP: 'https://services-acpt.ehealth.fgov.be/IAM/Saml11TokenService/v1',
    idpSso: 'https://wwwacc.ehealth.fgov.be/idp/Token/SSO',
    services: servicesAt('https://services-acpt.ehealth.fgov.be'),
    stsSignerOu: 'IAMACC',
  },
  int: {
    id: 'int',
    label: 'Integration',
    soaEnvironment: 'Integration',
    stsWsTrust: 'https://services-int.ehealth.fgov.be/IAM/SecurityTokenService/v1',
    stsSamlP: 'https://services-int.ehealth.fgov.be/IAM/Saml11TokenService/v1',
    idpSso: 'https://wwwint.ehealth.fgov.be/idp/Token/SSO',
    services: servicesAt('https://services-int.ehealth.fgov.be'),
    stsSignerOu: 'IAMINT',
  },
}

/**
 * The sandbox STS's IAM OU: its signing certificate is named like the real ones
 * (`CN=CBE=0809394427, IAMSANDBOX`, …) under the sandbox's own test CA.
 */
export const SANDBOX_STS_SIGNER_OU = 'IAMSANDBOX'

/** Paths the embedded sandbox serves, mirroring eHealth's. */
export const SANDBOX_PATHS = {
  stsWsTrust: '/IAM/SecurityTokenService/v1',
  stsSamlP: '/IAM/Saml11TokenService/v1',
  idpSso: '/idp/Token/SSO',
  hokService: '/sandbox/EchoService/HolderOfKey/v1',
  x509Service: '/sandbox/EchoService/X509/v1',
} as const

/**
 * The sandbox as an environment, given the base URL it listens on (e.g. `http://127.0.0.1:4753`).
 *
 * @example
 * ```ts
 * sandboxEnvironment('http://127.0.0.1:4753').stsWsTrust // 'http://127.0.0.1:4753/IAM/SecurityTokenService/v1'
 * ```
 */
export function sandboxEnvironment(baseUrl: string): Environment {
  const base = baseUrl.replace(/\/+$/, '')
  return {
    id: 'sandbox',
    label: 'Sandbox (simulated eHealth)',
    soaEnvironment: 'Simulation',
    stsWsTrust: base + SANDBOX_PATHS.stsWsTrust,
    stsSamlP: base + SANDBOX_PATHS.stsSamlP,
    idpSso: base + SANDBOX_PATHS.idpSso,
    services: { hokEcho: base + SANDBOX_PATHS.hokService, x509Echo: base + SANDBOX_PATHS.x509Service },
    stsSignerOu: SANDBOX_STS_SIGNER_OU,
  }
}

/** True when `value` names an environment. */
export function isEnvironmentId(value: unknown): value is EnvironmentId {
  return typeof value === 'string' && (ENVIRONMENT_IDS as readonly string[]).includes(value)
}
