import type { AgentConfig } from '../config.js'
import type { HttpTransport } from '../http-transport.js'
import { ENVIRONMENTS } from '../../protocol/environments.js'
import { makeCheck, type DoctorCheck } from './doctor-check.js'
import type { RunningAgentFacts } from './find-running-agent.js'

const ID = 'endpoints'

/**
 * Whether the environment's endpoints answer at all: the STSs (sign-in), the IDP (SSO token
 * download) and the business services. Any HTTP status counts as reachable (an OPTIONS to a SOAP
 * endpoint is often refused); only a failed connection, TLS error or timeout does not. In the
 * sandbox every endpoint is served by `ehagent sandbox`, which the agent starts beside itself.
 */
export async function checkEndpoints(config: AgentConfig | undefined, transport: HttpTransport, agent: RunningAgentFacts | undefined): Promise<DoctorCheck> {
  if (!config) return makeCheck(ID, 'warn', 'not checked: the settings file is not valid', 'fix the settings file first (see the config check)')
  if (config.environment === 'sandbox') {
    if (agent?.healthy) return makeCheck(ID, 'ok', `sandbox: served by the sandbox the agent uses (agent pid ${agent.discovery.pid}, port ${agent.port})`)
    return makeCheck(ID, 'warn', 'sandbox: the agent starts the simulated eHealth with itself, and it is not running', 'start the agent: `ehagent start` (or `ehagent install` to run it as a service)')
  }
  const env = ENVIRONMENTS[config.environment]
  const required = { 'WS-Trust STS': env.stsWsTrust, 'SAML-P STS': env.stsSamlP }
  const optional = { 'IDP SSO page': env.idpSso, ...env.services, ...Object.fromEntries(config.serviceAllowlist.map((u) => [u, u])) }
  const probe = async ([name, url]: [string, string]) => {
    try {
      await transport({ url, method: 'OPTIONS', headers: {}, timeoutMs: 10_000 })
      return undefined
    } catch (err) {
      return `${name} ${new URL(url).host}: ${(err as Error).message}`
    }
  }
  const [requiredFailures, optionalFailures] = await Promise.all([
    Promise.all(Object.entries(required).map(probe)),
    Promise.all(Object.entries(optional).map(probe)),
  ])
  const failedRequired = requiredFailures.filter((f): f is string => f !== undefined)
  const failedOptional = optionalFailures.filter((f): f is string => f !== undefined)
  const total = requiredFailures.length + optionalFailures.length
  const fix = `check the network, proxy and firewall for ${new URL(env.stsWsTrust).host} (the proxy check tells whether the proxy is the problem); after a TLS error, set extraCaFile in the settings to your proxy's CA`
  if (failedRequired.length) return makeCheck(ID, 'fail', `cannot sign in: ${failedRequired.join('; ')}`, fix)
  if (failedOptional.length) return makeCheck(ID, 'warn', `${total - failedOptional.length} of ${total} reachable; not: ${failedOptional.join('; ')}`, fix)
  return makeCheck(ID, 'ok', `all ${total} endpoints of ${env.label} answer`)
}
