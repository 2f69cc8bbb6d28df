import { AgentError } from '../../protocol/errors.js'
import { parseNoProxy, type NoProxyList } from './no-proxy.js'
import { maskProxy, maskProxyText, parseProxyUrl, type ProxyEndpoint } from './proxy-url.js'

/**
 * Where a proxy setting came from, strongest first. `policy` is the machine-wide admin policy:
 * when it names a proxy, the user's own layers below it are not consulted.
 */
export const PROXY_SOURCES = ['policy', 'command-line', 'setting', 'environment'] as const
export type ProxySource = (typeof PROXY_SOURCES)[number]

/**
 * One layer of proxy settings as its source gives them, unparsed. The environment names a proxy
 * per scheme (HTTPS_PROXY, HTTP_PROXY); the settings, the command line and a policy name one for
 * both. `noProxy` follows curl's syntax; an empty string means "proxy everything" (curl's
 * `--noproxy ""`), so it still overrides a weaker layer.
 */
export interface ProxyLayer {
  source: ProxySource
  /** What to name in messages: `the setting "proxy"`, `HTTPS_PROXY`, `--proxy`. */
  names: { https?: string; http?: string; noProxy?: string }
  https?: string
  http?: string
  noProxy?: string
  username?: string
  password?: string
}

/** The proxy for one URL scheme, and where it came from. */
export interface ChosenProxy {
  endpoint: ProxyEndpoint
  source: ProxySource
  /** `http://alice:***@proxy:3128`: the only form ever shown or logged. */
  display: string
}

/** What the HTTP client does with each request: which proxy per scheme, and the exceptions. */
export interface ProxyPlan {
  https: ChosenProxy | undefined
  http: ChosenProxy | undefined
  noProxy: NoProxyList
  /** Where the NO_PROXY list came from (undefined: none set). */
  noProxySource: ProxySource | undefined
  /** The list as given, for the doctor. */
  noProxyText: string | undefined
}

/** The plan of an agent without any proxy. */
export const DIRECT: ProxyPlan = { https: undefined, http: undefined, noProxy: { all: false, entries: [] }, noProxySource: undefined, noProxyText: undefined }

/**
 * Choose the proxy from the layers, strongest first (policy, command line, settings, environment):
 * for each scheme the first layer naming a proxy wins, and the first layer giving a NO_PROXY
 * list gives it. Credentials written in the winning URL are used; otherwise the first layer
 * with `username`/`password` gives them (a hospital may set HTTPS_PROXY machine-wide and each
 * user their own proxy credentials in the settings). A value that is not a proxy URL is an
 * ERR_CONFIG_INVALID naming where it came from, with any password in it masked.
 */
export function resolveProxyPlan(layers: readonly ProxyLayer[]): ProxyPlan {
  const ordered = [...layers].sort((a, b) => PROXY_SOURCES.indexOf(a.source) - PROXY_SOURCES.indexOf(b.source))
  const credentials = ordered.find((l) => l.username !== undefined || l.password !== undefined)
  const choose = (scheme: 'https' | 'http'): ChosenProxy | undefined => {
    const layer = ordered.find((l) => l[scheme] !== undefined && l[scheme]!.trim() !== '')
    if (!layer) return undefined
    const parsed = parseProxyUrl(layer[scheme]!)
    const name = layer.names[scheme] ?? scheme
    if ('error' in parsed) {
      throw new AgentError('ERR_CONFIG_INVALID', `${name} is not a usable proxy (${maskProxyText(layer[scheme]!)}): ${parsed.error}`, {
        detail: `${parsed.error}; give http://host:port, optionally with user:password@`,
        source: layer.source,
      })
    }
    const endpoint =
      parsed.username === undefined && parsed.password === undefined && credentials
        ? { ...parsed, username: credentials.username, password: credentials.password }
        : parsed
    return { endpoint, source: layer.source, display: maskProxy(endpoint) }
  }
  const noProxyLayer = ordered.find((l) => l.noProxy !== undefined)
  return {
    https: choose('https'),
    http: choose('http'),
    noProxy: parseNoProxy(noProxyLayer?.noProxy ?? ''),
    noProxySource: noProxyLayer?.source,
    noProxyText: noProxyLayer?.noProxy,
  }
}

/** The variables the daemon and the doctor read from their environment, and nothing else. */
export interface ProxyEnvironment {
  HTTPS_PROXY?: string | undefined
  https_proxy?: string | undefined
  HTTP_PROXY?: string | undefined
  http_proxy?: string | undefined
  NO_PROXY?: string | undefined
  no_proxy?: string | undefined
}

/** Pick the proxy variables out of an environment (`process.env` in the entry points only). */
export function readProxyEnvironment(env: Record<string, string | undefined>): ProxyEnvironment {
  const picked: ProxyEnvironment = {}
  for (const key of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'] as const) {
    if (env[key] !== undefined) picked[key] = env[key]
  }
  return picked
}

/** What the user's settings say about the proxy (agent/config.ts). */
export interface ProxySettings {
  proxy?: string | undefined
  proxyUsername?: string | undefined
  proxyPassword?: string | undefined
  noProxy?: string | undefined
}

/** The admin policy's proxy (protocol/policy): no credentials, its exceptions or none. */
export interface PolicyProxy {
  proxy: string
  noProxy?: string | undefined
  /** The policy file or registry key, for messages. */
  source: string
}

/**
 * The layers of a running agent or of the doctor: the admin policy, `--proxy`, the settings, the
 * environment. The lower-case variables win over the upper-case ones, as curl reads them (curl(1),
 * ENVIRONMENT). A policy proxy brings its NO_PROXY list, empty when it names none, so neither
 * the user's list nor NO_PROXY sends eHealth traffic around it; credentials still come from the
 * user's settings (each user signs in to the hospital's proxy).
 */
export function proxyLayers(input: { policy?: PolicyProxy | undefined; commandLine?: string | undefined; settings: ProxySettings; environment: ProxyEnvironment }): ProxyLayer[] {
  const { policy, commandLine, settings, environment: env } = input
  const layers: ProxyLayer[] = []
  if (policy !== undefined) {
    const name = `the admin policy ${policy.source}`
    layers.push({ source: 'policy', names: { https: name, http: name, noProxy: name }, https: policy.proxy, http: policy.proxy, noProxy: policy.noProxy ?? '' })
  }
  if (commandLine !== undefined) layers.push({ source: 'command-line', names: { https: '--proxy', http: '--proxy' }, https: commandLine, http: commandLine })
  layers.push({
    source: 'setting',
    names: { https: 'the setting "proxy"', http: 'the setting "proxy"', noProxy: 'the setting "noProxy"' },
    ...(settings.proxy !== undefined ? { https: settings.proxy, http: settings.proxy } : {}),
    ...(settings.noProxy !== undefined ? { noProxy: settings.noProxy } : {}),
    ...(settings.proxyUsername !== undefined ? { username: settings.proxyUsername } : {}),
    ...(settings.proxyPassword !== undefined ? { password: settings.proxyPassword } : {}),
  })
  const https = env.https_proxy ?? env.HTTPS_PROXY
  const http = env.http_proxy ?? env.HTTP_PROXY
  const noProxy = env.no_proxy ?? env.NO_PROXY
  layers.push({
    source: 'environment',
    names: { https: env.https_proxy !== undefined ? 'https_proxy' : 'HTTPS_PROXY', http: env.http_proxy !== undefined ? 'http_proxy' : 'HTTP_PROXY', noProxy: env.no_proxy !== undefined ? 'no_proxy' : 'NO_PROXY' },
    ...(https !== undefined ? { https } : {}),
    ...(http !== undefined ? { http } : {}),
    ...(noProxy !== undefined ? { noProxy } : {}),
  })
  return layers
}

/** One line for people: `http://alice:***@proxy:3128 (from HTTPS_PROXY)`, or how it is direct. */
export function describeProxyPlan(plan: ProxyPlan, layers: readonly ProxyLayer[]): string {
  const name = (scheme: 'https' | 'http', chosen: ChosenProxy) => layers.find((l) => l.source === chosen.source)?.names[scheme] ?? chosen.source
  const parts: string[] = []
  if (plan.https) parts.push(`${plan.https.display} (from ${name('https', plan.https)})`)
  if (plan.http && (!plan.https || plan.http.display !== plan.https.display || plan.http.source !== plan.https.source)) {
    parts.push(`${plan.http.display} for http:// (from ${name('http', plan.http)})`)
  }
  if (parts.length === 0) return 'direct (no proxy: neither --proxy, the setting "proxy" nor HTTPS_PROXY is set)'
  if (plan.noProxyText !== undefined && plan.noProxyText.trim() !== '') {
    const from = layers.find((l) => l.source === plan.noProxySource)?.names.noProxy ?? plan.noProxySource
    parts.push(`not for ${plan.noProxyText.trim()} (from ${from})`)
  }
  return parts.join('; ')
}
