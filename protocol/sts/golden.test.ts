import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { buildChallengeResponse } from './build-challenge-response.js'
import { buildIssueRequest, buildRenewRequest } from './build-rst.js'
import { claimsForProfile } from './claims.js'

// Fixed clock, ids and certificate: the output must be byte-identical to the committed files,
// which were written once from the code and checked by hand against TC's `wstrust/` templates
// (issue, signchallenge, renew). A failure here means the wire format changed: re-check the new
// output against those templates before rewriting a golden file.
const read = (name: string): string => readFileSync(new URL(name, import.meta.url), 'utf8')

const DUMMY_HOK_CERT = 'TUlJQiBkdW1teSBIT0sgY2VydGlmaWNhdGUgZm9yIHRoZSBnb2xkZW4gSXNzdWUgUlNUOiBub3QgYSByZWFsIERFUg=='
const ASSERTION = read('./fixtures/assertion-doctor.xml').trimEnd()

describe('golden STS requests', () => {
  it('Issue RST for the doctor profile with UseKey', () => {
    const xml = buildIssueRequest({
      claims: claimsForProfile('doctor', { ssin: '79021802145' }),
      created: new Date('2025-01-10T09:00:00.000Z'),
      expires: new Date('2025-01-11T09:00:00.000Z'),
      context: 'context-2b1e6c7e-4f3a-4d2b-9c1a-5e8f7d6c5b4a',
      hokCertificateBase64: DUMMY_HOK_CERT,
    })
    expect(xml + '\n').toBe(read('./golden/issue-doctor.xml'))
  })

  it('Renew RST with the old assertion embedded verbatim', () => {
    const xml = buildRenewRequest({
      context: 'context-7c9d2a10-1b2c-4d3e-8f40-a1b2c3d4e5f6',
      assertionXml: ASSERTION,
      embeddedId: 'token-3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b',
    })
    expect(xml + '\n').toBe(read('./golden/renew.xml'))
    expect(xml).toContain(ASSERTION)
  })

  it('SignChallengeResponse', () => {
    const xml = buildChallengeResponse({
      context: 'context-2b1e6c7e-4f3a-4d2b-9c1a-5e8f7d6c5b4a',
      challenge: 'Q2hhbGxlbmdlLTIwMjUtMDEtMTBUMDk6MDA6MDEuMjM0Wg==',
    })
    expect(xml + '\n').toBe(read('./golden/sign-challenge-response.xml'))
  })

  it('the golden Issue RST has the literals of TC\'s Issue template', () => {
    const xml = read('./golden/issue-doctor.xml')
    expect(xml).toContain('<wst:KeyType>http://docs.oasis-open.org/ws-sx/wstrust/200512/PublicKey</wst:KeyType>')
    expect(xml).toContain('xmlns:wst="http://docs.oasis-open.org/ws-sx/ws-trust/200512"')
    const order = ['TokenType', 'RequestType', 'Claims', 'Lifetime', 'KeyType', 'UseKey'].map((n) => xml.indexOf(`<wst:${n}`))
    expect(order.every((at, i) => at > 0 && (i === 0 || at > order[i - 1]!))).toBe(true)
  })
})
