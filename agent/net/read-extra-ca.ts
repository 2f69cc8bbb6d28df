import { X509Certificate } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { AgentError } from '../../protocol/errors.js'

/** A PEM certificate block (RFC 7468 §2, label CERTIFICATE). */
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+?-----END CERTIFICATE-----/g

/**
 * The `extraCaFile` setting's certificates, read and checked at start-up: a file that is missing,
 * holds no PEM certificate, or one that does not parse is an ERR_CONFIG_INVALID naming the file,
 * rather than a TLS failure at the first sign-in. Returns the PEM blocks.
 */
export async function readExtraCa(file: string): Promise<string[]> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new AgentError('ERR_CONFIG_INVALID', `extraCaFile ${file} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
      detail: 'set extraCaFile to the PEM file of the CA certificate(s) to trust',
    })
  }
  const blocks = text.match(PEM_BLOCK) ?? []
  if (blocks.length === 0) {
    throw new AgentError('ERR_CONFIG_INVALID', `extraCaFile ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`, {
      detail: 'export the CA certificate as PEM (Base-64 encoded X.509), not DER',
    })
  }
  blocks.forEach((pem, i) => {
    try {
      new X509Certificate(pem)
    } catch {
      throw new AgentError('ERR_CONFIG_INVALID', `extraCaFile ${file}: certificate ${i + 1} is not a valid X.509 certificate`)
    }
  })
  return blocks
}
