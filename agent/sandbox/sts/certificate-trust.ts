import { X509Certificate } from 'node:crypto'
import { AgentError } from '../../../protocol/errors.js'
import type { SandboxPki } from '../pki/types.js'

/** A certificate from base64 DER (a BST, a UseKey, a HOK confirmation). */
export function certificateFromBase64(base64: string): X509Certificate {
  try {
    return new X509Certificate(Buffer.from(base64, 'base64'))
  } catch {
    throw new AgentError('ERR_SIGNATURE_INVALID', 'the certificate is not a valid X.509 certificate')
  }
}

/**
 * Does `cert` chain to a CA the sandbox trusts, and is it valid at `now`? The eHealth CA issues
 * the eHealth certificates; the Belgium Root CA issues the Citizen CA, which issues eID
 * certificates. Checked by signature, not by name.
 */
export function checkSandboxChain(cert: X509Certificate, pki: SandboxPki, now: Date): void {
  const chains: X509Certificate[][] = [[pki.ehealthCa.certificate], [pki.citizenCa.certificate, pki.belgiumRootCa.certificate]]
  const trusted = chains.some((chain) => {
    let child = cert
    for (const ca of chain) {
      if (!child.checkIssued(ca) || !child.verify(ca.publicKey)) return false
      child = ca
    }
    return true
  })
  if (!trusted) throw new AgentError('ERR_SIGNATURE_INVALID', 'the certificate does not chain to a CA trusted by the sandbox')
  if (now < new Date(cert.validFrom) || now > new Date(cert.validTo)) {
    throw new AgentError('ERR_SIGNATURE_INVALID', 'the certificate is not valid at this time')
  }
}
