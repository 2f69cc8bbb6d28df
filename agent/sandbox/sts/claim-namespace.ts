import { PROFILES } from '../../../protocol/sts/profiles.js'

const IDENTIFICATION_NS = 'urn:be:fgov:identification-namespace'
const CERTIFIED_NS = 'urn:be:fgov:certified-namespace:ehealth'

/**
 * The SAML AttributeNamespace of a claim URI. WS-Trust claims carry no namespace on the wire
 * (TC `STSServiceWsTrustImpl.issueHokToken` sends the bare name), so the STS maps each URI back;
 * the sandbox does it from the profile catalogue: provided attributes are identification-namespace,
 * requested ones certified.
 */
const NAMESPACE_OF = (() => {
  const map = new Map<string, string>()
  for (const profile of Object.values(PROFILES)) {
    for (const a of profile.attributes) map.set(a.name, IDENTIFICATION_NS)
  }
  for (const profile of Object.values(PROFILES)) {
    for (const d of profile.designators) if (!map.has(d.name)) map.set(d.name, d.namespace)
  }
  return map
})()

export function namespaceOfClaim(uri: string): string {
  return NAMESPACE_OF.get(uri) ?? CERTIFIED_NS
}
