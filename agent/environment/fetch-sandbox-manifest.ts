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
 * Asked with node:http, not the agent's eHealth client (agent/net/http-client.ts): this is the
 * agent reading a program on this machine before it is wired (the client's settings come after),
 * on loopback, which never goes through a proxy; the sandbox's own endpoints, once known, are
 * reached through the client like eHealth's. Not with the global `fetch` either: its first use
 * loads Node's bundled undici, memory an agent would carry for its whole run for this one request.
 */
export async function fetchSandboxManifest(url: string, timeoutMs = 10_000): Promise<CheckedSandboxManifest> {
  const base = url.replace(/\/+$/, '')
  let response: { status: number; body: string }
  try {
    response = await getText(base + SANDBOX_MANIFEST_PATH, timeoutMs)
  } catch (cause) {
    throw new AgentError('ERR_UNAVAILABLE', `cannot reach the sandbox at ${base}; is \`ehagent sandbox\` running there?`, { detail: (cause as Error).message }, { cause })
  }
  if (response.status !== 200) {
    throw new AgentError('ERR_REMOTE_PROTOCOL', `${base} answered HTTP ${response.status} for the sandbox manifest; is it an ehealth-agent sandbox?`)
  }
  let json: unknown
  try {
    json = JSON.parse(response.body)
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

/** GET `url` (http: or https:) within `timeoutMs`; the status and the body as UTF-8 text (at most 8 MiB). */
async function getText(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  const target = new URL(url)
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error(`unsupported URL scheme ${target.protocol}`)
  const { get } = target.protocol === 'https:' ? await import('node:https') : await import('node:http')
  return new Promise((resolve, reject) => {
    const req = get(target, { headers: { Accept: 'application/json' }, timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size > 8 * 1024 * 1024) req.destroy(new Error('the answer is larger than 8 MiB'))
        else chunks.push(chunk)
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)))
    req.on('error', reject)
  })
}
