import { X509Certificate } from 'node:crypto'
import { AgentError } from '../../protocol/errors.js'
import { parseSandboxManifest, SANDBOX_MANIFEST_PATH, type SandboxManifest } from '../../protocol/sandbox-manifest.js'
import { createHttpTransport, type HttpReply, type HttpTransport } from '../http-transport.js'

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
 * It asks through the agent's own node:http transport, not the global `fetch`: the first `fetch`
 * loads Node's bundled undici, some 30 MB of memory an agent would then carry for its whole run
 * for this one request.
 */
export async function fetchSandboxManifest(url: string, transport: HttpTransport = createHttpTransport(), timeoutMs = 10_000): Promise<CheckedSandboxManifest> {
  const base = url.replace(/\/+$/, '')
  let reply: HttpReply
  try {
    reply = await transport({ url: base + SANDBOX_MANIFEST_PATH, method: 'GET', headers: { Accept: 'application/json' }, timeoutMs })
  } catch (cause) {
    throw new AgentError('ERR_UNAVAILABLE', `cannot reach the sandbox at ${base}; is \`ehagent sandbox\` running there?`, { detail: (cause as Error).message }, { cause })
  }
  if (reply.status !== 200) {
    throw new AgentError('ERR_REMOTE_PROTOCOL', `${base} answered HTTP ${reply.status} for the sandbox manifest; is it an ehealth-agent sandbox?`)
  }
  let json: unknown
  try {
    json = JSON.parse(reply.body)
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
