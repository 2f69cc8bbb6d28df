import { createHash } from 'node:crypto'
import type { HashName } from './algorithms.js'

/** Base64 digest of UTF-8 text, as it goes into ds:DigestValue; `canonicalText` may come in pieces. */
export function digestBase64(hash: HashName, canonicalText: string | readonly string[]): string {
  const h = createHash(hash)
  if (typeof canonicalText === 'string') h.update(canonicalText, 'utf8')
  else for (const piece of canonicalText) h.update(piece, 'utf8')
  return h.digest('base64')
}
