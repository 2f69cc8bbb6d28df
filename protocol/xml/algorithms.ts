import { AgentError } from '../errors.js'

/** XML-DSig algorithm URIs this project signs and verifies with. */
export const ALGORITHMS = {
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  rsaSha1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
} as const

/** The signature algorithms offered: RSA PKCS#1 v1.5 with SHA-256 (default) or SHA-1 (legacy). */
export type SignatureAlgorithm = 'rsa-sha256' | 'rsa-sha1'

/** Node/OpenSSL digest name for a signature algorithm, e.g. for `crypto.sign(hash, data, key)`. */
export type HashName = 'sha256' | 'sha1'

export interface AlgorithmSuite {
  signatureUri: string
  digestUri: string
  hash: HashName
}

export const SUITES = {
  'rsa-sha256': { signatureUri: ALGORITHMS.rsaSha256, digestUri: ALGORITHMS.sha256, hash: 'sha256' },
  'rsa-sha1': { signatureUri: ALGORITHMS.rsaSha1, digestUri: ALGORITHMS.sha1, hash: 'sha1' },
} as const satisfies Record<SignatureAlgorithm, AlgorithmSuite>

/** The hash behind a SignatureMethod URI; anything but RSA with SHA-1/SHA-256 is refused. */
export function hashOfSignatureUri(uri: string | null): HashName {
  if (uri === ALGORITHMS.rsaSha256) return 'sha256'
  if (uri === ALGORITHMS.rsaSha1) return 'sha1'
  throw new AgentError('ERR_UNSUPPORTED_ALGORITHM', `unsupported SignatureMethod ${String(uri)}`)
}

/** The hash behind a DigestMethod URI. */
export function hashOfDigestUri(uri: string | null): HashName {
  if (uri === ALGORITHMS.sha256) return 'sha256'
  if (uri === ALGORITHMS.sha1) return 'sha1'
  throw new AgentError('ERR_UNSUPPORTED_ALGORITHM', `unsupported DigestMethod ${String(uri)}`)
}
