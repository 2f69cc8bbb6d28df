import { describe, expect, it } from 'vitest'
import { isLoopbackHttpUrl, parseSandboxManifest, type SandboxManifest } from './sandbox-manifest.js'

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2Vy\n-----END CERTIFICATE-----\n'
const BASE = 'http://127.0.0.1:4753'

const VALID: SandboxManifest = {
  format: 'ehealth-agent-sandbox',
  version: 1,
  url: BASE,
  notice: 'TEST PKI',
  environment: {
    stsWsTrust: `${BASE}/IAM/SecurityTokenService/v1`,
    stsSamlP: `${BASE}/IAM/Saml11TokenService/v1`,
    idpSso: `${BASE}/idp/Token/SSO`,
    iamConnectIssuer: `${BASE}/auth/realms/healthcare`,
    services: { hokEcho: `${BASE}/sandbox/EchoService/HolderOfKey/v1` },
  },
  trust: { stsCertificates: [PEM], caCertificates: [{ name: 'TEST eHealth sandbox issuing CA', pem: PEM }] },
  keystores: [{ id: 'doctor', kind: 'person', holder: 'Dr. Test', ssin: '79021802145', p12Path: '/tmp/doctor.p12', alias: 'authentication', password: 'sandbox' }],
  defaultKeystore: 'doctor',
}

const code = (f: () => unknown) => {
  try {
    f()
  } catch (err) {
    return err as { code: string; message: string }
  }
  throw new Error('expected a refusal')
}

describe('the sandbox manifest schema', () => {
  it('accepts a complete manifest, with or without the demo section', () => {
    expect(parseSandboxManifest(VALID)).toEqual(VALID)
    const demo = { ...VALID, demo: { person: 'doctor', keystorePassword: 'sandbox', eidPin: '1234' } }
    expect(parseSandboxManifest(demo).demo?.eidPin).toBe('1234')
  })

  it.each([
    ['a real eHealth endpoint', { ...VALID, environment: { ...VALID.environment, stsWsTrust: 'https://services.ehealth.fgov.be/IAM/SecurityTokenService/v1' } }, /environment\.stsWsTrust/],
    ['no STS certificate', { ...VALID, trust: { ...VALID.trust, stsCertificates: [] } }, /trust\.stsCertificates/],
    ['a certificate that is not PEM', { ...VALID, trust: { ...VALID.trust, stsCertificates: ['MIIB…'] } }, /PEM certificate/],
    ['a default keystore not in the list', { ...VALID, defaultKeystore: 'nurse' }, /defaultKeystore/],
    ['another format', { ...VALID, format: 'ehealth-agent-sandbox-pki' }, /format/],
    ['another version', { ...VALID, version: 2 }, /version/],
    ['an unknown key (strict)', { ...VALID, extra: true }, /unrecognized|extra/i],
    ['a demo PIN that is no PIN', { ...VALID, demo: { person: 'doctor', keystorePassword: 'sandbox', eidPin: 'pin' } }, /demo\.eidPin/],
    ['not an object', 'manifest', /\(root\)/],
  ])('refuses %s with ERR_REMOTE_PROTOCOL naming the field', (_what, value, field) => {
    const err = code(() => parseSandboxManifest(value))
    expect(err.code).toBe('ERR_REMOTE_PROTOCOL')
    expect(err.message).toMatch(field)
  })

  it('loopback means 127.0.0.1, [::1] or localhost over plain HTTP, without credentials', () => {
    for (const ok of ['http://127.0.0.1:4753', 'http://[::1]:1/x', 'http://localhost:4753/']) expect(isLoopbackHttpUrl(ok), ok).toBe(true)
    for (const no of ['https://127.0.0.1:4753', 'http://10.0.0.1:4753', 'http://127.0.0.1.evil.example/', 'http://user:pw@127.0.0.1/', 'not a url']) expect(isLoopbackHttpUrl(no), no).toBe(false)
  })
})
