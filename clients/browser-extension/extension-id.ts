import { createHash } from 'node:crypto'

/**
 * An extension's id from the `key` of its manifest (base64 of the DER SubjectPublicKeyInfo),
 * as Chrome derives it: the first 128 bits of the key's SHA-256, each hex digit 0-f written as
 * a letter a-p.
 *
 * @example
 * ```ts
 * computeExtensionId(manifest.key) // 'genikcfmigceelnkkckhdkieobalmnob'
 * ```
 */
export function computeExtensionId(manifestKey: string): string {
  const der = Buffer.from(manifestKey, 'base64')
  if (der.length === 0) throw new Error('the manifest key is empty or not base64')
  const hex = createHash('sha256').update(der).digest('hex').slice(0, 32)
  return [...hex].map((digit) => String.fromCharCode(0x61 + parseInt(digit, 16))).join('')
}
