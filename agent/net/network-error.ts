import { AgentError } from '../../protocol/errors.js'
import type { ChosenProxy } from './resolve-proxy.js'

/** What went on when a request failed: the target, the proxy used (if any), the deadline. */
export interface FailureContext {
  url: URL
  proxy: ChosenProxy | undefined
  timeoutMs: number
}

/**
 * Errors that say a TCP connection could not be opened. Through a proxy the agent only ever
 * connects to the proxy itself (eHealth is reached by the proxy, RFC 9110 §9.3.6 for CONNECT and
 * §7.3.2 for forwarded requests), so one of these is the proxy's fault, never eHealth's.
 */
const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'EADDRNOTAVAIL'])

/** OpenSSL / Node codes of a certificate the client did not accept (RFC 5280 §6 path validation, RFC 6125 names). */
const CERTIFICATE_FAILURES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REVOKED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UND_ERR_PRX_TLS',
])

/**
 * Turn what undici or Node threw into the agent's error, saying whose fault it is: the proxy
 * (ERR_PROXY: unreachable, refused, wants credentials), TLS (ERR_TLS: names the host and the
 * `extraCaFile` setting), or eHealth (ERR_NETWORK). Messages name the proxy only in its masked
 * form. The deadline is handled by the caller (ERR_TIMEOUT), before this is asked.
 */
export function classifyFailure(err: unknown, ctx: FailureContext): AgentError {
  const { url, proxy } = ctx
  const host = url.host
  const via = proxy ? { proxy: proxy.display } : {}
  const codes = collect(err, (e) => (typeof e.code === 'string' ? e.code : undefined))
  const messages = collect(err, (e) => (typeof e.message === 'string' ? e.message : undefined))
  const code = codes.find((c) => CERTIFICATE_FAILURES.has(c) || CONNECT_FAILURES.has(c) || c.startsWith('ERR_SSL_')) ?? codes[0] ?? 'error'

  if (proxy) {
    // undici 6 reports a proxy's refusal only in its message: "Proxy response (407) !== 200 when
    // HTTP Tunneling" for CONNECT, "Proxy Authentication Required (407)" for a forwarded request.
    const status = messages.map((m) => /Proxy response \((\d{3})\)/.exec(m)?.[1] ?? /Proxy Authentication Required \((407)\)/.exec(m)?.[1]).find(Boolean)
    if (status === '407') {
      const given = proxy.endpoint.username !== undefined
      return new AgentError(
        'ERR_PROXY',
        given
          ? `the proxy ${proxy.display} refused the user name and password (HTTP 407)`
          : `the proxy ${proxy.display} asks for a user name and password (HTTP 407): set proxyUsername and proxyPassword in the settings`,
        { ...via, reason: given ? 'credentials-refused' : 'credentials-required', status: 407, host },
      )
    }
    if (status !== undefined && Number(status) >= 500) {
      return new AgentError('ERR_NETWORK', `the proxy ${proxy.display} could not reach ${host} (it answered HTTP ${status} to CONNECT)`, { ...via, host, status: Number(status), cause: 'proxy-could-not-connect' })
    }
    if (status !== undefined) {
      return new AgentError('ERR_PROXY', `the proxy ${proxy.display} refused to connect to ${host} (HTTP ${status})`, { ...via, reason: 'refused', status: Number(status), host })
    }
    if (code === 'UND_ERR_PRX_TLS' || CONNECT_FAILURES.has(code)) {
      return new AgentError('ERR_PROXY', `cannot reach the proxy ${proxy.display} (${code}); ${host} was not tried`, { ...via, reason: code === 'UND_ERR_PRX_TLS' ? 'proxy-tls' : 'unreachable', cause: code, host })
    }
  }
  if (CERTIFICATE_FAILURES.has(code)) {
    const clock = code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID' ? "; or check this computer's clock" : ''
    const inspecting = proxy ? ` (reached through the proxy ${proxy.display}; a TLS-inspecting proxy shows its own certificate)` : ''
    return new AgentError(
      'ERR_TLS',
      `the certificate of ${host} is not trusted: ${code}${inspecting}. If a proxy or firewall inspects TLS, set extraCaFile in the settings to its CA certificate (PEM)${clock}`,
      { ...via, host, cause: code },
    )
  }
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) {
    return new AgentError('ERR_TLS', `the TLS connection to ${host} failed: ${code}${proxy ? ` (through the proxy ${proxy.display})` : ''}; is it an https:// address?`, { ...via, host, cause: code })
  }
  return new AgentError('ERR_NETWORK', `cannot reach ${host}${proxy ? ` through the proxy ${proxy.display}` : ''}: ${code}`, { ...via, host, cause: code })
}

/** A field of the error and of each `cause` below it, outermost first. */
function collect(err: unknown, pick: (e: { code?: unknown; message?: unknown }) => string | undefined): string[] {
  const found: string[] = []
  let current: unknown = err
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const value = pick(current as { code?: unknown; message?: unknown })
    if (value !== undefined) found.push(value)
    current = (current as { cause?: unknown }).cause
  }
  return found
}
