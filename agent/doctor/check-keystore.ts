import type { AgentConfig } from '../config.js'
import { readCertificateInfo, readCommonName } from '../keys/certificate-info.js'
import { openPkcs12 } from '../keys/open-pkcs12.js'
import { isAgentError } from '../../protocol/errors.js'
import { makeCheck, type DoctorCheck } from './doctor-check.js'
import type { DoctorEnvironment } from './doctor-environment.js'
import { chooseLoginMethod } from './choose-login-method.js'

const ID = 'keystore'
const EXPIRY_WARNING_DAYS = 30

/**
 * The eHealth keystore (PKCS#12): configured when the login method needs it, present, and, in an
 * interactive terminal, opened with the password the user types (never stored, never sent
 * anywhere) to show whose certificate it holds and until when. Without a terminal (or with
 * --json) the password is not asked and the check says so.
 */
export async function checkKeystore(env: DoctorEnvironment, config: AgentConfig | undefined): Promise<DoctorCheck> {
  if (!config) return makeCheck(ID, 'warn', 'not checked: the settings file is not valid', 'fix the settings file first (see the config check)')
  const method = chooseLoginMethod(config)
  const path = config.login.keystore
  if (!path) {
    if (config.environment === 'sandbox') return makeCheck(ID, 'ok', "the sandbox's demo keystore (created by the sandbox; its password is printed by `ehagent start`)")
    if (method === 'eid') return makeCheck(ID, 'ok', 'not used: the eID card signs in and holds the key (login.method eid)')
    return makeCheck(ID, 'fail', `signing in with "${method}" needs an eHealth keystore and none is configured`, `set login.keystore in ${env.paths.configFile} to your eHealth keystore (.p12 file)`)
  }
  if (!env.fileExists(path)) {
    return makeCheck(ID, 'fail', `the keystore ${path} does not exist`, `set login.keystore in ${env.paths.configFile} to your eHealth keystore, or restore the file from your backup`)
  }
  let bytes: Buffer
  try {
    bytes = await env.readFile(path)
  } catch (err) {
    return makeCheck(ID, 'fail', `the keystore ${path} cannot be read: ${(err as Error).message}`, `give your user read access to ${path}`)
  }
  // DER SEQUENCE: the first byte of every PKCS#12 file (RFC 7292 PFX).
  if (bytes.length < 64 || bytes[0] !== 0x30) {
    return makeCheck(ID, 'fail', `${path} is not a PKCS#12 keystore`, 'point login.keystore at the .p12 file made by the eHealth certificate manager')
  }
  if (!env.askSecret) {
    return makeCheck(ID, 'warn', `${path} exists (${bytes.length} bytes); password not checked (not interactive, or --json)`, 'run `ehagent doctor` in a terminal to check the keystore password')
  }
  const password = await env.askSecret(`keystore password for ${path} (empty to skip): `)
  if (!password) return makeCheck(ID, 'warn', `${path} exists; password not checked (skipped)`, 'run `ehagent doctor` again and type the keystore password')
  try {
    const entry = openPkcs12(bytes, password)
    const { certificate } = readCertificateInfo(entry.certificateDer)
    const name = readCommonName(certificate) ?? certificate.subject
    const until = new Date(certificate.validTo)
    const daysLeft = Math.floor((until.getTime() - env.now()) / 86_400_000)
    if (daysLeft < 0) return makeCheck(ID, 'fail', `the certificate of ${name} in ${path} expired on ${until.toISOString().slice(0, 10)}`, 'renew your eHealth certificate with the eHealth certificate manager')
    if (daysLeft < EXPIRY_WARNING_DAYS) return makeCheck(ID, 'warn', `the certificate of ${name} expires in ${daysLeft} days (${until.toISOString().slice(0, 10)})`, 'renew your eHealth certificate with the eHealth certificate manager soon')
    return makeCheck(ID, 'ok', `${path} opens; certificate of ${name}, valid until ${until.toISOString().slice(0, 10)}`)
  } catch (err) {
    if (isAgentError(err) && err.code === 'ERR_PASSWORD_INCORRECT') return makeCheck(ID, 'fail', `the password does not open ${path}`, 'type the password chosen when the keystore was made (eHealth certificate manager)')
    if (isAgentError(err)) return makeCheck(ID, 'fail', `${path}: ${err.message}`, 'use the keystore made by the eHealth certificate manager (alias "authentication")')
    throw err
  }
}
