import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { buildSoapFault } from './build-fault.js'
import { SOAP11_NS, SOAP12_NS } from './namespaces.js'
import { faultToAgentError, parseSoapFault } from './parse-fault.js'

// eHealth's R2024.1 STS announcement, verbatim: the STS's answer to a request with a duplicate
// claim (R2024.1).
const DUPLICATE_CLAIM_FAULT = readFileSync(new URL('../../test/fixtures/sts-duplicate-claim-fault.xml', import.meta.url), 'utf8')
const URI = 'urn:be:fgov:ehealth:1.0:certificateholder:hospital:nihii-number'

describe('parseSoapFault', () => {
  it("reads the R2024.1 announcement's fault: code, reason, and every BusinessError field", () => {
    const fault = parseSoapFault(DUPLICATE_CLAIM_FAULT)!
    expect(fault).toEqual({
      code: 'wst:InvalidRequest',
      codeNamespace: 'http://docs.oasis-open.org/ws-sx/ws-trust/200512',
      codeLocalName: 'InvalidRequest',
      reason: 'The request was invalid or malformed',
      ehealth: {
        kind: 'BusinessError',
        id: '_881d555eaaabbb66655dfd22d188d471',
        origin: 'Client',
        code: 'wst:InvalidRequest',
        messages: [
          { lang: 'en', text: 'Message not properly encoded' },
          { lang: 'en', text: `Attribute ${URI} multiple times found.` },
        ],
        environment: 'Integration',
      },
    })
  })

  it('turns it into ERR_STS_REJECTED carrying eHealth code, messages and environment', () => {
    const err = faultToAgentError(parseSoapFault(DUPLICATE_CLAIM_FAULT)!, 'sts')
    expect(err.code).toBe('ERR_STS_REJECTED')
    expect(err.message).toContain(`Attribute ${URI} multiple times found.`)
    expect(err.data).toMatchObject({
      ehealth: { code: 'wst:InvalidRequest', origin: 'Client', environment: 'Integration', messages: ['Message not properly encoded', `Attribute ${URI} multiple times found.`] },
    })
  })

  it('a fault built by buildSoapFault reads back structurally equal to the announced one', () => {
    const built = buildSoapFault({
      code: { prefix: 'wst', namespace: 'http://docs.oasis-open.org/ws-sx/ws-trust/200512', localName: 'InvalidRequest' },
      reason: 'The request was invalid or malformed',
      ehealth: {
        kind: 'BusinessError',
        id: '_881d555eaaabbb66655dfd22d188d471',
        origin: 'Client',
        code: 'wst:InvalidRequest',
        messages: ['Message not properly encoded', `Attribute ${URI} multiple times found.`],
        environment: 'Integration',
      },
    })
    expect(parseSoapFault(built)).toEqual(parseSoapFault(DUPLICATE_CLAIM_FAULT))
  })

  it('reads an eHealth SystemError and a plain SOAP 1.1 fault without detail', () => {
    const sys = `<s:Envelope xmlns:s="${SOAP11_NS}"><s:Body><s:Fault><faultcode>s:Server</faultcode><faultstring>down</faultstring><detail><soa:SystemError xmlns:soa="urn:be:fgov:ehealth:errors:soa:v1" Id="t1"><Origin>Server</Origin><Code>SOA-02001</Code><Message xml:lang="fr">Service non disponible</Message><Retry>true</Retry><soa:Environment>Production</soa:Environment></soa:SystemError></detail></s:Fault></s:Body></s:Envelope>`
    expect(parseSoapFault(sys)?.ehealth).toEqual({
      kind: 'SystemError',
      id: 't1',
      origin: 'Server',
      code: 'SOA-02001',
      messages: [{ lang: 'fr', text: 'Service non disponible' }],
      retry: true,
      environment: 'Production',
    })
    const plain = `<s:Envelope xmlns:s="${SOAP11_NS}"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>bad</faultstring></s:Fault></s:Body></s:Envelope>`
    expect(parseSoapFault(plain)).toEqual({ code: 's:Client', codeNamespace: SOAP11_NS, codeLocalName: 'Client', reason: 'bad' })
    expect(faultToAgentError(parseSoapFault(plain)!, 'service').code).toBe('ERR_SERVICE_FAULT')
  })

  it('reads a SOAP 1.2 fault', () => {
    const xml = `<e:Envelope xmlns:e="${SOAP12_NS}"><e:Body><e:Fault><e:Code><e:Value>e:Sender</e:Value></e:Code><e:Reason><e:Text xml:lang="en">Malformed</e:Text></e:Reason></e:Fault></e:Body></e:Envelope>`
    expect(parseSoapFault(xml)).toMatchObject({ code: 'e:Sender', codeLocalName: 'Sender', codeNamespace: SOAP12_NS, reason: 'Malformed' })
  })

  it('returns undefined for a normal response', () => {
    expect(parseSoapFault(`<s:Envelope xmlns:s="${SOAP11_NS}"><s:Body><r xmlns="urn:x"/></s:Body></s:Envelope>`)).toBeUndefined()
  })
})
