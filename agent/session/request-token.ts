import type { X509Certificate } from 'node:crypto'
import { AgentError } from '../../protocol/errors.js'
import { checkAssertion } from '../../protocol/saml/check-assertion.js'
import type { StsSignerChain } from '../../protocol/saml/check-sts-signer.js'
import type { SamlAssertion } from '../../protocol/saml/parse-assertion.js'
import { splitEnvelope } from '../../protocol/soap/split-envelope.js'
import { buildChallengeResponse } from '../../protocol/sts/build-challenge-response.js'
import { buildIssueRequest, buildRenewRequest } from '../../protocol/sts/build-rst.js'
import type { StsClaims } from '../../protocol/sts/claims.js'
import { parseRstr } from '../../protocol/sts/parse-rstr.js'
import { prepareWsSecurity } from '../../protocol/wssec/prepare-ws-security.js'
import type { KeySource } from '../keys/key-source.js'
import { STS_ACTIONS, type SoapPoster } from '../sts-client.js'
import { issueTokenSamlp, renewTokenSamlp } from './request-token-samlp.js'

const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/'

/** What an STS exchange needs; every side effect injected. */
export interface StsExchange {
  post: SoapPoster
  stsUrl: string
  /** WS-Trust (default, TC `STSServiceWsTrustImpl`) or the legacy SAML-P STS (TC `STSServiceImpl`) at `samlpUrl`. */
  protocol?: 'ws-trust' | 'saml-p'
  samlpUrl?: string
  /** STS signing certificates pinned for this environment (accepted as they are). */
  trustedSigners?: readonly X509Certificate[]
  /** The environment's CAs and STS name: a signer they accept is trusted (protocol/saml/check-sts-signer.ts). */
  signerChain?: StsSignerChain
  now: () => Date
  /** A fresh unique NCName-safe id (random in the agent, counters in tests). */
  newId: () => string
  /** Tolerated clock difference with the STS. */
  skewMs?: number
}

/**
 * The keys of a login (TC `STSServiceImpl.getToken`, `SessionManagerImpl`): identification signs
 * the header, HOK is bound into the token.
 */
export interface LoginKeys {
  identification: KeySource
  holderOfKey: KeySource
}

/**
 * Ask the WS-Trust STS for a holder-of-key token (TC `STSServiceWsTrustImpl`): the RST for the
 * profile's claims in a Body signed (X.509 profile) by the identification key; when the
 * identification and HOK certificates differ, the STS answers with a SignChallenge, which goes back
 * signed by the HOK key (TC `STSServiceWsTrustImpl.processRequest`). The assertion is then checked
 * before anyone uses it: signed by a trusted STS over exactly that element, bound to our HOK
 * certificate, valid now.
 */
export async function issueToken(exchange: StsExchange, keys: LoginKeys, claims: StsClaims, lifetimeMs: number): Promise<SamlAssertion> {
  if (exchange.protocol === 'saml-p') return issueTokenSamlp(exchange, keys, claims, lifetimeMs)
  const hok = await keys.holderOfKey.certificate()
  const created = exchange.now()
  const rst = buildIssueRequest({
    claims,
    created,
    expires: new Date(created.getTime() + lifetimeMs),
    context: `context-${exchange.newId()}`,
    hokCertificateBase64: hok.base64,
  })
  const answer = await signedCall(exchange, keys.identification, rst, STS_ACTIONS.issue)
  return receiveToken(exchange, keys, answer, hok.base64)
}

/**
 * Renew with the WS-Trust Renew request (TC template `wstrust/renew.samlv11.template.xml`): the
 * current assertion embedded, the header signed by the identification key; the same challenge logic
 * applies.
 */
export async function renewToken(exchange: StsExchange, keys: LoginKeys, current: SamlAssertion): Promise<SamlAssertion> {
  if (exchange.protocol === 'saml-p') return renewTokenSamlp(exchange, keys, current)
  const hok = await keys.holderOfKey.certificate()
  const rst = buildRenewRequest({ context: `context-${exchange.newId()}`, assertionXml: current.xml, embeddedId: `token-${exchange.newId()}` })
  const answer = await signedCall(exchange, keys.identification, rst, STS_ACTIONS.issue)
  return receiveToken(exchange, keys, answer, hok.base64)
}

async function receiveToken(exchange: StsExchange, keys: LoginKeys, answer: string, hokBase64: string): Promise<SamlAssertion> {
  let result = readRstr(answer)
  if (result.kind === 'challenge') {
    // Proof of possession of the HOK key: the challenge goes back signed by it (TC
    // `wstrust/signchallenge.template.xml`).
    const reply = buildChallengeResponse({ context: result.context, challenge: result.challenge })
    result = readRstr(await signedCall(exchange, keys.holderOfKey, reply, STS_ACTIONS.challenge))
    if (result.kind === 'challenge') throw new AgentError('ERR_REMOTE_PROTOCOL', 'the STS answered a challenge response with another challenge')
  }
  return checkAssertion(result.assertionXml, {
    ...trustOf(exchange),
    now: exchange.now(),
    skewMs: exchange.skewMs,
    expectedHokCertificateBase64: hokBase64,
  })
}

/** Wrap `bodyXml` in a SOAP envelope, sign it (X.509 profile) with `key`, POST it, return the answer. */
export async function signedCall(exchange: StsExchange, key: KeySource, bodyXml: string, action: string, url = exchange.stsUrl): Promise<string> {
  const { base64 } = await key.certificate()
  const envelope = `<soapenv:Envelope xmlns:soapenv="${SOAP11}"><soapenv:Body>${bodyXml}</soapenv:Body></soapenv:Envelope>`
  const prepared = prepareWsSecurity(envelope, {
    profile: { kind: 'x509', certificateBase64: base64 },
    now: exchange.now(),
    newId: (kind) => `${kind}-${exchange.newId()}`,
  })
  const signed = prepared.finish(await key.sign(prepared.signedInfo, prepared.hash))
  return exchange.post(url, signed, action, 'sts')
}

function readRstr(responseEnvelope: string) {
  const env = splitEnvelope(responseEnvelope, { allowSecurityHeader: true })
  if (!env.bodyRoot) throw new AgentError('ERR_REMOTE_PROTOCOL', 'the STS answer has an empty Body')
  return parseRstr(env.bodyRoot, responseEnvelope)
}

/** The trust options of checkAssertion, from an exchange. */
export function trustOf(exchange: StsExchange): { trustedSigners?: readonly X509Certificate[]; signerChain?: StsSignerChain } {
  return { ...(exchange.trustedSigners ? { trustedSigners: exchange.trustedSigners } : {}), ...(exchange.signerChain ? { signerChain: exchange.signerChain } : {}) }
}
