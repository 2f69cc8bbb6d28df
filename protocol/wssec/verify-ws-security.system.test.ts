import { execFileSync } from 'node:child_process'
import { createPublicKey } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { makeEnvelope } from '../../test/helpers/envelopes.js'
import { sharedTestIdentity } from '../../test/helpers/test-pki.js'
import { requireTool } from '../../test/helpers/xmlsec.js'
import { WSSE_NS, WSU_NS } from '../soap/namespaces.js'
import { verifyWsSecurity, type SigningToken } from './verify-ws-security.js'

// verifyWsSecurity against a signature made by xmlsec1 (libxmlsec1), not by our own signer. The
// verifier's refusals are tested in verify-ws-security.test.ts.

const key = sharedTestIdentity('signer')

const keyFor = (t: SigningToken) =>
  t.kind === 'x509' ? createPublicKey(`-----BEGIN CERTIFICATE-----\n${t.certificateBase64}\n-----END CERTIFICATE-----`) : key.certificate.publicKey

describe('verifyWsSecurity, on an envelope it did not sign', () => {
  it('accepts an envelope signed by xmlsec1 (an implementation we did not write)', async () => {
    requireTool('xmlsec1', 'xmlsec1')
    const dir = mkdtempSync(join(tmpdir(), 'xmlsec-sign-'))
    try {
      const now = new Date()
      const template = makeEnvelope(500).replace('<soapenv:Body>', `<soapenv:Header><wsse:Security xmlns:wsse="${WSSE_NS}">` +
        `<wsu:Timestamp xmlns:wsu="${WSU_NS}" wsu:Id="TS-x"><wsu:Created>${now.toISOString()}</wsu:Created><wsu:Expires>${new Date(now.getTime() + 60_000).toISOString()}</wsu:Expires></wsu:Timestamp>` +
        `<wsse:BinarySecurityToken xmlns:wsu="${WSU_NS}" ValueType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3" EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary" wsu:Id="X509-x">${key.certificateBase64}</wsse:BinarySecurityToken>` +
        `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>` +
        ['id-x', 'TS-x', 'X509-x'].map((id) => `<ds:Reference URI="#${id}"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference>`).join('') +
        `</ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><wsse:SecurityTokenReference><wsse:Reference URI="#X509-x" ValueType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"/></wsse:SecurityTokenReference></ds:KeyInfo></ds:Signature>` +
        `</wsse:Security></soapenv:Header><soapenv:Body xmlns:wsu="${WSU_NS}" wsu:Id="id-x">`)
      writeFileSync(join(dir, 't.xml'), template)
      writeFileSync(join(dir, 'k.pem'), key.privateKeyPem)
      execFileSync('xmlsec1', ['--sign', '--privkey-pem', join(dir, 'k.pem'), '--id-attr:Id', `${WSU_NS}:Timestamp`, '--id-attr:Id', 'http://schemas.xmlsoap.org/soap/envelope/:Body', '--id-attr:Id', `${WSSE_NS}:BinarySecurityToken`, '--output', join(dir, 'o.xml'), join(dir, 't.xml')])
      const out = readFileSync(join(dir, 'o.xml'), 'utf8')
      const v = await verifyWsSecurity(out, { now, keyFor })
      expect(v.token.kind).toBe('x509')
      await expect(verifyWsSecurity(out.replace('R/1234', 'R/1'), { now, keyFor })).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID' })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
