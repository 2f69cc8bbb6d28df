import { createHash } from 'node:crypto'

/**
 * A name-based UUID (RFC 9562 §5.5, version 5: SHA-1 of a namespace UUID and a name), so the
 * same product version always gets the same MSI ProductCode and a rebuild is the same package.
 */
export function nameBasedUuid(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/[{}-]/g, ''), 'hex')
  if (ns.length !== 16) throw new Error(`not a UUID: ${namespace}`)
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest()
  hash[6] = (hash[6]! & 0x0f) | 0x50
  hash[8] = (hash[8]! & 0x3f) | 0x80
  const hex = hash.subarray(0, 16).toString('hex').toUpperCase()
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
