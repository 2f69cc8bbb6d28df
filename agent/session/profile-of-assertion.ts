import type { SamlAssertion } from '../../protocol/saml/parse-assertion.js'
import { ATTRIBUTE_NS } from '../../protocol/sts/namespaces.js'
import { listProfiles, PROFILES } from '../../protocol/sts/profiles.js'

/**
 * The profile a token was issued for, read from what the STS certified in it: a bare assertion
 * (the IDP download, a saved STS answer) carries no profile label, only attributes. The profile
 * whose certified designators the token answers most (with a value other than `false`) wins, in
 * catalogue order on a tie; a token certifying nothing but the person is a citizen's. For display
 * and the privacy log only: the token's attributes are what eHealth's services read.
 */
export function profileOfAssertion(assertion: Pick<SamlAssertion, 'attributes'>): { id: string; label: string } {
  const answered = new Set(assertion.attributes.filter((a) => a.values.some((v) => v !== 'false')).map((a) => a.name))
  let best: { id: string; label: string; score: number } | undefined
  for (const profile of listProfiles()) {
    const score = profile.designators.filter((d) => d.namespace === ATTRIBUTE_NS.certified && answered.has(d.name)).length
    if (score > 0 && (!best || score > best.score)) best = { id: profile.id, label: profile.label, score }
  }
  if (best) return { id: best.id, label: best.label }
  if (answered.has('urn:be:fgov:person:ssin')) return { id: 'citizen', label: PROFILES.citizen.label }
  return { id: 'imported', label: 'Imported token' }
}
