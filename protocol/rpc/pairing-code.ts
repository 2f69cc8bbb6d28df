/**
 * The pairing code: six digits that the application and the agent's pairing page both show, so
 * the user can tell that the request on screen is the one their application just made (the
 * Fortify pattern, PeculiarVentures/fortify: a PIN derived on both sides). The application draws
 * a random `nonce` for each pairing, sends it with `client.pair`, and computes the code itself
 * while it waits; the agent computes the same code from the nonce it received.
 *
 * code = the first 32 bits of SHA-256("ehealth-agent pairing code:" + nonce), as an unsigned
 * big-endian number, modulo 1 000 000, written with six digits. Any language can compute it:
 *
 * ```sh
 * printf '%06d' $(( 0x$(printf %s "ehealth-agent pairing code:$NONCE" | sha256sum | cut -c1-8) % 1000000 ))
 * ```
 *
 * Browser-safe and pure: the caller hashes (WebCrypto or node:crypto) and this formats.
 *
 * @module
 */

/** What is hashed before the nonce (domain separation: the digest is good for this code only). */
export const PAIRING_CODE_CONTEXT = 'ehealth-agent pairing code:'

/** A nonce as `client.pair` accepts it: 16 to 128 base64url characters (at least 96 random bits). */
export const PAIRING_NONCE_PATTERN = /^[A-Za-z0-9_-]{16,128}$/

/** The text to hash for `nonce`. */
export function pairingCodeInput(nonce: string): string {
  return PAIRING_CODE_CONTEXT + nonce
}

/**
 * Six digits from a SHA-256 digest of {@link pairingCodeInput}.
 *
 * @example
 * ```ts
 * const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(pairingCodeInput(nonce))))
 * formatPairingCode(digest) // '042317'
 * ```
 */
export function formatPairingCode(sha256: Uint8Array): string {
  if (sha256.length < 4) throw new RangeError('a SHA-256 digest has 32 bytes')
  const value = ((sha256[0]! << 24) | (sha256[1]! << 16) | (sha256[2]! << 8) | sha256[3]!) >>> 0
  return String(value % 1_000_000).padStart(6, '0')
}

/** `042317` as people read it: `042 317`. */
export function displayPairingCode(code: string): string {
  return /^\d{6}$/.test(code) ? `${code.slice(0, 3)} ${code.slice(3)}` : code
}
