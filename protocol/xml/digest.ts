import { createHash } from 'node:crypto'
import type { HashName } from './algorithms.js'

/** Base64 digest of UTF-8 text, as it goes into ds:DigestValue. */
export function digestBase64(hash: HashName, canonicalText: string): string {
  return createHash(hash).update(canonicalText, 'utf8').digest('base64')
}
