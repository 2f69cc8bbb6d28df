import { sign } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { sharedTestIdentity } from '../../test/helpers/test-pki.js'
import { AgentError } from '../errors.js'
import { canonicalize, childElements, descendants, indexIds, parseXml, prepareSignature, verifySignature } from '../xml/index.js'
import { STS_NS } from './namespaces.js'
import { parseRstr } from './parse-rstr.js'

const WST = STS_NS.wst
const SAML1 = STS_NS.saml1
const ASSERTION = readFileSync(new URL('./fixtures/assertion-doctor.xml', import.meta.url), 'utf8').trimEnd()

/** The correct response shape of the R2024.1 STS announcement, with the realistic assertion. */
const TOKEN_RSTR =
  `<wst:RequestSecurityTokenResponse Context="RC-a55c3420-6ae3-4d17-bebe-e70daf1f557c"\nxmlns:wst="${WST}">\n` +
  `  <wst:RequestedSecurityToken>\n    ${ASSERTION}\n  </wst:RequestedSecurityToken>\n</wst:RequestSecurityTokenResponse>`

function thrown(fn: () => unknown): AgentError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(AgentError)
    return err as AgentError
  }
  throw new Error('expected an AgentError')
}

/** exc-c14n of the one SAML 1.1 Assertion of `xml`, wherever it sits. */
function assertionC14n(xml: string): string {
  const { document } = parseXml(xml)
  const [assertion] = descendants(document, SAML1, 'Assertion')
  return canonicalize(assertion!)
}

describe('parseRstr: token', () => {
  it('returns the announced token with the assertion as the exact substring of the response', () => {
    const result = parseRstr(TOKEN_RSTR)
    expect(result).toEqual({ kind: 'token', context: 'RC-a55c3420-6ae3-4d17-bebe-e70daf1f557c', assertionXml: ASSERTION })
  })

  it('unwraps a RequestSecurityTokenResponseCollection', () => {
    const collection = `<wst:RequestSecurityTokenResponseCollection xmlns:wst="${WST}">${TOKEN_RSTR}</wst:RequestSecurityTokenResponseCollection>`
    expect(parseRstr(collection)).toEqual(parseRstr(TOKEN_RSTR))
  })

  it('accepts the RSTR as an Element with the text of its document (e.g. the whole envelope), verbatim', () => {
    const envelope = `<?xml version="1.0" encoding="UTF-8"?>\n<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header/><soapenv:Body>${TOKEN_RSTR}</soapenv:Body></soapenv:Envelope>`
    const { root } = parseXml(envelope)
    const body = childElements(root, 'http://schemas.xmlsoap.org/soap/envelope/', 'Body')[0]!
    const rstr = childElements(body)[0]!
    expect(parseRstr(rstr, envelope)).toEqual(parseRstr(TOKEN_RSTR))
  })

  it('without the text, re-serializes the assertion: same exc-c14n, standalone', () => {
    const { root } = parseXml(`<soap:Body xmlns:soap="urn:s">${TOKEN_RSTR}</soap:Body>`)
    const result = parseRstr(childElements(root)[0]!)
    expect(result.kind).toBe('token')
    const text = (result as { assertionXml: string }).assertionXml
    expect(canonicalize(parseXml(text).root)).toBe(assertionC14n(TOKEN_RSTR))
  })

  it('adds the ancestor declarations a saml:-prefixed assertion relies on, and only those', () => {
    const prefixed = ASSERTION.replace(/<(\/?)(?!ds:)([A-Za-z]+)/g, '<$1saml:$2').replace(' xmlns="urn:oasis:names:tc:SAML:1.0:assertion"', '')
    const rstr =
      `<wst:RequestSecurityTokenResponseCollection xmlns:wst="${WST}" xmlns:saml="${SAML1}" xmlns:unused="urn:unused">` +
      `<wst:RequestSecurityTokenResponse Context="c-1"><wst:RequestedSecurityToken>${prefixed}</wst:RequestedSecurityToken>` +
      `</wst:RequestSecurityTokenResponse></wst:RequestSecurityTokenResponseCollection>`
    const result = parseRstr(rstr)
    if (result.kind !== 'token') throw new Error('expected a token')
    // The original characters, with xmlns:saml inserted after the element name; nothing else.
    expect(result.assertionXml).toBe(prefixed.replace('<saml:Assertion', `<saml:Assertion xmlns:saml="${SAML1}"`))
    const standalone = parseXml(result.assertionXml).root
    expect(standalone.namespaceURI).toBe(SAML1)
    expect(canonicalize(standalone)).toBe(assertionC14n(rstr))
  })

  it('keeps a real STS signature valid when the prefixes and a PrefixList namespace come from ancestors', () => {
    const sts = sharedTestIdentity('STS signing test')
    const id = '_a1b2c3d4e5f60718293a4b5c6d7e8f90'
    const ancestors = `xmlns:saml="${SAML1}" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`
    const unsigned =
      `<saml:Assertion AssertionID="${id}" Issuer="urn:be:fgov:ehealth:sts:1_0" MajorVersion="1" MinorVersion="1">\n` +
      `  <saml:AttributeStatement><saml:Attribute AttributeName="urn:be:fgov:person:ssin" AttributeNamespace="urn:be:fgov:identification-namespace">` +
      `<saml:AttributeValue xsi:type="xs:string">79021802145</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>\n` +
      `<!--SIGNATURE--></saml:Assertion>`
    const wrap = (assertion: string): string =>
      `<wst:RequestSecurityTokenResponse xmlns:wst="${WST}" ${ancestors} Context="c-9"><wst:RequestedSecurityToken>${assertion}</wst:RequestedSecurityToken></wst:RequestSecurityTokenResponse>`
    // Sign as an STS would: enveloped + exc-c14n with PrefixList "xs" (for the xsi:type QName).
    const withoutSignature = wrap(unsigned.replace('<!--SIGNATURE-->', ''))
    const canonical = canonicalize(descendants(parseXml(withoutSignature).document, SAML1, 'Assertion')[0]!, { inclusivePrefixes: ['xs'] })
    const prepared = prepareSignature({ references: [{ id, canonical, enveloped: true, inclusivePrefixes: ['xs'] }] })
    const signature = prepared.finish(sign(prepared.hash, prepared.signedInfo, sts.privateKey), '')
    const response = wrap(unsigned.replace('<!--SIGNATURE-->', signature))

    const result = parseRstr(response)
    if (result.kind !== 'token') throw new Error('expected a token')
    expect(result.assertionXml).toMatch(/^<saml:Assertion xmlns:saml="[^"]+" xmlns:xs="[^"]+" xmlns:xsi="[^"]+" AssertionID=/)
    const standalone = parseXml(result.assertionXml)
    const [signatureEl] = descendants(standalone.document, 'http://www.w3.org/2000/09/xmldsig#', 'Signature')
    const { signedElements } = verifySignature(signatureEl!, sts.certificate.publicKey, indexIds(standalone.document))
    expect(signedElements).toEqual([standalone.root])
  })
})

describe('parseRstr: challenge', () => {
  it('returns the context and the challenge text untrimmed', () => {
    const rstr = `<wst:RequestSecurityTokenResponse xmlns:wst="${WST}" Context="context-2b1e"><wst:SignChallenge><wst:Challenge> abc&amp;def </wst:Challenge></wst:SignChallenge></wst:RequestSecurityTokenResponse>`
    expect(parseRstr(rstr)).toEqual({ kind: 'challenge', context: 'context-2b1e', challenge: ' abc&def ' })
  })

  it('reads a wst-qualified Context as TC writes it', () => {
    const rstr = `<wst:RequestSecurityTokenResponse xmlns:wst="${WST}" wst:Context="ctx-q"><wst:SignChallenge><wst:Challenge>x</wst:Challenge></wst:SignChallenge></wst:RequestSecurityTokenResponse>`
    expect(parseRstr(rstr)).toEqual({ kind: 'challenge', context: 'ctx-q', challenge: 'x' })
  })
})

describe('parseRstr: refusals', () => {
  const rstr = (inner: string, attrs = ' Context="c"'): string =>
    `<wst:RequestSecurityTokenResponse xmlns:wst="${WST}"${attrs}>${inner}</wst:RequestSecurityTokenResponse>`
  const token = `<wst:RequestedSecurityToken>${ASSERTION}</wst:RequestedSecurityToken>`
  const challenge = '<wst:SignChallenge><wst:Challenge>x</wst:Challenge></wst:SignChallenge>'

  it.each([
    ['not XML', 'this is not xml'],
    ['an unclosed element', '<wst:RequestSecurityTokenResponse'],
    ['a DOCTYPE', `<!DOCTYPE x [<!ENTITY e "e">]>${rstr(token)}`],
    ['an RST instead of an RSTR', `<wst:RequestSecurityToken xmlns:wst="${WST}"/>`],
    ['a SOAP fault', '<soapenv:Fault xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><faultcode>soapenv:Client</faultcode></soapenv:Fault>'],
    ['an RSTR in another namespace', rstr(token).replaceAll(WST, 'http://schemas.xmlsoap.org/ws/2005/02/trust')],
    ['neither token nor challenge', rstr('<wst:TokenType>x</wst:TokenType>')],
    ['both a token and a challenge', rstr(token + challenge)],
    ['two RequestedSecurityToken', rstr(token + token)],
    ['two assertions in one RequestedSecurityToken', rstr(`<wst:RequestedSecurityToken>${ASSERTION}${ASSERTION.replace('_42e7', '_52e7')}</wst:RequestedSecurityToken>`)],
    ['an empty RequestedSecurityToken', rstr('<wst:RequestedSecurityToken/>')],
    ['a SAML 2.0 assertion', rstr('<wst:RequestedSecurityToken><saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="_1"/></wst:RequestedSecurityToken>')],
    ['a challenge without Context', rstr(challenge, '')],
    ['an empty challenge', rstr('<wst:SignChallenge><wst:Challenge>  </wst:Challenge></wst:SignChallenge>')],
    ['a SignChallenge without Challenge', rstr('<wst:SignChallenge/>')],
    ['a collection of two responses', `<wst:RequestSecurityTokenResponseCollection xmlns:wst="${WST}">${rstr(token)}${rstr(challenge)}</wst:RequestSecurityTokenResponseCollection>`],
    ['an empty collection', `<wst:RequestSecurityTokenResponseCollection xmlns:wst="${WST}"/>`],
    ['two different Context attributes', rstr(challenge, ' Context="a" wst:Context="b"')],
  ])('refuses %s with ERR_REMOTE_PROTOCOL', (_name, xml) => {
    const err = thrown(() => parseRstr(xml))
    expect(err.code).toBe('ERR_REMOTE_PROTOCOL')
    expect(typeof err.data.detail).toBe('string')
  })

  it('says what was found instead', () => {
    expect(thrown(() => parseRstr(`<wst:RequestSecurityToken xmlns:wst="${WST}"/>`)).message).toContain('RequestSecurityToken')
  })

  it('refuses an empty string and a non-element', () => {
    expect(thrown(() => parseRstr('')).code).toBe('ERR_REMOTE_PROTOCOL')
    expect(thrown(() => parseRstr({} as unknown as Element)).code).toBe('ERR_REMOTE_PROTOCOL')
  })
})
