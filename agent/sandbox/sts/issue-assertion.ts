import type { AttributeDesignator, SamlAttribute } from '../../../protocol/saml/types.js'
import { evaluateAttribute, type ClaimSubject } from '../directory.js'
import type { SandboxState } from '../sandbox-state.js'
import { namespaceOfClaim } from './claim-namespace.js'
import { mintAssertion } from './mint-assertion.js'
import type { StsRequester } from './verify-x509-request.js'

const IDENTIFICATION_NS = 'urn:be:fgov:identification-namespace'
const MANDATE_SERVICE = 'urn:be:fgov:ehealth:1.0:servicename:external'
/** What a token is asked for, whichever STS front (WS-Trust, SAML-P, the IDP) received it. */
export interface IssueInput {
  requester: StsRequester
  /** Base64 DER of the certificate the token binds (SubjectConfirmation). */
  hokCertificateBase64: string
  /** Attributes the requester asserts; each must be true of them. Echoed into the token. */
  provided: readonly SamlAttribute[]
  /** Attributes the requester asks the STS to certify. */
  requested: readonly AttributeDesignator[]
  /**
   * A latest expiry imposed by the front that issues (IAM Connect's token exchange: not beyond the
   * provider's session). What a client asks for is not here: the STS chooses the lifetime.
   */
  latestNotOnOrAfter?: Date
}

/** A minted token, or the provided attribute that is not true of the requester. */
export type IssueOutcome =
  | { kind: 'issued'; assertionXml: string; notOnOrAfter: Date }
  | { kind: 'denied'; attribute: string; message: string }

/**
 * The STS's decision and the token, shared by every sandbox front that issues one:
 * each provided attribute is checked against the directory (the STS certifies only what is
 * true; a mandate request's service name narrows which mandate counts), then the provided ones
 * are echoed and each requested one is evaluated (booleans come back `false` rather than
 * missing, as TC Recip-e `SAMLTokenValidator` expects); a designator already provided, or asked
 * twice, appears once (TC `issueHokToken`, ICURE CSM-295). The assertion is minted by the sandbox
 * STS key.
 */
export function issueAssertion(state: SandboxState, input: IssueInput): IssueOutcome {
  const now = state.now()
  const attributes: SamlAttribute[] = []
  const subject: ClaimSubject = { ...input.requester }
  for (const claim of input.provided) {
    // A provided attribute must be true of the requester (the STS checks what it certifies).
    const truth = evaluateAttribute(subject, claim.name)
    if (truth !== undefined && !claim.values.includes(truth)) {
      return { kind: 'denied', attribute: claim.name, message: `Attribute ${claim.name} does not match the certificate holder` }
    }
    if (claim.name === MANDATE_SERVICE) subject.mandateService = claim.values[0]!
    attributes.push({ name: claim.name, namespace: claim.namespace, values: [...claim.values] })
  }
  const seen = new Set(input.provided.map((a) => a.name))
  const seenPairs = new Set<string>()
  for (const designator of input.requested) {
    const pair = `${designator.namespace} ${designator.name}`
    if (seen.has(designator.name) || seenPairs.has(pair)) continue
    seenPairs.add(pair)
    const value = evaluateAttribute(subject, designator.name)
    if (value !== undefined) attributes.push({ name: designator.name, namespace: designator.namespace, values: [value] })
  }
  // The STS decides the lifetime and ignores the one requested (WS-Trust Lifetime/Expires,
  // SAML-P Conditions/NotOnOrAfter): clients must read it from the token.
  const notOnOrAfter = new Date(Math.min(now.getTime() + state.tokenLifetimeMs(), input.latestNotOnOrAfter?.getTime() ?? Infinity))
  const assertionXml = mintAssertion(state, {
    now,
    notOnOrAfter,
    subjectDn: input.requester.dn,
    issuerDn: input.requester.issuerDn,
    hokCertificateBase64: input.hokCertificateBase64,
    attributes,
  })
  return { kind: 'issued', assertionXml, notOnOrAfter }
}

/**
 * WS-Trust claims (a URI and its values, no namespace on the wire, TC `issueHokToken`) as provided
 * attributes and designators: a claim with values is provided, in the identification namespace;
 * one without is requested, in the namespace the profile catalogue gives its URI.
 */
export function splitWireClaims(claims: readonly { uri: string; values: readonly string[] }[]): {
  provided: SamlAttribute[]
  requested: AttributeDesignator[]
} {
  return {
    provided: claims.filter((c) => c.values.length > 0).map((c) => ({ name: c.uri, namespace: IDENTIFICATION_NS, values: [...c.values] })),
    requested: claims.filter((c) => c.values.length === 0).map((c) => ({ name: c.uri, namespace: namespaceOfClaim(c.uri) })),
  }
}
