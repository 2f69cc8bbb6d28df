import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { AgentError } from '../errors.js'
import { canonicalize, childElements, parseXml } from '../xml/index.js'
import { buildIssueRequest, buildRenewRequest } from './build-rst.js'
import { claimsForProfile, type ProfileIdentity } from './claims.js'
import { findDuplicateClaimUris } from './merge-claims.js'
import { STS_NS, STS_URIS } from './namespaces.js'
import { parseRst } from './parse-rst.js'
import { listProfiles, PROFILES } from './profiles.js'

const WST = STS_NS.wst
const ASSERTION = readFileSync(new URL('./fixtures/assertion-doctor.xml', import.meta.url), 'utf8').trimEnd()
const IDENTITY: ProfileIdentity = { ssin: '79021802145', nihii: '71089914', cbe: '0809394427', ehp: '1990001916', mandateService: 'insurability' }
const CREATED = new Date('2025-01-10T09:00:00.000Z')
const EXPIRES = new Date('2025-01-11T09:00:00.000Z')

function thrown(fn: () => unknown): AgentError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(AgentError)
    return err as AgentError
  }
  throw new Error('expected an AgentError')
}

describe('parseRst round-trips buildIssueRequest', () => {
  it.each(listProfiles().map((p) => p.id))('%s', (profileId) => {
    const claims = claimsForProfile(profileId, IDENTITY)
    const xml = buildIssueRequest({ claims, created: CREATED, expires: EXPIRES, context: 'context-42', hokCertificateBase64: 'QUJD' })
    const rst = parseRst(xml)
    expect(rst).toEqual({
      requestType: 'issue',
      context: 'context-42',
      tokenType: STS_URIS.tokenTypeSaml11,
      claims: expect.any(Array),
      lifetime: { created: CREATED, expires: EXPIRES },
      keyType: STS_URIS.keyTypePublicKey,
      useKeyCertificateBase64: 'QUJD',
    })
    // Provided attributes come back with their values, designators without, each URI once.
    const provided = claims.attributes.map((a) => ({ uri: a.name, values: [...a.values] }))
    expect(rst.claims.slice(0, provided.length)).toEqual(provided)
    expect(rst.claims.slice(provided.length).every((c) => c.values.length === 0)).toBe(true)
    const uris = rst.claims.map((c) => c.uri)
    expect(new Set(uris)).toEqual(new Set([...PROFILES[profileId].attributes, ...PROFILES[profileId].designators].map((a) => a.name)))
    expect(findDuplicateClaimUris(rst.claims)).toEqual([])
  })

  it('splits a multi-valued attribute back at ";" and unescapes values', () => {
    const xml = buildIssueRequest({
      claims: { attributes: [{ name: 'urn:a', namespace: 'ns', values: ['1&2', '<3>'] }], designators: [] },
      created: CREATED,
      expires: EXPIRES,
      context: 'c',
    })
    expect(parseRst(xml).claims).toEqual([{ uri: 'urn:a', values: ['1&2', '<3>'] }])
  })

  it('without UseKey, reports none', () => {
    const xml = buildIssueRequest({ claims: claimsForProfile('citizen', IDENTITY), created: CREATED, expires: EXPIRES, context: 'c' })
    expect(parseRst(xml)).not.toHaveProperty('useKeyCertificateBase64')
  })
})

describe('parseRst: Renew', () => {
  it('returns the embedded assertion verbatim and its wsu:Id', () => {
    const xml = buildRenewRequest({ context: 'c-7', assertionXml: ASSERTION, embeddedId: 'token-9' })
    expect(parseRst(xml)).toEqual({
      requestType: 'renew',
      context: 'c-7',
      tokenType: STS_URIS.tokenTypeSaml11,
      claims: [],
      lifetime: undefined,
      keyType: undefined,
      renewAssertionXml: ASSERTION,
      renewEmbeddedId: 'token-9',
    })
  })

  it('from an Element with the envelope text, still verbatim; without it, equal under exc-c14n', () => {
    const envelope = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>${buildRenewRequest({ context: 'c', assertionXml: ASSERTION, embeddedId: 't' })}</s:Body></s:Envelope>`
    const { root } = parseXml(envelope)
    const rst = childElements(childElements(root)[0]!)[0]!
    expect(parseRst(rst, envelope).renewAssertionXml).toBe(ASSERTION)
    const reserialized = parseRst(rst).renewAssertionXml!
    expect(canonicalize(parseXml(reserialized).root)).toBe(canonicalize(parseXml(ASSERTION).root))
  })

  it('refuses a Renew without a SAML 1.1 assertion', () => {
    const xml = buildRenewRequest({ context: 'c', assertionXml: ASSERTION, embeddedId: 't' }).replace(/<wsse:Embedded[^>]*>[\s\S]*<\/wsse:Embedded>/, '<wsse:Embedded/>')
    expect(thrown(() => parseRst(xml)).code).toBe('ERR_REMOTE_PROTOCOL')
  })
})

describe('parseRst: what other clients send', () => {
  const rst = (inner: string, attrs = ''): string =>
    `<wst:RequestSecurityToken xmlns:wst="${WST}" xmlns:auth="${STS_NS.auth}" xmlns:wsu="${STS_NS.wsu}" xmlns:wsse="${STS_NS.wsse}" xmlns:ds="${STS_NS.ds}"${attrs}>` +
    `<wst:RequestType>${STS_URIS.requestTypeIssue}</wst:RequestType>${inner}</wst:RequestSecurityToken>`
  const claims = (inner: string): string => `<wst:Claims Dialect="${STS_URIS.claimsDialect}">${inner}</wst:Claims>`
  const lifetime = (created: string, expires: string): string =>
    `<wst:Lifetime><wsu:Created>${created}</wsu:Created><wsu:Expires>${expires}</wsu:Expires></wst:Lifetime>`

  it('returns the R2024.1 announcement\'s duplicate claims as they are, for the sandbox to refuse', () => {
    const uri = 'urn:be:fgov:ehealth:1.0:certificateholder:hospital:nihii-number'
    const claim = `<auth:ClaimType Uri="${uri}"><auth:Value>71089914</auth:Value></auth:ClaimType>`
    const parsed = parseRst(rst(claims(claim + claim)))
    expect(parsed.claims).toEqual([
      { uri, values: ['71089914'] },
      { uri, values: ['71089914'] },
    ])
    expect(findDuplicateClaimUris(parsed.claims)).toEqual([uri])
  })

  it.each([
    ['TC local offset', '2025-01-10T10:00:00.000+01:00', '2025-01-10T09:00:00.000Z'],
    ['EC Java +0100', '2025-01-10T10:00:00+0100', '2025-01-10T09:00:00.000Z'],
    ['EG .NET round-trip', '2025-01-10T09:00:00.1234567Z', '2025-01-10T09:00:00.123Z'],
    ['negative offset', '2025-01-10T04:30:00-04:30', '2025-01-10T09:00:00.000Z'],
  ])('reads Lifetime in %s form', (_name, created, iso) => {
    const parsed = parseRst(rst(lifetime(created, '2025-01-11T09:00:00Z')))
    expect(parsed.lifetime?.created.toISOString()).toBe(iso)
  })

  it('reads a wst-qualified Context (TC)', () => {
    expect(parseRst(rst('', ' wst:Context="tc-uuid"')).context).toBe('tc-uuid')
  })

  it.each([
    ['another root', `<wst:RequestSecurityTokenResponse xmlns:wst="${WST}"/>`],
    ['no RequestType', `<wst:RequestSecurityToken xmlns:wst="${WST}"/>`],
    ['a Validate request', rst('').replace('/Issue<', '/Validate<')],
    ['another Claims Dialect', rst(`<wst:Claims Dialect="urn:other"/>`)],
    ['a ClaimType without Uri', rst(claims('<auth:ClaimType/>'))],
    ['an unreadable Lifetime', rst(lifetime('yesterday', '2025-01-11T09:00:00Z'))],
    ['a 30 February', rst(lifetime('2025-02-30T09:00:00Z', '2025-03-11T09:00:00Z'))],
    ['a Lifetime without Expires', rst('<wst:Lifetime><wsu:Created>2025-01-10T09:00:00Z</wsu:Created></wst:Lifetime>')],
    ['a UseKey without certificate', rst('<wst:UseKey><wsse:SecurityTokenReference/></wst:UseKey>')],
    ['two Claims', rst(claims('') + claims(''))],
    ['not XML', 'RST please'],
  ])('refuses %s with ERR_REMOTE_PROTOCOL', (_name, xml) => {
    expect(thrown(() => parseRst(xml)).code).toBe('ERR_REMOTE_PROTOCOL')
  })
})
