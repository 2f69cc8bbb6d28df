import { createHash } from 'node:crypto'
import type { KeySource } from '../../keys/key-source.js'

/** The `typ` of the proof JWT (modelled; compare RFC 9449's `dpop+jwt`). */
export const HOK_PROOF_TYP = 'ehealth-hok-proof+jwt'

/** Longest life the provider accepts for a proof. */
export const HOK_PROOF_LIFETIME_S = 60

export interface HokProofInput {
  /** The holder-of-key key: it signs, and its certificate goes in `x5c`. */
  key: KeySource
  clientId: string
  /** The token endpoint URL: the only place the proof is good for. */
  audience: string
  /** The access token being exchanged; the proof carries its hash (`ath`). */
  subjectToken: string
  now: Date
  /** A fresh unique id (the provider refuses a proof it has seen). */
  jti: string
}

/**
 * The proof that the agent holds the key the SAML token will be bound to (the token exchange's
 * `actor_token`): a JWS compact serialization (RFC 7515), RS256, signed through the KeySource
 * (the private key never leaves it, threats T7), with
 *
 *     header  {"alg":"RS256","typ":"ehealth-hok-proof+jwt","x5c":["<base64 DER certificate>"]}
 *     payload {"iss":<client id>,"sub":<client id>,"aud":<token endpoint>,"iat":<now>,
 *              "exp":<now + 60>,"jti":<unique>,"ath":BASE64URL(SHA-256(subject_token))}
 *
 * `ath` binds it to this one exchange, as RFC 9449 §4.2 binds a DPoP proof to its access token.
 * Built by hand rather than with jose: the KeySource signs bytes (a PKCS#11 card cannot hand a
 * key to a library), and the provider verifies it with jose, independently.
 */
export async function buildHokProof(input: HokProofInput): Promise<string> {
  const certificate = await input.key.certificate()
  const iat = Math.floor(input.now.getTime() / 1000)
  const header = { alg: 'RS256', typ: HOK_PROOF_TYP, x5c: [certificate.base64] }
  const payload = {
    iss: input.clientId,
    sub: input.clientId,
    aud: input.audience,
    iat,
    exp: iat + HOK_PROOF_LIFETIME_S,
    jti: input.jti,
    ath: createHash('sha256').update(input.subjectToken, 'ascii').digest('base64url'),
  }
  const signingInput = `${encode(header)}.${encode(payload)}`
  // RS256 = RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3): what KeySource.sign computes.
  const signature = await input.key.sign(Buffer.from(signingInput, 'ascii'), 'sha256')
  return `${signingInput}.${Buffer.from(signature).toString('base64url')}`
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url')
}
