import { randomBytes } from 'node:crypto'
import { EHEALTH_STS_ISSUER } from '../../../protocol/saml/names.js'
import { findDuplicateClaimUris } from '../../../protocol/sts/merge-claims.js'
import { buildDuplicateClaimFault } from '../../../protocol/sts/duplicate-claim-fault.js'
import { parseChallengeResponse } from '../../../protocol/sts/parse-challenge-response.js'
import { parseRst, type ParsedRst } from '../../../protocol/sts/parse-rst.js'
import { STS_NS } from '../../../protocol/sts/namespaces.js'
import { escapeAttr, escapeText } from '../../../protocol/xml/c14n.js'
import type { ClaimSubject } from '../directory.js'
import type { SandboxState } from '../sandbox-state.js'
import { businessFault, soapResponse, type SoapReply } from '../soap-reply.js'
import { checkStsAssertion } from '../verify/check-sts-assertion.js'
import { certificateFromBase64 } from './certificate-trust.js'
import { issueAssertion, splitWireClaims } from './issue-assertion.js'
import { mintAssertion } from './mint-assertion.js'
import { subjectOfCertificate } from './subject-of-certificate.js'
import { describeStsError as describe, verifyX509Request, type VerifiedX509Request } from './verify-x509-request.js'

/** A challenge waiting for its signed answer (TC `STSServiceWsTrustImpl.processRequest`). */
export interface PendingChallenge {
  challenge: string
  request: ParsedRst
  requester: ClaimSubject & { dn: string; issuerDn: string }
  useKeyCertificateBase64: string
  expiresAt: number
}

/**
 * The sandbox's WS-Trust STS (`/IAM/SecurityTokenService/v1`), as its WSDL and TC
 * `STSServiceWsTrustImpl` show it: the X.509 WS-Security header checked (chain to a sandbox CA,
 * Body, Timestamp and BST signed, Timestamp fresh); the fault of eHealth's R2024.1 announcement for
 * a duplicate claim URI; a SignChallenge when the BST and UseKey certificates differ, accepted back
 * only when signed by the UseKey key; Renew; tokens whose requested attributes are evaluated
 * against the directory.
 */
export async function handleWsTrust(state: SandboxState, requestText: string): Promise<SoapReply> {
  const now = state.now()
  let checked: VerifiedX509Request
  try {
    checked = await verifyX509Request(state, requestText)
  } catch (err) {
    return businessFault(state, 'wsse:FailedAuthentication', 'SOA-01001', ['Service call not authenticated', describe(err)])
  }
  const { verified, bstCertificateBase64: bst, requester } = checked
  const body = verified.envelope.bodyRoot
  if (!body) return businessFault(state, 'wst:InvalidRequest', 'wst:InvalidRequest', ['Message not properly encoded', 'empty Body'])

  try {
    if (body.namespaceURI === STS_NS.wst && body.localName === 'RequestSecurityTokenResponse') {
      return answerChallenge(state, body, bst)
    }
    const rst = parseRst(body, requestText)
    const duplicates = findDuplicateClaimUris(rst.claims)
    if (duplicates.length > 0) return duplicateClaimFault(state, duplicates[0]!)
    if (rst.requestType === 'renew') return renew(state, rst, bst)

    const useKey = rst.useKeyCertificateBase64 ?? bst
    if (useKey !== bst) {
      const challenge = randomBytes(24).toString('base64url')
      const context = rst.context ?? `sandbox-${randomBytes(8).toString('hex')}`
      state.challenges.set(context, { challenge, request: rst, requester, useKeyCertificateBase64: useKey, expiresAt: now.getTime() + 5 * 60_000 })
      return soapResponse(
        `<wst:RequestSecurityTokenResponse xmlns:wst="${STS_NS.wst}" Context="${escapeAttr(context)}">` +
          `<wst:SignChallenge><wst:Challenge>${escapeText(challenge)}</wst:Challenge></wst:SignChallenge></wst:RequestSecurityTokenResponse>`,
      )
    }
    return issue(state, rst, requester, useKey)
  } catch (err) {
    return businessFault(state, 'wst:InvalidRequest', 'wst:InvalidRequest', ['Message not properly encoded', describe(err)])
  }
}

function answerChallenge(state: SandboxState, body: Element, bst: string): SoapReply {
  const { context, challenge } = parseChallengeResponse(body)
  const pending = context ? state.challenges.get(context) : undefined
  if (!pending || pending.challenge !== challenge || pending.expiresAt < state.now().getTime()) {
    return businessFault(state, 'wst:InvalidRequest', 'wst:InvalidRequest', ['Unknown or expired challenge'])
  }
  // Proof of possession: the answer must be signed by the key of the certificate to bind.
  if (bst !== pending.useKeyCertificateBase64) {
    return businessFault(state, 'wsse:FailedAuthentication', 'SOA-01001', ['The challenge must be signed with the UseKey certificate'])
  }
  state.challenges.delete(context!)
  return issue(state, pending.request, pending.requester, pending.useKeyCertificateBase64)
}

function issue(state: SandboxState, rst: ParsedRst, requester: ClaimSubject & { dn: string; issuerDn: string }, hokBase64: string): SoapReply {
  const outcome = issueAssertion(state, {
    requester,
    hokCertificateBase64: hokBase64,
    ...splitWireClaims(rst.claims),
  })
  if (outcome.kind === 'denied') return businessFault(state, 'wst:RequestFailed', 'wst:RequestFailed', [outcome.message])
  return soapResponse(tokenResponse(rst.context, outcome.assertionXml))
}

function renew(state: SandboxState, rst: ParsedRst, bst: string): SoapReply {
  if (!rst.renewAssertionXml) return businessFault(state, 'wst:InvalidRequest', 'wst:InvalidRequest', ['No token to renew'])
  // The token to renew must be one this STS issued, checked with xml-crypto as a service checks it.
  const old = checkStsAssertion(rst.renewAssertionXml, {
    stsCertificates: state.stsSigning.trustedCertificates(),
    now: state.now(),
    expectedIssuers: [EHEALTH_STS_ISSUER],
  })
  // Only the holder of the token's key (or the same identified subject) may renew it.
  const requester = subjectOfCertificate(certificateFromBase64(bst))
  if (bst !== old.hokCertificateBase64 && requester.dn !== old.nameIdentifier.value) {
    return businessFault(state, 'wsse:FailedAuthentication', 'SOA-01002', ['Service call not authorized'])
  }
  const now = state.now()
  // A renewed token gets the lifetime the STS chooses, like a new one.
  const notOnOrAfter = new Date(now.getTime() + state.tokenLifetimeMs())
  const assertion = mintAssertion(state, {
    now,
    notOnOrAfter,
    subjectDn: old.nameIdentifier.value,
    issuerDn: old.nameIdentifier.nameQualifier ?? '',
    hokCertificateBase64: old.hokCertificateBase64,
    attributes: old.attributes,
  })
  return soapResponse(tokenResponse(rst.context, assertion))
}

function tokenResponse(context: string | undefined, assertion: string): string {
  const ctx = context === undefined ? '' : ` Context="${escapeAttr(context)}"`
  return `<wst:RequestSecurityTokenResponse xmlns:wst="${STS_NS.wst}"${ctx}><wst:RequestedSecurityToken>${assertion}</wst:RequestedSecurityToken></wst:RequestSecurityTokenResponse>`
}

/** The fault of the R2024.1 STS announcement, in the sandbox's environment ("Simulation"). */
function duplicateClaimFault(state: SandboxState, uri: string): SoapReply {
  const f = buildDuplicateClaimFault(uri, 'Simulation')
  return businessFault(state, f.faultcode, f.code, f.messages, f.faultstring)
}
