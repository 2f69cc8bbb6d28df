import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AgentClient } from '../../clients/js/agent-client.js'
import { makeEnvelope } from '../helpers/envelopes.js'
import { startTestAgent, type TestAgent } from '../helpers/start-test-agent.js'

// Threat T9, payload substitution: the caller gets something signed that differs from what a
// reader (the user, the service) takes for the message. The agent parses the envelope itself and
// refuses anything ambiguous — before signing in, so a bad envelope never leads to a PIN prompt.

const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/'
const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd'
const corpus = (name: string) => readFileSync(new URL(`../hostile/xml/${name}`, import.meta.url), 'utf8')

/** [what it is, the envelope, the typed error expected]. */
const AMBIGUOUS: [string, string, string][] = [
  ['a second Body (corpus)', corpus('second-body.xml'), 'ERR_SOAP_INVALID'],
  ['a Body hidden in the Header (corpus)', corpus('body-in-header.xml'), 'ERR_SOAP_INVALID'],
  ['a pre-existing wsse:Security (corpus)', corpus('existing-security.xml'), 'ERR_SOAP_ALREADY_SIGNED'],
  ['two elements with the Body\'s Id (corpus)', corpus('duplicate-body-id.xml'), 'ERR_XML_DUPLICATE_ID'],
  [
    'a second Body after a realistic one (SOAP 1.2)',
    makeEnvelope(300, { version: '1.2' }).replace('</soapenv:Envelope>', '<soapenv:Body><urn:Other/></soapenv:Body></soapenv:Envelope>'),
    'ERR_SOAP_INVALID',
  ],
  [
    'a Body hidden in a header block under another prefix',
    makeEnvelope(300, { header: `<soapenv:Header><x:Routing xmlns:x="urn:x"><b:Body xmlns:b="${SOAP11}"><urn:Pay/></b:Body></x:Routing></soapenv:Header>` }),
    'ERR_SOAP_INVALID',
  ],
  ['a Body nested inside the Body', makeEnvelope(300).replace('<urn:Item>', `<urn:Item><soapenv:Body><urn:Pay/></soapenv:Body>`), 'ERR_SOAP_INVALID'],
  ['the Header after the Body', makeEnvelope(300).replace('</soapenv:Envelope>', '<soapenv:Header/></soapenv:Envelope>'), 'ERR_SOAP_INVALID'],
  ['a foreign element beside the Body', makeEnvelope(300).replace('</soapenv:Envelope>', '<x:Extra xmlns:x="urn:x"/></soapenv:Envelope>'), 'ERR_SOAP_INVALID'],
  [
    'a wsse:Security nested in another header block',
    makeEnvelope(300, { header: `<soapenv:Header><x:Outer xmlns:x="urn:x"><wsse:Security xmlns:wsse="${WSSE}"/></x:Outer></soapenv:Header>` }),
    'ERR_SOAP_ALREADY_SIGNED',
  ],
  [
    'a Security header of an old WS-Security draft',
    makeEnvelope(300, { header: '<soapenv:Header><s2:Security xmlns:s2="http://schemas.xmlsoap.org/ws/2002/07/secext"/></soapenv:Header>' }),
    'ERR_SOAP_ALREADY_SIGNED',
  ],
]

let t: TestAgent
let local: AgentClient

beforeAll(async () => {
  t = await startTestAgent()
  local = new AgentClient({ url: t.agent.url, credential: t.agent.credential })
})

afterAll(async () => {
  await t?.agent.close()
})

describe('T9: ambiguous envelopes are refused before anything is signed or prompted', () => {
  it.each(AMBIGUOUS)('soap.sign refuses %s', async (_what, envelope, code) => {
    await expect(local.call('soap.sign', { envelope })).rejects.toMatchObject({ code })
    expect(t.prompter.prompts).toEqual([])
    expect(t.agent.services.session.current()).toBeUndefined()
  })

  it.each(AMBIGUOUS)('soap.call refuses %s (nothing is sent)', async (_what, envelope, code) => {
    const endpoint = t.agent.services.environment.services.hokEcho!
    await expect(local.call('soap.call', { endpoint, envelope })).rejects.toMatchObject({ code })
    expect(t.prompter.prompts).toEqual([])
    expect(t.agent.services.session.current()).toBeUndefined()
  })

  it('the privacy log holds no signature and no call for them', async () => {
    const records = await t.agent.services.audit.list({ limit: 1000 })
    expect(records.filter((r) => r.event === 'soap.sign' || r.event === 'soap.call' || r.event === 'login')).toEqual([])
  })

  it('control: a clean envelope is signed (one prompt), and its Body is exactly the caller\'s bytes', async () => {
    const envelope = makeEnvelope(2000, { canary: 'T9-CONTROL' })
    const signed = await local.call('soap.sign', { envelope })
    expect(t.prompter.prompts).toHaveLength(1)
    const inner = (xml: string) => /<soapenv:Body\b[^>]*>([\s\S]*)<\/soapenv:Body>/.exec(xml)![1]
    expect(inner(signed.envelope)).toBe(inner(envelope))
    // And a signed envelope cannot be fed back for a second signature.
    await expect(local.call('soap.sign', { envelope: signed.envelope })).rejects.toMatchObject({ code: 'ERR_SOAP_ALREADY_SIGNED' })
  })
})
