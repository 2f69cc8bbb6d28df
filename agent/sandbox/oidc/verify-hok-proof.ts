import { createHash, X509Certificate } from 'node:crypto'
import { decodeProtectedHeader, errors, importX509, jwtVerify, type JWTPayload } from 'jose'
import type { IamConnectProvider } from './iam-connect-provider.js'

/** The `typ` header of a holder-of-key proof (modelled; in the spirit of RFC 9449's `dpop+jwt`). */
export const HOK_PROOF_TYP = 'ehealth-hok-proof+jwt'

/** A proof that checked out: the certificate to bind into the SAML token. */
export type ProofCheck = { ok: true; certificate: X509Certificate; certificateBase64: string } | { ok: false; description: string }

/**
 * Check the holder-of-key proof of a token-exchange request (the `actor_token`): a JWT signed RS256
 * by the key the SAML token will be bound to, carrying that key's certificate as `x5c[0]`
 * (RFC 7515 §4.1.6), with
 * - `typ` {@link HOK_PROOF_TYP}, `iss` = the client id, `aud` = the token endpoint URL;
 * - `iat` within `proofMaxAgeMs` of now, `exp` after now and at most `proofMaxAgeMs` after `iat`;
 * - a `jti` never seen before (a replayed proof is refused);
 * - `ath` = BASE64URL(SHA-256(subject_token)), as RFC 9449 §4.2 binds a DPoP proof to its access
 *   token: the proof is good for this one exchange request only.
 * The signature is verified by jose, not by the agent's signing code (independent verification).
 * The certificate need not chain to a sandbox CA: a user without a card reader or an eHealth
 * certificate holds only the agent's session key (self-signed); the access token is what
 * authorizes, the proof only shows who holds the key.
 */
export async function verifyHokProof(
  provider: IamConnectProvider,
  proof: unknown,
  expected: { audience: string; clientId: string; subjectToken: string },
): Promise<ProofCheck> {
  const refuse = (description: string): ProofCheck => ({ ok: false, description })
  if (typeof proof !== 'string' || proof.length === 0) return refuse('the holder-of-key proof (actor_token) is missing')
  if (proof.length > 16 * 1024) return refuse('the holder-of-key proof is too large')
  let header: ReturnType<typeof decodeProtectedHeader>
  try {
    header = decodeProtectedHeader(proof)
  } catch {
    return refuse('the holder-of-key proof is not a JWS')
  }
  if (header.alg !== 'RS256') return refuse('the holder-of-key proof must be signed RS256')
  if (header.typ !== HOK_PROOF_TYP) return refuse(`the holder-of-key proof must have typ ${HOK_PROOF_TYP}`)
  const x5c = header.x5c
  if (!Array.isArray(x5c) || x5c.length < 1 || x5c.length > 3 || typeof x5c[0] !== 'string') return refuse('the holder-of-key proof must carry its certificate in x5c')
  let certificate: X509Certificate
  try {
    certificate = new X509Certificate(Buffer.from(x5c[0], 'base64'))
  } catch {
    return refuse('x5c[0] is not an X.509 certificate')
  }
  const now = provider.now()
  if (now < Date.parse(certificate.validFrom) || now > Date.parse(certificate.validTo)) return refuse('the holder-of-key certificate is not valid now')
  const details = certificate.publicKey.asymmetricKeyDetails
  if (certificate.publicKey.asymmetricKeyType !== 'rsa' || (details?.modulusLength ?? 0) < 2048) return refuse('the holder-of-key key must be RSA of at least 2048 bits')

  let payload: JWTPayload
  try {
    const key = await importX509(certificate.toString(), 'RS256')
    ;({ payload } = await jwtVerify(proof, key, {
      algorithms: ['RS256'],
      typ: HOK_PROOF_TYP,
      issuer: expected.clientId,
      audience: expected.audience,
      currentDate: new Date(now),
      requiredClaims: ['iat', 'exp', 'jti', 'ath'],
    }))
  } catch (err) {
    if (err instanceof errors.JWSSignatureVerificationFailed) return refuse('the holder-of-key proof is not signed by the key of its x5c certificate')
    if (err instanceof errors.JWTExpired) return refuse('the holder-of-key proof has expired')
    if (err instanceof errors.JWTClaimValidationFailed) return refuse(`the holder-of-key proof claim ${err.claim} is not as expected`)
    return refuse('the holder-of-key proof is not valid')
  }
  const maxAge = provider.options.proofMaxAgeMs
  const iat = Number(payload.iat) * 1000
  const exp = Number(payload.exp) * 1000
  if (Math.abs(now - iat) > maxAge) return refuse('the holder-of-key proof iat is not within 60 seconds of now')
  if (exp - iat > maxAge) return refuse('the holder-of-key proof may live at most 60 seconds')
  const ath = createHash('sha256').update(expected.subjectToken, 'ascii').digest('base64url')
  if (payload.ath !== ath) return refuse('the holder-of-key proof is for another request (ath does not match the subject_token)')
  const jti = payload.jti
  if (typeof jti !== 'string' || jti.length < 16 || jti.length > 256) return refuse('the holder-of-key proof jti must be 16 to 256 characters')
  // Kept until the proof could not pass the iat window any more.
  if (!provider.spendProofId(jti, Math.max(exp, iat + maxAge) + maxAge)) return refuse('the holder-of-key proof jti was already used (replay)')
  return { ok: true, certificate, certificateBase64: certificate.raw.toString('base64') }
}
