import { describe, expect, it } from 'vitest'
import { SOAP11_NS, SOAP12_NS, WSSE_NS, WSU_NS } from './namespaces.js'
import { spliceHeader } from './splice-header.js'
import { splitEnvelope } from './split-envelope.js'

const env = (inner: string, ns = SOAP11_NS) => `<s:Envelope xmlns:s="${ns}">${inner}</s:Envelope>`

describe('splitEnvelope', () => {
  it('splits SOAP 1.1 and 1.2 envelopes and names the operation', () => {
    for (const ns of [SOAP11_NS, SOAP12_NS]) {
      const split = splitEnvelope(env('<s:Header/><s:Body><op:Get xmlns:op="urn:op"/></s:Body>', ns))
      expect(split.version).toBe(ns === SOAP11_NS ? '1.1' : '1.2')
      expect(split.header?.localName).toBe('Header')
      expect(split.bodyRoot?.localName).toBe('Get')
      expect(split.spans.body.qname).toBe('s:Body')
    }
  })

  const refused: [string, string, string][] = [
    ['no Body', env('<s:Header/>'), 'ERR_SOAP_INVALID'],
    ['two Bodies', env('<s:Body/><s:Body/>'), 'ERR_SOAP_INVALID'],
    ['two Headers', env('<s:Header/><s:Header/><s:Body/>'), 'ERR_SOAP_INVALID'],
    ['Header after Body', env('<s:Body/><s:Header/>'), 'ERR_SOAP_INVALID'],
    ['a Body hidden in the Header', env('<s:Header><x><s:Body><evil/></s:Body></x></s:Header><s:Body/>'), 'ERR_SOAP_INVALID'],
    ['a Body nested in the Body', env('<s:Body><x><s:Body/></x></s:Body>'), 'ERR_SOAP_INVALID'],
    ['an extra element in the Envelope', env('<s:Body/><x:y xmlns:x="urn:x"/>'), 'ERR_SOAP_INVALID'],
    ['a non-SOAP root', '<Envelope><Body/></Envelope>', 'ERR_SOAP_INVALID'],
    ['an existing wsse:Security', env(`<s:Header><wsse:Security xmlns:wsse="${WSSE_NS}"/></s:Header><s:Body/>`), 'ERR_SOAP_ALREADY_SIGNED'],
    ['a DOCTYPE', '<!DOCTYPE s:Envelope [<!ENTITY x "y">]>' + env('<s:Body/>'), 'ERR_XML_DTD_FORBIDDEN'],
    ['malformed XML', env('<s:Body><a></s:Body>'), 'ERR_XML_MALFORMED'],
  ]
  for (const [name, xml, code] of refused) {
    it(`refuses ${name} with ${code}`, () => {
      expect(() => splitEnvelope(xml)).toThrow(expect.objectContaining({ code }))
    })
  }

  it('reads the operation, the Body id and every id on the same pass, and builds a DOM only when asked', () => {
    const split = splitEnvelope(
      env(`<s:Header><h xml:id="H"/></s:Header><s:Body xmlns:u="${WSU_NS}" u:Id="B"><op:Get xmlns:op="urn:op" ID="G" AssertionID="A"/></s:Body>`),
    )
    expect(split.operation).toEqual({ namespace: 'urn:op', localName: 'Get' })
    expect(split.bodyId).toBe('B')
    expect([...split.ids].sort()).toEqual(['A', 'B', 'G', 'H'])
    expect(split.bodyCanonical.idPrefix).toBe('')
    expect(split.bodyRoot?.getAttribute('ID')).toBe('G')
  })

  it('refuses two elements with one id, whichever id attributes carry it', () => {
    for (const [a, b] of [['xml:id', 'Id'], ['ID', 'AssertionID'], ['RequestID', 'ResponseID']]) {
      expect(() => splitEnvelope(env(`<s:Header><h ${a}="X"/></s:Header><s:Body><m ${b}="X"/></s:Body>`))).toThrow(
        expect.objectContaining({ code: 'ERR_XML_DUPLICATE_ID' }),
      )
    }
    expect(() => splitEnvelope(env('<s:Body><m Id="X" ID="X"/></s:Body>'))).not.toThrow()
  })

  it('picks the prefix of the wsu:Id to add: wsu, or the next free one when wsu means something else', () => {
    expect(splitEnvelope(env('<s:Body/>')).bodyCanonical).toMatchObject({ idPrefix: 'wsu', declareIdPrefix: true })
    const declared = `<s:Envelope xmlns:s="${SOAP11_NS}" xmlns:wsu="${WSU_NS}"><s:Body/></s:Envelope>`
    expect(splitEnvelope(declared).bodyCanonical).toMatchObject({ idPrefix: 'wsu', declareIdPrefix: false })
    const taken = `<s:Envelope xmlns:s="${SOAP11_NS}" xmlns:wsu="urn:other"><s:Body xmlns:wsu1="urn:other2"/></s:Envelope>`
    expect(splitEnvelope(taken).bodyCanonical).toMatchObject({ idPrefix: 'wsu2', declareIdPrefix: true })
  })

  it('reports a document that is not XML as such even when it is not SOAP either', () => {
    expect(() => splitEnvelope('<Envelope><Body v="<"/></Envelope>')).toThrow(expect.objectContaining({ code: 'ERR_XML_MALFORMED' }))
  })

  it('accepts an existing Security header when reading (responses, sandbox)', () => {
    const xml = env(`<s:Header><wsse:Security xmlns:wsse="${WSSE_NS}"/></s:Header><s:Body/>`)
    expect(splitEnvelope(xml, { allowSecurityHeader: true }).header).toBeDefined()
  })
})

describe('spliceHeader', () => {
  it('creates a Header with the Body prefix when there is none, and keeps all other bytes', () => {
    const xml = `<?xml version="1.0"?>\n<s:Envelope xmlns:s="${SOAP11_NS}">\n  <s:Body a="1">\n<x>&amp;<![CDATA[<y>]]></x></s:Body>\n</s:Envelope>`
    const out = spliceHeader(splitEnvelope(xml), { headerContent: '<h/>', bodyAttributes: ' b="2"' })
    expect(out).toBe(`<?xml version="1.0"?>\n<s:Envelope xmlns:s="${SOAP11_NS}">\n  <s:Header><h/></s:Header><s:Body a="1" b="2">\n<x>&amp;<![CDATA[<y>]]></x></s:Body>\n</s:Envelope>`)
  })

  it('expands a self-closing Header keeping its attributes, and handles a self-closing Body', () => {
    const xml = env('<s:Header a="1" /><s:Body/>')
    const out = spliceHeader(splitEnvelope(xml), { headerContent: '<h/>', bodyAttributes: ' b="2"' })
    expect(out).toBe(env('<s:Header a="1"><h/></s:Header><s:Body b="2"/>'))
  })

  it('is not confused by ">" inside attribute values, comments or CDATA before the Body', () => {
    const xml = env('<!-- <s:Body> --><s:Header x="a>b"><![CDATA[</s:Header>]]></s:Header><s:Body y=\'>\'>t</s:Body>')
    const out = spliceHeader(splitEnvelope(xml), { headerContent: '<h/>', bodyAttributes: ' b="2"' })
    expect(out).toBe(env('<!-- <s:Body> --><s:Header x="a>b"><h/><![CDATA[</s:Header>]]></s:Header><s:Body y=\'>\' b="2">t</s:Body>'))
  })
})
