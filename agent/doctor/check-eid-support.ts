import type { AgentConfig } from '../config.js'
import { makeCheck, type DoctorCheck } from './doctor-check.js'
import type { DoctorEnvironment } from './doctor-environment.js'
import { needsEid } from './choose-login-method.js'

const ID = 'eid-support'

/**
 * The agent's own eID support: the native module pkcs11js, an optional dependency that an
 * installation without a compiler lacks. Missing is a failure only when the login method needs
 * the card; otherwise a warning that says how to add it.
 */
export function checkEidSupport(env: DoctorEnvironment, config: AgentConfig | undefined): DoctorCheck {
  const error = env.probeEidSupport()
  if (!error) return makeCheck(ID, 'ok', 'pkcs11js loads (the agent can talk to the eID middleware)')
  const enable = String(error.data.enable ?? error.hint)
  const status = config && needsEid(config) ? 'fail' : 'warn'
  return makeCheck(ID, status, `${error.message}${status === 'warn' ? '; only needed to sign in with the eID card' : ''}`, `to use the eID card: ${enable}`)
}
