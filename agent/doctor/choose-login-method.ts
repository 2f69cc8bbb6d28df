import type { AgentConfig } from '../config.js'
import type { LoginMethod } from '../keys/key-ring.js'

/**
 * The login method the agent will use with these settings, as start-agent.ts and KeyRing decide
 * it: the configured one, else the keystore when there is one (the sandbox always has its demo
 * keystore), else the eID.
 */
export function chooseLoginMethod(config: AgentConfig): LoginMethod {
  if (config.login.method) return config.login.method
  return config.login.keystore || config.environment === 'sandbox' ? 'keystore' : 'eid'
}

/** Whether signing in needs the eID card (and so the PKCS#11 module and a token). */
export function needsEid(config: AgentConfig): boolean {
  return chooseLoginMethod(config) !== 'keystore'
}
