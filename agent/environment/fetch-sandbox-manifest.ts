import { X509Certificate } from 'node:crypto'
import { AgentError } from '../../protocol/errors.js'
import { parseSandboxManifest, SANDBOX_MANIFEST_PATH, type SandboxManifest } from '../../protocol/sandbox-manifest.js'

/** A sandbox's manifest, checked, with its STS certificates parsed. */
export interface CheckedSandboxManifest {
  manifest: SandboxManifest
  /** The STS signing certificates, each issued by one of the sandbox's published CAs. */
  stsCertificates: X509Certificate[]
}

/**
 * Ask the sandbox at `url` what it is (`GET /sandbox/manifest`) and check the answer: the schema
 * (protocol/sandbox-manifest.ts), the sandbox naming itself at the address we reached it on, and
 * every STS certificate issued and signed by one of the CAs it publishes (RFC 5280 §6.1's name
 * chaining and signature check, one level), so a manifest whose parts do not belong together is
 * refused rather than trusted.
 *
 * Asked with Node's fetch, not the agent's eHealth client (agent/net/http-client.ts): this is the
 * agent reading a program on this machine before it is wired (the client's settings come after),
 * on loopback, which never goes through a proxy; the sandbox's own endpoints, once known, are
 * reached through the client like eHealth's.
 */
export async function fetchSandboxManifest(url: string, fetchImpl: typeof fetch = fetch, timeoutMs = 10_000): Promise<CheckedSandboxManifest> {
  const base = url.replace(/\/+$/, '')
  let response: Response
  try {
    response = await fetchImpl(base + SANDBOX_MANIFEST_PATH, { signal: AbortSignal.timeout(timeoutMs), headers: { Accept: 'application/json' } })
  } catch (cause) {
    throw new AgentError('ERR_UNAVAILABLE', `cannot reach the sandbox at ${base}; is \`ehagent sandbox\` running there?`, { detail: (cause as Error).message }, { cause })
  }
  if (response.status !== 200) {
    await response.body?.cancel()
    throw new AgentError('ERR_REMOTE_PROTOCOL', `${base} answered HTTP ${response.status} for the sandbox manifest; is it an ehealth-agent sandbox?`)
  }
  let json: unknown
  try {
    json = await response.json()
  } catch {
    throw new AgentError('ERR_REMOTE_PROTOCOL', `${base} answered the sandbox manifest request without JSON`)
  }
  const manifest = parseSandboxManifest(json)
  if (new URL(manifest.url).origin !== new URL(base).origin) {
    throw new AgentError('ERR_REMOTE_PROTOCOL', `the sandbox at ${base} says it is at ${manifest.url}`)
  }
  const cas = manifest.trust.caCertificates.map((ca) => new X509Certificate(ca.pem))
  const stsCertificates = manifest.trust.stsCertificates.map((pem) => new X509Certificate(pem))
  for (const sts of stsCertificates) {
    if (!cas.some((ca) => sts.checkIssued(ca) && sts.verify(ca.publicKey))) {
      throw new AgentError('ERR_REMOTE_PROTOCOL', `the sandbox's STS certificate (${sts.subject.replace(/\n/g, ', ')}) is not issued by a CA the sandbox publishes`)
    }
  }
  return { manifest, stsCertificates }
}
