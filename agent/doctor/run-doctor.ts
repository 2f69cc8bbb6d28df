import { checkClock } from './check-clock.js'
import { checkConfig } from './check-config.js'
import { checkEidSupport } from './check-eid-support.js'
import { checkEndpoints } from './check-endpoints.js'
import { checkKeystore } from './check-keystore.js'
import { checkNodeVersion } from './check-node-version.js'
import { checkPkcs11Module } from './check-pkcs11-module.js'
import { checkPort } from './check-port.js'
import { checkPrivacyLog } from './check-privacy-log.js'
import { checkStsTrust } from './check-sts-trust.js'
import { checkTokens } from './check-tokens.js'
import { checkTray } from './check-tray.js'
import { makeCheck, type DoctorCheck } from './doctor-check.js'
import type { DoctorEnvironment } from './doctor-environment.js'
import { findRunningAgent } from './find-running-agent.js'

/**
 * Every check of `ehagent doctor`, in the order a user fixes things: the runtime, the settings,
 * what the STS is trusted by, the keys, the card, the network, the port, the privacy log, the tray. A check that cannot run because an
 * earlier one failed says so instead of failing twice.
 */
export async function runDoctor(env: DoctorEnvironment): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [checkNodeVersion(env.nodeVersion)]
  const { check: configCheck, config } = await checkConfig(env)
  checks.push(configCheck)
  checks.push(await checkStsTrust(env, config))
  checks.push(await checkKeystore(env, config))
  const eidSupport = checkEidSupport(env, config)
  const { check: moduleCheck, modulePath } = checkPkcs11Module(env, config)
  checks.push(eidSupport, moduleCheck, eidSupport.status === 'ok' ? checkTokens(env, config, modulePath) : makeCheck('tokens', 'warn', 'not checked: no eID support in this installation (see the eid-support check)', eidSupport.fix))
  let extraCa: string[] = []
  if (config?.caBundle) extraCa = [(await env.readFile(config.caBundle).catch(() => Buffer.alloc(0))).toString('utf8')].filter(Boolean)
  const transport = env.createTransport(extraCa)
  const agent = await findRunningAgent(env, transport)
  checks.push(await checkClock(config, transport, agent, env.now))
  checks.push(await checkEndpoints(config, transport, agent))
  checks.push(await checkPort(env, config, agent))
  checks.push(await checkPrivacyLog(env, config))
  checks.push(checkTray(env))
  return checks
}
