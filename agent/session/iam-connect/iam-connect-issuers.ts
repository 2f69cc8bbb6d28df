import { AgentError } from '../../../protocol/errors.js'
import type { Environment } from '../../../protocol/environments.js'

/** The Keycloak realm of eHealth IAM Connect, the same path in every environment and in the sandbox. */
export const IAM_CONNECT_REALM_PATH = '/auth/realms/healthcare'

/**
 * IAM Connect issuers of the real environments. Acceptance is the realm public eHealth clients
 * use (`https://api-acpt.ehealth.fgov.be/auth/realms/healthcare`); production is INFERRED from
 * eHealth's naming of its other realms (`api.ehealth.fgov.be` for production, `api-acpt` for
 * acceptance). No client id of ours is registered there: only the sandbox works today.
 */
export const IAM_CONNECT_ISSUERS: Partial<Record<Environment['id'], string>> = {
  prod: `https://api.ehealth.fgov.be${IAM_CONNECT_REALM_PATH}`,
  acc: `https://api-acpt.ehealth.fgov.be${IAM_CONNECT_REALM_PATH}`,
}

/** The IAM Connect issuer of `environment`; the sandbox's is on its own origin. */
export function iamConnectIssuerFor(environment: Environment): string {
  if (environment.id === 'sandbox') return new URL(environment.stsWsTrust).origin + IAM_CONNECT_REALM_PATH
  const issuer = IAM_CONNECT_ISSUERS[environment.id]
  if (!issuer) throw new AgentError('ERR_CONFIG_INVALID', `no IAM Connect issuer is known for the ${environment.label} environment`, { detail: 'set the IAM Connect issuer in the agent settings' })
  return issuer
}
