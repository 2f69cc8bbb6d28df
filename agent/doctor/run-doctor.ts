import { checkClock } from './check-clock.js'
import { checkConfig } from './check-config.js'
import { checkEidSupport } from './check-eid-support.js'
import { checkMemoryTrim } from './check-memory-trim.js'
import { checkCallerLookup } from './check-caller-lookup.js'
import { checkEndpoints } from './check-endpoints.js'
import { checkKeystore } from './check-keystore.js'
import { checkNodeVersion } from './check-node-version.js'
import { checkPkcs11Module } from './check-pkcs11-module.js'
import { checkPolicy } from './check-policy.js'
import { checkPort } from './check-port.js'
import { applyPolicy } from '../../protocol/policy/policy-locks.js'
import { checkPrivacyLog } from './check-privacy-log.js'
import { checkStsTrust } from './check-sts-trust.js'
import { checkProxy, type DoctorProxy } from './check-proxy.js'
import { checkTokens } from './check-tokens.js'
import { checkTray } from './check-tray.js'
import { makeCheck, type DoctorCheck } from './doctor-check.js'
import type { DoctorEnvironment } from './doctor-environment.js'
import { findRunningAgent } from './find-running-agent.js'
import { isAgentError } from '../../protocol/errors.js'
import type { AgentConfig } from '../config.js'
import { DIRECT, proxyLayers, resolveProxyPlan, type PolicyProxy } from '../net/resolve-proxy.js'

/**
 * Every check of `ehagent doctor`, in the order a user fixes things: the runtime, the settings,
 * what the STS is trusted by, the keys, the card, the network (through the proxy the agent would
 * use), the port, the privacy log, the tray. A check that cannot run because an earlier one failed
 * says so instead of failing twice.
 */
export async function runDoctor(env: DoctorEnvironment): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [checkNodeVersion(env.nodeVersion)]
  const { check: policyCheck, policy, source: policySource } = await checkPolicy(env)
  const { check: configCheck, config: own } = await checkConfig(env)
  checks.push(policyCheck, configCheck)
  // The later checks look at the settings in effect: the policy's values over the user's.
  const config = own && policy ? applyPolicy(own, policy) : own
  checks.push(await checkStsTrust(env, config))
  checks.push(await checkKeystore(env, config))
  const eidSupport = checkEidSupport(env, config)
  const { check: moduleCheck, modulePath } = checkPkcs11Module(env, config)
  checks.push(eidSupport, moduleCheck, eidSupport.status === 'ok' ? checkTokens(env, config, modulePath) : makeCheck('tokens', 'warn', 'not checked: no eID support in this installation (see the eid-support check)', eidSupport.fix))
  let extraCa: string[] = []
  if (config?.extraCaFile) extraCa = [(await env.readFile(config.extraCaFile).catch(() => Buffer.alloc(0))).toString('utf8')].filter(Boolean)
  const proxy = resolveDoctorProxy(env, config, policy?.proxy !== undefined && policySource !== undefined ? { proxy: policy.proxy, noProxy: policy.noProxy, source: policySource } : undefined)
  const client = env.createHttpClient({ extraCaPem: extraCa, proxy: 'plan' in proxy ? proxy.plan : DIRECT })
  try {
    const agent = await findRunningAgent(env, client.request)
    checks.push(await checkClock(config, client.request, agent, env.now))
    checks.push(await checkProxy(config, proxy, client))
    checks.push(await checkEndpoints(config, client.request, agent))
    checks.push(await checkPort(env, config, agent, client.request))
    checks.push(await checkPrivacyLog(env, config))
  } finally {
    await client.close()
  }
  checks.push(checkTray(env), checkMemoryTrim(env), await checkCallerLookup(env))
  return checks
}

/** The proxy the agent would use with these settings: the admin policy, `--proxy`, the settings, the environment. */
function resolveDoctorProxy(env: DoctorEnvironment, config: AgentConfig | undefined, policy: PolicyProxy | undefined): DoctorProxy {
  const layers = proxyLayers({ policy, commandLine: env.proxy.commandLine, settings: config ?? {}, environment: env.proxy.environment })
  try {
    return { plan: resolveProxyPlan(layers), layers }
  } catch (err) {
    if (isAgentError(err)) return { error: err.message }
    throw err
  }
}
