import { randomBytes, type X509Certificate } from 'node:crypto'
import { SANDBOX_PATHS } from '../../../protocol/environments.js'
import { isAgentError } from '../../../protocol/errors.js'
import { buildSamlpResponse, type SamlpStatus } from '../../../protocol/saml/build-samlp-response.js'
import { SAML_NAMESPACES } from '../../../protocol/saml/names.js'
import { parseSamlpRequest, type SamlpRequest } from '../../../protocol/saml/parse-samlp-request.js'
import { findSamlpSoapAction } from '../../../protocol/saml/samlp-soap-actions.js'
import { extractElementText } from '../../../protocol/xml/index.js'
import { soapEndpoint, type SandboxRoutes } from '../app.js'
import type { SandboxState } from '../sandbox-state.js'
import { businessFault, soapResponse, type SoapReply } from '../soap-reply.js'
import { checkSamlpRequestSignature } from '../verify/check-samlp-request-signature.js'
import { certificateFromBase64, checkSandboxChain } from './certificate-trust.js'
import { issueAssertion } from './issue-assertion.js'
import { describeStsError, verifyX509Request, type VerifiedX509Request } from './verify-x509-request.js'

/** The Legacy endpoint path (SecureTokenService WSDL), served beside the current one. */
export const SAMLP_LEGACY_PATH = '/IAM/Saml11TokenService/Legacy/v1'

/**
 * Mounts the legacy SAML-P STS at `SANDBOX_PATHS.stsSamlP` (the current endpoint, whose WSDL binds
 * `RequestSecurityToken`) and at the Legacy path (whose WSDL binds `RequestSecureToken`). Each
 * takes only its own WSDL's SOAPAction, as a strict server dispatching on the action would
 * (protocol/saml/samlp-soap-actions.ts has the table and its sources).
 */
export const samlpStsRoutes: SandboxRoutes = (app, state) => {
  for (const path of [SANDBOX_PATHS.stsSamlP, SAMLP_LEGACY_PATH]) {
    const expected = findSamlpSoapAction(path)
    app.post(path, (c) => {
      const action = c.req.header('SOAPAction')
      return soapEndpoint(c.req.raw, state, (text) => handleSamlp(state, text, action, expected))
    })
  }
}

/**
 * The sandbox's legacy SAML 1.1 STS (`/IAM/Saml11TokenService/v1`), as TC `STSServiceImpl`
 * and `sts_v1.wsdl` describe it, once the SOAPAction is the endpoint's:
 * 1. the X.509 WS-Security header, checked exactly as the WS-Trust STS checks it; a failure is
 *    the same SOAP fault (SOA-01001), as eHealth's gateway answers before the STS sees the body;
 * 2. the Body's `samlp:Request` parsed;
 * 3. its enveloped signature verified (by xml-crypto) with the HOK certificate whenever present,
 *    and required when the BST certificate is not the HOK certificate (the proof that the
 *    requester holds the key the token will bind); that certificate must also chain to a
 *    sandbox CA;
 * 4. provided attributes checked and designators evaluated against the directory, by the same
 *    code as the WS-Trust STS;
 * 5. a `samlp:Response` (InResponseTo = RequestID) with the minted assertion, or a status:
 *    `samlp:Requester`/`samlp:RequestDenied` with a StatusMessage for a refused request,
 *    `samlp:Requester` alone for one the STS cannot read, `samlp:Responder` for its own failures.
 */
export async function handleSamlp(state: SandboxState, requestText: string, soapAction: string | undefined, expectedAction: string): Promise<SoapReply> {
  // WS-I BP 1.1 R1109: the value is quoted; an unquoted one is read too.
  const action = soapAction?.trim().replace(/^"(.*)"$/, '$1')
  if (action !== expectedAction) {
    const sent = action === undefined ? 'no SOAPAction header' : `SOAPAction "${action.slice(0, 100)}"`
    return businessFault(state, 'soapenv:Client', 'SOA-03001', ['Malformed message', `${sent}: this endpoint's WSDL binds "${expectedAction}"`])
  }
  let checked: VerifiedX509Request
  try {
    checked = await verifyX509Request(state, requestText)
  } catch (err) {
    return businessFault(state, 'wsse:FailedAuthentication', 'SOA-01001', ['Service call not authenticated', describeStsError(err)])
  }
  const bodyRoot = checked.verified.envelope.bodyRoot
  if (!bodyRoot || bodyRoot.namespaceURI !== SAML_NAMESPACES.protocol || bodyRoot.localName !== 'Request') {
    return businessFault(state, 'soapenv:Client', 'SOA-03001', ['Malformed message', 'the Body does not hold a samlp:Request'])
  }
  // Without a RequestID there is nothing a samlp:Response could answer.
  const requestId = bodyRoot.getAttribute('RequestID') ?? ''
  if (requestId === '') return businessFault(state, 'soapenv:Client', 'SOA-03001', ['Malformed message', 'the samlp:Request has no RequestID'])

  let request: SamlpRequest
  let requestXml: string
  try {
    requestXml = extractElementText(bodyRoot, requestText)
    request = parseSamlpRequest(requestXml)
  } catch (err) {
    return respond(state, requestId, { code: 'Requester', message: describeStsError(err) })
  }
  try {
    return issue(state, checked, request, requestXml)
  } catch {
    // Nothing of an unexpected failure reaches the client but its kind.
    return respond(state, requestId, { code: 'Responder', message: 'The STS could not issue the token' })
  }
}

function issue(state: SandboxState, checked: VerifiedX509Request, request: SamlpRequest, requestXml: string): SoapReply {
  const denied = (message: string) => respond(state, request.requestId, { code: 'Requester', subCode: 'RequestDenied', message })
  const hok = request.hokCertificateBase64
  let hokCertificate: X509Certificate
  try {
    hokCertificate = certificateFromBase64(hok)
  } catch {
    return respond(state, request.requestId, { code: 'Requester', message: 'the holder-of-key certificate is not an X.509 certificate' })
  }
  const sameKey = hokCertificate.raw.equals(certificateFromBase64(checked.bstCertificateBase64).raw)
  if (!sameKey || request.signature) {
    try {
      checkSandboxChain(hokCertificate, state.pki, state.now())
      checkSamlpRequestSignature(request, requestXml)
    } catch (err) {
      if (!isAgentError(err)) throw err
      const why = request.signature ? err.message : 'the samlp:Request must be signed with the holder-of-key certificate when the WS-Security certificate differs'
      return denied(why)
    }
  }
  const outcome = issueAssertion(state, {
    requester: checked.requester,
    hokCertificateBase64: hok,
    provided: request.attributes,
    requested: request.designators,
  })
  if (outcome.kind === 'denied') return denied(outcome.message)
  return respond(state, request.requestId, { code: 'Success' }, outcome.assertionXml)
}

function respond(state: SandboxState, inResponseTo: string, status: SamlpStatus, assertionXml?: string): SoapReply {
  const responseId = '_' + randomBytes(16).toString('hex')
  return soapResponse(buildSamlpResponse({ responseId, inResponseTo, issueInstant: state.now(), status, ...(assertionXml ? { assertionXml } : {}) }))
}
