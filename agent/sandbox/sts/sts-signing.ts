import type { X509Certificate } from 'node:crypto'
import type { SignatureAlgorithm } from '../../../protocol/xml/algorithms.js'
import { issueCertificateSync, type CertifiedKey } from '../pki/issue-certificate.js'
import { EHEALTH_CA_DN, STS_DN } from '../pki/sandbox-names.js'
import type { SandboxPki } from '../pki/types.js'

/** How the next STS signer is made: by the sandbox's own CA, or by another CA under the same name. */
export const STS_ROTATIONS = ['same-ca', 'look-alike'] as const
export type StsRotation = (typeof STS_ROTATIONS)[number]

/** A key the sandbox STS signs assertions with, and its certificate. */
export interface StsSigner {
  privateKey: CertifiedKey['privateKey']
  certificate: X509Certificate
  certificateBase64: string
  /** `original`: the PKI's STS certificate; otherwise the rotation that made it. */
  origin: 'original' | StsRotation
}

/** What the STS signs with, as settings and scripted faults decide. */
export interface StsSigningRequests {
  /** The signature algorithm of the assertions: rsa-sha256 (the 2024 cookbook) unless asked otherwise. */
  algorithm?: SignatureAlgorithm
  /** A rotation to make once this many more assertions have been signed (0: before the next one). */
  rotation?: { kind: StsRotation; afterTokens: number }
}

/**
 * The sandbox STS's signing key, and its rotation as the real STS's happens every few years:
 * - `same-ca`: a new key and certificate, same subject, from the sandbox's own eHealth CA. An
 *   agent that trusts by chain and name (as it does the real STS) keeps working; the sandbox's
 *   services accept tokens of every signer it issued this way.
 * - `look-alike`: a new key whose certificate has exactly the STS's subject, issued by another CA
 *   that even carries the sandbox CA's name, but not its key. An agent must refuse its tokens
 *   (ERR_TOKEN_UNTRUSTED, naming the certificate); the sandbox's services refuse them too.
 * Rotations happen on request (tests), or after a number of tokens (`--fault rotate-sts=…`).
 */
export class StsSigning {
  private signer: StsSigner
  private readonly own: StsSigner[]
  private readonly pki: SandboxPki
  private readonly requests: () => StsSigningRequests
  private readonly defaultAlgorithm: SignatureAlgorithm
  private readonly now: () => Date
  private signed = 0

  /** `requests` is read at every assertion (the scripted faults); `defaultAlgorithm` is the setting. */
  constructor(pki: SandboxPki, requests: () => StsSigningRequests, defaultAlgorithm: SignatureAlgorithm, now: () => Date) {
    this.pki = pki
    this.requests = requests
    this.defaultAlgorithm = defaultAlgorithm
    this.now = now
    this.signer = { privateKey: pki.sts.privateKey, certificate: pki.sts.certificate, certificateBase64: pki.sts.certificateBase64, origin: 'original' }
    this.own = [this.signer]
  }

  /** The signer of the next assertion (making a rotation that has come due first) and the algorithm. */
  next(): { signer: StsSigner; algorithm: SignatureAlgorithm } {
    const requests = this.requests()
    const rotation = requests.rotation
    if (rotation && this.signed >= rotation.afterTokens) {
      requests.rotation = undefined
      this.rotate(rotation.kind)
    }
    this.signed++
    return { signer: this.signer, algorithm: requests.algorithm ?? this.defaultAlgorithm }
  }

  /** The signer in use now. */
  current(): StsSigner {
    return this.signer
  }

  /** The certificates of every signer the sandbox's own CA issued to its STS: what its services accept. */
  trustedCertificates(): X509Certificate[] {
    return this.own.map((s) => s.certificate)
  }

  /** Rotate now; returns the new signer. */
  rotate(kind: StsRotation): StsSigner {
    const now = this.now()
    const issuer =
      kind === 'same-ca'
        ? { dn: EHEALTH_CA_DN, key: this.pki.ehealthCa }
        : // Another CA under the very name of the sandbox's: only its key differs.
          { dn: EHEALTH_CA_DN, key: issueCertificateSync({ subject: EHEALTH_CA_DN, purpose: 'ca', years: 10, now }) }
    const key = issueCertificateSync({ subject: STS_DN, purpose: 'sts', issuer, years: 3, now })
    this.signer = { privateKey: key.privateKey, certificate: key.certificate, certificateBase64: key.certificateBase64, origin: kind }
    if (kind === 'same-ca') this.own.push(this.signer)
    return this.signer
  }
}
