import { createHash } from 'node:crypto'

/**
 * Checks bytes against a Subresource Integrity string as the npm registry publishes it in a
 * version's `dist.integrity` (W3C Subresource Integrity §3.1: `<alg>-<base64 digest>`, several
 * separated by blanks). The strongest algorithm present must match; sha512 is what npm writes.
 */
export function checkIntegrity(bytes: Uint8Array, integrity: string): { ok: true } | { ok: false; reason: string } {
  const ranked = ['sha512', 'sha384', 'sha256'] as const
  const entries = integrity
    .trim()
    .split(/\s+/)
    .map((token) => /^(sha256|sha384|sha512)-([A-Za-z0-9+/]+={0,2})(\?.*)?$/.exec(token))
    .filter((m): m is RegExpExecArray => m !== null)
  for (const algorithm of ranked) {
    const expected = entries.filter((m) => m[1] === algorithm).map((m) => m[2])
    if (expected.length === 0) continue
    const actual = createHash(algorithm).update(bytes).digest('base64')
    return expected.includes(actual) ? { ok: true } : { ok: false, reason: `${algorithm} is ${actual}, the registry says ${expected.join(' or ')}` }
  }
  return { ok: false, reason: `no sha256/384/512 digest in ${JSON.stringify(integrity)}` }
}
