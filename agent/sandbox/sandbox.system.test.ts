import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseSoapFault } from '../../protocol/soap/parse-fault.js'
import { WSSE_NS, WSU_NS } from '../../protocol/soap/namespaces.js'
import { claimsForProfile } from '../../protocol/sts/claims.js'
import { sharedSandboxPki } from '../../test/helpers/sandbox-pki.js'
import { requireTool } from '../../test/helpers/xmlsec.js'
import { STS_ACTIONS } from '../sts-client.js'
import { startSandbox, type RunningSandbox } from './server.js'

// The sandbox STS accepts a request our own signer did not make: xmlsec1 (libxmlsec1) signs it.
// The rest of the sandbox is tested in sandbox.test.ts.

let sandbox: RunningSandbox

const rawPost = (path: string, body: string, action = STS_ACTIONS.issue) =>
  fetch(sandbox.url + path, { method: 'POST', headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `"${action}"` }, body })

beforeAll(async () => {
  // The PKI shared by the test run: these tests use its keys; generating them is tested elsewhere.
  sandbox = await startSandbox({ stateDir: dirname((await sharedSandboxPki()).dir) })
}, 120_000)

afterAll(async () => {
  await sandbox?.close()
})

function doctorClaims() {
  const ks = sandbox.state.pki.keystores.doctor
  return claimsForProfile('doctor', { ssin: ks.ssin! })
}

describe('sandbox WS-Trust STS, with a request signed by xmlsec1', () => {
  it('accepts an STS request signed by xmlsec1 and refuses it once tampered', async () => {
    requireTool('xmlsec1', 'xmlsec1')
    const ks = sandbox.state.pki.keystores.doctor
    const claims = doctorClaims()
    const { buildIssueRequest } = await import('../../protocol/sts/build-rst.js')
    const now = new Date()
    const rst = buildIssueRequest({ claims, created: now, expires: new Date(now.getTime() + 3600_000), context: 'ctx-xmlsec', hokCertificateBase64: ks.certificatePem.replace(/-----[^-]+-----|\s+/g, '') })
    const signed = xmlsecSignX509(rst, ks.privateKeyPem, ks.certificatePem.replace(/-----[^-]+-----|\s+/g, ''), now)
    const ok = await rawPost('/IAM/SecurityTokenService/v1', signed)
    expect(ok.status).toBe(200)
    expect(await ok.text()).toContain('RequestedSecurityToken')
    const tampered = await rawPost('/IAM/SecurityTokenService/v1', signed.replace('ctx-xmlsec', 'ctx-xmlsed'))
    expect(tampered.status).toBe(500)
    expect(parseSoapFault(await tampered.text())?.ehealth?.code).toBe('SOA-01001')
  })
})

/** The STS request signed by xmlsec1 from a template (an implementation we did not write). */
function xmlsecSignX509(bodyXml: string, keyPem: string, certBase64: string, now: Date): string {
  const d = mkdtempSync(join(tmpdir(), 'xmlsec-sts-'))
  try {
    const ref = (id: string) =>
      `<ds:Reference URI="#${id}"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference>`
    const template =
      `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header><wsse:Security xmlns:wsse="${WSSE_NS}">` +
      `<wsu:Timestamp xmlns:wsu="${WSU_NS}" wsu:Id="TS-1"><wsu:Created>${now.toISOString()}</wsu:Created><wsu:Expires>${new Date(now.getTime() + 60_000).toISOString()}</wsu:Expires></wsu:Timestamp>` +
      `<wsse:BinarySecurityToken xmlns:wsu="${WSU_NS}" EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary" ValueType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3" wsu:Id="X509-1">${certBase64}</wsse:BinarySecurityToken>` +
      `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>` +
      ref('id-1') + ref('TS-1') + ref('X509-1') +
      `</ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><wsse:SecurityTokenReference><wsse:Reference URI="#X509-1" ValueType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"/></wsse:SecurityTokenReference></ds:KeyInfo></ds:Signature>` +
      `</wsse:Security></soapenv:Header><soapenv:Body xmlns:wsu="${WSU_NS}" wsu:Id="id-1">${bodyXml}</soapenv:Body></soapenv:Envelope>`
    writeFileSync(join(d, 't.xml'), template)
    writeFileSync(join(d, 'k.pem'), keyPem)
    execFileSync('xmlsec1', ['--sign', '--privkey-pem', join(d, 'k.pem'), '--id-attr:Id', `${WSU_NS}:Timestamp`, '--id-attr:Id', 'http://schemas.xmlsoap.org/soap/envelope/:Body', '--id-attr:Id', `${WSSE_NS}:BinarySecurityToken`, '--output', join(d, 'o.xml'), join(d, 't.xml')])
    return readFileSync(join(d, 'o.xml'), 'utf8')
  } finally {
    rmSync(d, { recursive: true, force: true })
  }
}
