import { AgentError } from '../../protocol/errors.js'
import { formatJavaDn } from '../../protocol/pki/format-java-dn.js'
import { readCertificate } from '../../protocol/pki/read-certificate.js'
import { prepareSamlpRequest } from '../../protocol/saml/build-samlp-request.js'
import { checkAssertion } from '../../protocol/saml/check-assertion.js'
import type { SamlAssertion } from '../../protocol/saml/parse-assertion.js'
import { parseSamlpResponse } from '../../protocol/saml/parse-samlp-response.js'
import { splitEnvelope } from '../../protocol/soap/split-envelope.js'
import type { StsClaims } from '../../protocol/sts/claims.js'
import { extractElementText } from '../../protocol/xml/extract-element-text.js'
import { findSamlpSoapAction } from '../../protocol/saml/samlp-soap-actions.js'
import { signedCall, trustOf, type LoginKeys, type StsExchange } from './request-token.js'

const CERTIFIED_NS = 'urn:be:fgov:certified-namespace:ehealth'

/**
 * The legacy SAML-P STS (TC `STSServiceImpl`, `sts_v1.wsdl`): a samlp:Request with the claims, its
 * enveloped signature made by the HOK key (always: it proves possession, as EC and EG do), inside a
 * SOAP body signed (X.509 profile) by the identification key, sent with the SOAPAction the
 * endpoint's WSDL binds (protocol/saml/samlp-soap-actions.ts). The returned assertion passes the
 * same checks as a WS-Trust one.
 */
export async function issueTokenSamlp(exchange: StsExchange, keys: LoginKeys, claims: StsClaims, lifetimeMs: number): Promise<SamlAssertion> {
  if (!exchange.samlpUrl) throw new AgentError('ERR_CONFIG_INVALID', 'no SAML-P STS endpoint for this environment')
  const soapAction = findSamlpSoapAction(exchange.samlpUrl)
  const identification = readCertificate((await keys.identification.certificate()).certificate.raw)
  const hok = await keys.holderOfKey.certificate()
  const uuid = exchange.newId()
  const now = exchange.now()
  const requestId = `request-${uuid}`
  const prepared = prepareSamlpRequest({
    requestId,
    assertionId: `assertion-${uuid}`,
    issueInstant: now,
    notBefore: now,
    notOnOrAfter: new Date(now.getTime() + lifetimeMs),
    // As the Technical Connector writes them (AbstractSTSService.generateNameIdentifier): Java's
    // X500Principal.getName(RFC1779) of the identification certificate's subject and issuer; the
    // subject is also the inner assertion's Issuer (the builder's default).
    nameIdentifier: { value: formatJavaDn(identification.subject, 'rfc1779'), nameQualifier: formatJavaDn(identification.issuer, 'rfc1779') },
    hokCertificateBase64: hok.base64,
    attributes: claims.attributes.map((a) => ({ name: a.name, namespace: a.namespace, values: [...a.values] })),
    designators: claims.designators.map((d) => ({ name: d.name, namespace: d.namespace })),
  })
  const request = prepared.finish(await keys.holderOfKey.sign(prepared.signedInfo, prepared.hash))
  const answer = await signedCall(exchange, keys.identification, request, soapAction, exchange.samlpUrl)
  const env = splitEnvelope(answer, { allowSecurityHeader: true })
  if (!env.bodyRoot) throw new AgentError('ERR_REMOTE_PROTOCOL', 'the SAML-P STS answered with an empty Body')
  const { assertionXml } = parseSamlpResponse(extractElementText(env.bodyRoot, answer), { expectedInResponseTo: requestId })
  return checkAssertion(assertionXml, {
    ...trustOf(exchange),
    now: exchange.now(),
    skewMs: exchange.skewMs,
    expectedHokCertificateBase64: hok.base64,
  })
}

/**
 * SAML-P has no renew operation: like the connector (TC `STSServiceImpl.renewToken`), issue again
 * with the old token's attributes (except the certified ones, which the STS decides) and
 * designators for all.
 */
export function renewTokenSamlp(exchange: StsExchange, keys: LoginKeys, current: SamlAssertion): Promise<SamlAssertion> {
  const lifetime = current.conditions.notOnOrAfter.getTime() - current.conditions.notBefore.getTime()
  const claims: StsClaims = {
    attributes: current.attributes.filter((a) => a.namespace !== CERTIFIED_NS).map((a) => ({ name: a.name, namespace: a.namespace, values: a.values })),
    designators: current.attributes.map((a) => ({ name: a.name, namespace: a.namespace })),
  }
  return issueTokenSamlp(exchange, keys, claims, lifetime)
}
