/**
 * The duplicate-claim rule of eHealth's release R2024.1 (its STS WS-Trust
 * announcement; STS WS-Trust cookbook v1.1 §5.2.1.1.1; ICURE commit `52cfa0fff`), applied before
 * anything is sent: from provided attributes and designators to the list of `auth:ClaimType`
 * elements, each URI at most once.
 *
 * The policy, precisely. URIs are compared as exact strings (the AttributeName; the namespace is
 * not on the wire, TC `STSServiceWsTrustImpl.issueHokToken`):
 * - two PROVIDED ATTRIBUTES with the same URI are REFUSED with `ERR_DUPLICATE_CLAIM`, whatever their
 *   namespaces and even when their values are equal. That is the announcement's refused request,
 *   and the caller, not this module, knows which value is meant;
 * - a DESIGNATOR whose URI is already a provided attribute is DROPPED: the attribute's ClaimType
 *   already asks for it (TC `issueHokToken`, ICURE CSM-295);
 * - a DESIGNATOR repeated (same URI, same or another namespace) is MERGED into its first
 *   occurrence: the catalogue's `sortingcenter`, `officedoctors`, `groupofnurses` lists do that
 *   (as ICURE `STSServiceImpl.kt` has them).
 * Attributes come first, in the caller's order, then the designators left, in theirs (TC order).
 *
 * @module
 */
import { AgentError } from '../errors.js'
import type { StsClaims } from './claims.js'
import { checkUri, checkXmlText, invalidParam } from './xml-chars.js'

/** One `auth:ClaimType` as it goes on the wire. */
export interface WireClaim {
  uri: string
  /** The `auth:Value` text (values joined with `;`); absent for a designator (empty ClaimType). */
  value?: string
}

/**
 * Apply the duplicate policy above and return the ClaimTypes to write, each URI once.
 *
 * @throws AgentError `ERR_DUPLICATE_CLAIM` (message names the URI, `data.uri`) for a provided
 * attribute given twice; `ERR_INVALID_PARAMS` for an empty URI, an attribute without values, or a
 * value containing `;` (it would be split by the STS into two values).
 *
 * @example
 * ```ts
 * mergeClaims({
 *   attributes: [{ name: 'urn:x', namespace: 'ns1', values: ['1'] }],
 *   designators: [{ name: 'urn:x', namespace: 'ns1' }, { name: 'urn:y', namespace: 'ns1' }, { name: 'urn:y', namespace: 'ns2' }],
 * }) // [{ uri: 'urn:x', value: '1' }, { uri: 'urn:y' }]
 * ```
 */
export function mergeClaims(claims: StsClaims): WireClaim[] {
  const out: WireClaim[] = []
  const emitted = new Set<string>()
  const provided = new Set<string>()
  for (const [i, attribute] of (claims.attributes ?? []).entries()) {
    checkUri(attribute.name, `claims.attributes[${i}].name`)
    const values = attribute.values
    if (!Array.isArray(values) || values.length === 0) {
      throw invalidParam(`claims.attributes[${i}].values`, `provided attribute ${attribute.name} has no value`)
    }
    for (const [j, v] of values.entries()) {
      checkXmlText(v, `claims.attributes[${i}].values[${j}]`)
      // TC joins several values with ';' (`issueHokToken`): a ';' inside one value would turn it
      // into two.
      if (v.includes(';')) {
        throw invalidParam(`claims.attributes[${i}].values[${j}]`, `a value of ${attribute.name} contains ";", the value separator`)
      }
    }
    if (provided.has(attribute.name)) throw duplicateClaim(attribute.name)
    provided.add(attribute.name)
    emitted.add(attribute.name)
    out.push({ uri: attribute.name, value: values.join(';') })
  }
  for (const [i, designator] of (claims.designators ?? []).entries()) {
    checkUri(designator.name, `claims.designators[${i}].name`)
    if (emitted.has(designator.name)) continue
    emitted.add(designator.name)
    out.push({ uri: designator.name })
  }
  return out
}

/**
 * The URIs that occur more than once in `claims`, each listed once, in the order a sequential
 * check meets their second occurrence (so the first one is the first duplicate a server scanning
 * the request would find). The sandbox STS uses it to refuse a request as eHealth does (R2024.1
 * announcement); the builder uses it as its final check.
 *
 * @example
 * ```ts
 * findDuplicateClaimUris([{ uri: 'a' }, { uri: 'b' }, { uri: 'a' }, { uri: 'a' }]) // ['a']
 * ```
 */
export function findDuplicateClaimUris(claims: readonly { uri: string }[]): string[] {
  const seen = new Set<string>()
  const duplicates = new Set<string>()
  for (const { uri } of claims) {
    if (seen.has(uri)) duplicates.add(uri)
    else seen.add(uri)
  }
  return [...duplicates]
}

/**
 * The error for a claim URI asked twice; the message repeats eHealth's wording (eHealth's R2024.1
 * STS announcement).
 *
 * @example
 * ```ts
 * throw duplicateClaim('urn:be:fgov:ehealth:1.0:certificateholder:hospital:nihii-number')
 * ```
 */
export function duplicateClaim(uri: string): AgentError {
  return new AgentError(
    'ERR_DUPLICATE_CLAIM',
    `the claim ${uri} is asked more than once; eHealth refuses that since R2024.1 ("Attribute ${uri} multiple times found.")`,
    { uri },
  )
}
