import type { AgentConfig } from '../config.js'
import { createModuleMissingError, listPkcs11ModuleCandidates } from '../keys/find-pkcs11-module.js'
import { makeCheck, type DoctorCheck } from './doctor-check.js'
import type { DoctorEnvironment } from './doctor-environment.js'
import { needsEid } from './choose-login-method.js'

const ID = 'pkcs11-module'

/**
 * The eID middleware's PKCS#11 module (beidpkcs11): the configured path, or the first of the
 * OS's install locations (agent/keys/find-pkcs11-module.ts). Missing is a failure only when the
 * login method needs the card.
 */
export function checkPkcs11Module(env: DoctorEnvironment, config: AgentConfig | undefined): { check: DoctorCheck; modulePath?: string } {
  if (!config) return { check: makeCheck(ID, 'warn', 'not checked: the settings file is not valid', 'fix the settings file first (see the config check)') }
  const configured = config.login.pkcs11Module
  if (configured) {
    if (env.fileExists(configured)) return { check: makeCheck(ID, 'ok', `${configured} (login.pkcs11Module)`), modulePath: configured }
    return { check: makeCheck(ID, 'fail', `the configured PKCS#11 module ${configured} does not exist`, `install the eID middleware, or correct login.pkcs11Module in ${env.paths.configFile}`) }
  }
  const candidates = listPkcs11ModuleCandidates(env.platform)
  const found = candidates.find((p) => env.fileExists(p))
  if (found) return { check: makeCheck(ID, 'ok', found), modulePath: found }
  const missing = createModuleMissingError(env.platform, candidates)
  const install = String(missing.data.install ?? 'install the Belgian eID middleware')
  if (needsEid(config)) return { check: makeCheck(ID, 'fail', `the eID PKCS#11 module was not found (tried: ${candidates.join(', ') || 'none known for ' + env.platform})`, `${install}, or set login.pkcs11Module in ${env.paths.configFile}`) }
  return {
    check: makeCheck(ID, 'warn', `the eID PKCS#11 module was not found (tried: ${candidates.join(', ') || 'none known for ' + env.platform}); only needed to sign in with the eID card`, `to use the eID card: ${install}`),
  }
}
