import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { AgentError } from '../errors.js'
import { childElements, parseXml } from '../xml/index.js'
import { buildIssueRequest, buildRenewRequest } from './build-rst.js'
import { claimsForProfile, type ProfileIdentity, type StsClaims } from './claims.js'
import { STS_NS } from './namespaces.js'
import { listProfiles, PROFILES } from './profiles.js'

const HOSPITAL_NIHII = 'urn:be:fgov:ehealth:1.0:certificateholder:hospital:nihii-number'
const ID_NS = 'urn:be:fgov:identification-namespace'
const CREATED = new Date('2025-01-10T09:00:00.000Z')
const EXPIRES = new Date('2025-01-11T09:00:00.000Z')
const IDENTITY: ProfileIdentity = { ssin: '79021802145', nihii: '71089914', cbe: '0809394427', ehp: '1990001916', mandateService: 'insurability' }
const ASSERTION = readFileSync(new URL('./fixtures/assertion-doctor.xml', import.meta.url), 'utf8').trimEnd()

function issue(claims: StsClaims, extra: Partial<Parameters<typeof buildIssueRequest>[0]> = {}): string {
  return buildIssueRequest({ claims, created: CREATED, expires: EXPIRES, context: 'context-1', ...extra })
}

/** The ClaimType URIs of an RST, read back with the DOM parser (not the builder's own regex). */
function claimUris(xml: string): string[] {
  const { root } = parseXml(xml)
  const claims = childElements(root, STS_NS.wst, 'Claims')[0]!
  return childElements(claims, STS_NS.auth, 'ClaimType').map((c) => c.getAttribute('Uri')!)
}

function thrown(fn: () => unknown): AgentError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(AgentError)
    return err as AgentError
  }
  throw new Error('expected an AgentError')
}

describe('buildIssueRequest: R2024.1 duplicate claims', () => {
  it('refuses the hospital NIHII attribute given twice, before anything is sent, naming the URI', () => {
    // The refused request of the R2024.1 STS announcement: the same provided attribute, same value,
    // twice.
    const claims: StsClaims = {
      attributes: [
        { name: HOSPITAL_NIHII, namespace: ID_NS, values: ['71089914'] },
        { name: HOSPITAL_NIHII, namespace: ID_NS, values: ['71089914'] },
      ],
      designators: [],
    }
    const err = thrown(() => issue(claims))
    expect(err.code).toBe('ERR_DUPLICATE_CLAIM')
    expect(err.message).toContain(HOSPITAL_NIHII)
    expect(err.data).toEqual({ uri: HOSPITAL_NIHII })
  })

  it('refuses the same provided attribute under two namespaces too (the namespace is not on the wire)', () => {
    const claims: StsClaims = {
      attributes: [
        { name: HOSPITAL_NIHII, namespace: ID_NS, values: ['71089914'] },
        { name: HOSPITAL_NIHII, namespace: 'urn:be:fgov:certified-namespace:ehealth', values: ['71089915'] },
      ],
      designators: [],
    }
    expect(thrown(() => issue(claims)).code).toBe('ERR_DUPLICATE_CLAIM')
  })

  it('builds the announcement\'s correct request: the attribute once', () => {
    const xml = issue({ attributes: [{ name: HOSPITAL_NIHII, namespace: ID_NS, values: ['71089914'] }], designators: [] })
    expect(claimUris(xml)).toEqual([HOSPITAL_NIHII])
    expect(xml).toContain(`<auth:ClaimType Uri="${HOSPITAL_NIHII}"><auth:Value>71089914</auth:Value></auth:ClaimType>`)
  })

  it.each(['org:sortingcenter', 'org:officedoctors', 'org:groupofnurses'] as const)(
    '%s: namespace-duplicate designators in the catalogue build fine, each URI once',
    (profileId) => {
      const profile = PROFILES[profileId]
      const names = profile.designators.map((d) => d.name)
      expect(new Set(names).size).toBeLessThan(names.length) // the catalogue really has the duplicate
      const uris = claimUris(issue(claimsForProfile(profileId, IDENTITY)))
      expect(new Set(uris).size).toBe(uris.length)
      const certificateHolder = `urn:be:fgov:ehealth:1.0:certificateholder:${profileId.slice(4)}:nihii-number`
      expect(uris.filter((u) => u === certificateHolder)).toHaveLength(1)
    },
  )

  it.each(listProfiles().map((p) => p.id))('every profile (%s) builds an RST with unique ClaimType URIs covering all its claims', (profileId) => {
    const profile = PROFILES[profileId]
    const uris = claimUris(issue(claimsForProfile(profileId, IDENTITY), { hokCertificateBase64: 'AAAA' }))
    expect(new Set(uris).size).toBe(uris.length)
    const expected = new Set([...profile.attributes.map((a) => a.name), ...profile.designators.map((d) => d.name)])
    expect(new Set(uris)).toEqual(expected)
    // Provided attributes first, in catalogue order, each with its value.
    expect(uris.slice(0, profile.attributes.length)).toEqual(profile.attributes.map((a) => a.name))
  })

  it('merges designators already provided or repeated, and keeps the first occurrence order', () => {
    const xml = issue({
      attributes: [{ name: 'urn:a', namespace: ID_NS, values: ['1'] }],
      designators: [
        { name: 'urn:b', namespace: ID_NS },
        { name: 'urn:a', namespace: ID_NS },
        { name: 'urn:b', namespace: 'urn:other' },
        { name: 'urn:c', namespace: ID_NS },
      ],
    })
    expect(claimUris(xml)).toEqual(['urn:a', 'urn:b', 'urn:c'])
    expect(xml).toContain('<auth:ClaimType Uri="urn:b"/>')
  })
})

describe('buildIssueRequest: format and validation', () => {
  it('joins several values with ";" in one auth:Value and escapes values and context', () => {
    const xml = issue(
      { attributes: [{ name: 'urn:a', namespace: ID_NS, values: ['x<y', 'a&b'] }], designators: [] },
      { context: 'ctx "1" <&>' },
    )
    expect(xml).toContain('<auth:Value>x&lt;y;a&amp;b</auth:Value>')
    expect(xml).toContain('Context="ctx &quot;1&quot; &lt;&amp;>"')
    expect(parseXml(xml).root.getAttribute('Context')).toBe('ctx "1" <&>')
  })

  it('writes UTC dates with milliseconds whatever the input offset', () => {
    const xml = issue(claimsForProfile('citizen', IDENTITY), {
      created: new Date('2025-01-10T10:00:00+01:00'),
      expires: new Date('2025-01-10T11:00:00.500+01:00'),
    })
    expect(xml).toContain('<wsu:Created>2025-01-10T09:00:00.000Z</wsu:Created>')
    expect(xml).toContain('<wsu:Expires>2025-01-10T10:00:00.500Z</wsu:Expires>')
  })

  it('omits UseKey without a HOK certificate', () => {
    expect(issue(claimsForProfile('citizen', IDENTITY))).not.toContain('UseKey')
  })

  it.each([
    ['expires before created', { expires: new Date('2025-01-10T08:00:00Z') }],
    ['expires equal to created', { expires: CREATED }],
    ['an invalid date', { created: new Date('nope') }],
    ['an empty context', { context: '' }],
    ['a context with a NUL', { context: 'a\u0000b' }],
    ['a certificate with line breaks', { hokCertificateBase64: 'AAAA\nAAAA' }],
    ['a certificate that is not base64', { hokCertificateBase64: 'not base64!' }],
    ['an empty certificate', { hokCertificateBase64: '' }],
  ] as const)('refuses %s with ERR_INVALID_PARAMS', (_name, extra) => {
    expect(thrown(() => issue(claimsForProfile('citizen', IDENTITY), extra)).code).toBe('ERR_INVALID_PARAMS')
  })

  it.each([
    ['no claims at all', { attributes: [], designators: [] }],
    ['an attribute without values', { attributes: [{ name: 'urn:a', namespace: ID_NS, values: [] }], designators: [] }],
    ['an empty value', { attributes: [{ name: 'urn:a', namespace: ID_NS, values: [''] }], designators: [] }],
    ['a value containing the ";" separator', { attributes: [{ name: 'urn:a', namespace: ID_NS, values: ['1;2'] }], designators: [] }],
    ['a URI with a space', { attributes: [], designators: [{ name: 'urn:a ', namespace: ID_NS }] }],
    ['an empty URI', { attributes: [], designators: [{ name: '', namespace: ID_NS }] }],
  ] as const)('refuses claims with %s', (_name, claims) => {
    expect(thrown(() => issue(claims as StsClaims)).code).toBe('ERR_INVALID_PARAMS')
  })
})

describe('buildRenewRequest', () => {
  it('inserts the assertion characters verbatim inside wsse:Embedded with its wsu:Id', () => {
    const xml = buildRenewRequest({ context: 'c-2', assertionXml: ASSERTION, embeddedId: 'token-1' })
    expect(xml).toContain(`<wsse:Embedded wsu:Id="token-1">${ASSERTION}</wsse:Embedded>`)
    const { root } = parseXml(xml)
    expect(root.getAttribute('Context')).toBe('c-2')
  })

  it('keeps only the element when the text has an XML declaration and surrounding whitespace', () => {
    const xml = buildRenewRequest({ context: 'c', assertionXml: `<?xml version="1.0"?>\n${ASSERTION}\n`, embeddedId: 't' })
    expect(xml).toContain(`<wsse:Embedded wsu:Id="t">${ASSERTION}</wsse:Embedded>`)
    expect(xml).not.toContain('<?xml')
  })

  it('refuses something that is not a SAML 1.1 assertion', () => {
    const saml2 = '<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="_1"/>'
    expect(thrown(() => buildRenewRequest({ context: 'c', assertionXml: saml2, embeddedId: 't' })).code).toBe('ERR_SAML_INVALID')
    expect(thrown(() => buildRenewRequest({ context: 'c', assertionXml: '<Assertion', embeddedId: 't' })).code).toBe('ERR_XML_MALFORMED')
  })

  it('refuses an embeddedId that is not an NCName or that collides with an id inside the assertion', () => {
    expect(thrown(() => buildRenewRequest({ context: 'c', assertionXml: ASSERTION, embeddedId: '1token' })).code).toBe('ERR_INVALID_PARAMS')
    expect(thrown(() => buildRenewRequest({ context: 'c', assertionXml: ASSERTION, embeddedId: 'a"b' })).code).toBe('ERR_INVALID_PARAMS')
    const err = thrown(() => buildRenewRequest({ context: 'c', assertionXml: ASSERTION, embeddedId: '_42e7a00652420d86ee884f295a3fbf02' }))
    expect(err.code).toBe('ERR_INVALID_PARAMS')
  })
})
