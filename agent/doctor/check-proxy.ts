import { ENVIRONMENTS } from '../../protocol/environments.js'
import { isAgentError } from '../../protocol/errors.js'
import type { AgentConfig } from '../config.js'
import type { HttpClient } from '../net/http-client.js'
import { describeProxyPlan, type ProxyLayer, type ProxyPlan } from '../net/resolve-proxy.js'
import { makeCheck, type DoctorCheck } from './doctor-check.js'

const ID = 'proxy'

/** The proxy as the doctor resolved it from `--proxy`, the settings and the environment; or why not. */
export type DoctorProxy = { plan: ProxyPlan; layers: ProxyLayer[] } | { error: string }

/**
 * The proxy in effect and where it came from (`--proxy`, the setting `proxy`, HTTPS_PROXY), only
 * ever with its password masked; then one request to the environment's STS through it, so a
 * proxy that cannot be reached, refuses, or wants credentials is named as the problem — not
 * eHealth. The sandbox runs on this machine and never goes through a proxy, so with it only the
 * settings are shown.
 */
export async function checkProxy(config: AgentConfig | undefined, proxy: DoctorProxy, client: Pick<HttpClient, 'request' | 'proxyFor'>): Promise<DoctorCheck> {
  if ('error' in proxy) return makeCheck(ID, 'fail', proxy.error, 'correct the proxy: `--proxy`, the settings "proxy"/"noProxy", or HTTPS_PROXY/NO_PROXY in the environment')
  const description = describeProxyPlan(proxy.plan, proxy.layers)
  if (!proxy.plan.https && !proxy.plan.http) return makeCheck(ID, 'ok', description)
  if (!config) return makeCheck(ID, 'warn', `${description}; not tested: the settings file is not valid`, 'fix the settings file first (see the config check)')
  if (config.environment === 'sandbox') {
    return makeCheck(ID, 'ok', `${description}; used for int, acc and prod only: the sandbox runs on this machine and is reached directly`)
  }
  const url = ENVIRONMENTS[config.environment].stsWsTrust
  const host = new URL(url).host
  const via = client.proxyFor(url)
  if (!via) return makeCheck(ID, 'ok', `${description}; ${host} is in the NO_PROXY list, so eHealth is reached directly`)
  try {
    const reply = await client.request({ url, method: 'OPTIONS', headers: {}, timeoutMs: 10_000 })
    return makeCheck(ID, 'ok', `${description}; reaches ${host} through it (HTTP ${reply.status})`)
  } catch (err) {
    if (!isAgentError(err)) throw err
    const fix =
      err.code === 'ERR_PROXY'
        ? err.data.reason === 'credentials-required' || err.data.reason === 'credentials-refused'
          ? 'set proxyUsername and proxyPassword in the settings (or user:password@ in the proxy URL) to what the proxy expects'
          : `check the proxy's address and port (${via.display}) with your network administrator`
        : err.code === 'ERR_TLS'
          ? "set extraCaFile in the settings to the PEM file of the proxy's (or firewall's) CA certificate"
          : `ask your network administrator whether the proxy lets this computer reach ${host}:443`
    return makeCheck(ID, 'fail', `${description}; ${err.message}`, fix)
  }
}
