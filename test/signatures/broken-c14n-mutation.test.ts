import { sign, X509Certificate } from 'node:crypto'
import { dirname } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { startSandbox, type RunningSandbox } from '../../agent/sandbox/server.js'
import { certificateFromBase64, checkSandboxChain } from '../../agent/sandbox/sts/certificate-trust.js'
import { mintAssertion } from '../../agent/sandbox/sts/mint-assertion.js'
import { checkStsAssertion } from '../../agent/sandbox/verify/check-sts-assertion.js'
import { checkWsSecurity, type MessageToken } from '../../agent/sandbox/verify/check-ws-security.js'
import type { SandboxPki } from '../../agent/sandbox/pki/types.js'
import { SANDBOX_PATHS } from '../../protocol/environments.js'
import { checkAssertion } from '../../protocol/saml/check-assertion.js'
import { parseSoapFault } from '../../protocol/soap/parse-fault.js'
import { buildIssueRequest } from '../../protocol/sts/build-rst.js'
import { claimsForProfile } from '../../protocol/sts/claims.js'
import { canonicalize } from '../../protocol/xml/c14n.js'
import { parseXml } from '../../protocol/xml/parse-xml.js'
import { prepareWsSecurity, type WsSecurityProfile } from '../../protocol/wssec/prepare-ws-security.js'
import { verifyWsSecurity, type SigningToken } from '../../protocol/wssec/verify-ws-security.js'
import { sharedSandboxPki } from '../helpers/sandbox-pki.js'

// The sandbox stands in for eHealth. If it checked signatures with the agent's own canonicalizer,
// a c14n bug would sign wrong bytes AND verify them, and every end-to-end test would pass. Here
// the agent's c14n is deliberately broken (test-only: this file mocks protocol/xml/c14n-escape.js,
// the character rules both of the agent's canonicalizers share — the streaming one that signs and
// the DOM one its verifier uses): the agent signs with it and its own verifier, sharing the bug,
// accepts; the sandbox, checking with xml-crypto, refuses, directly and through its HTTP endpoints.

/** Each mutation replaces one of the shared c14n rules by what a plausible bug would do. */
const { MUTATIONS, active } = vi.hoisted(() => {
  type Escape = typeof import('../../protocol/xml/c14n-escape.js')
  const MUTATIONS = {
    'text-gt-unescaped': {
      what: '">" in text not escaped as &gt; (C14N 1.0 §2.3)',
      mutate: (actual: Escape): Partial<Escape> => ({ escapeText: (t) => actual.escapeText(t).replaceAll('&gt;', '>') }),
    },
    'text-cr-unescaped': {
      what: 'a carriage return in text written raw instead of &#xD; (C14N 1.0 §2.3)',
      mutate: (actual: Escape): Partial<Escape> => ({ escapeText: (t) => actual.escapeText(t).replaceAll('&#xD;', '\r') }),
    },
    'attribute-newline-unescaped': {
      what: 'a line feed in an attribute value written raw instead of &#xA; (C14N 1.0 §2.3)',
      mutate: (actual: Escape): Partial<Escape> => ({ escapeAttr: (v) => actual.escapeAttr(v).replaceAll('&#xA;', '\n') }),
    },
  } as const
  return { MUTATIONS, active: { name: undefined as keyof typeof MUTATIONS | undefined } }
})

vi.mock('../../protocol/xml/c14n-escape.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../protocol/xml/c14n-escape.js')>()
  const current = () => (active.name ? { ...actual, ...MUTATIONS[active.name].mutate(actual) } : actual)
  return {
    ...actual,
    escapeText: (t: string) => current().escapeText(t),
    escapeAttr: (v: string) => current().escapeAttr(v),
  }
})

// One element that each mutation changes: a line feed in a value, a ">" and a carriage return in
// text. (A mutation of the attribute order is not used: it would also break the agent's check of
// the STS assertion, which the sandbox signed correctly, so the agent would not "share the bug".)
const TRIGGERS =
  `<t:Triggers xmlns:t="urn:test:mutations" xmlns:z="urn:a" xmlns:b="urn:z" z:k="1" b:k="2" plain="3" note="line1&#10;line2">` +
  `<Inner xmlns="urn:inner"><Plain xmlns="">a &gt; b&#13;c</Plain></Inner></t:Triggers>`
const ENVELOPE =
  `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>` +
  `<urn:ConsultRequest xmlns:urn="urn:be:fgov:ehealth:test:v1"><urn:Code>R/1234</urn:Code>${TRIGGERS}</urn:ConsultRequest>` +
  `</soapenv:Body></soapenv:Envelope>`

let pki: SandboxPki
let sandbox: RunningSandbox
let hokProfile: WsSecurityProfile
let n = 0

beforeAll(async () => {
  pki = await sharedSandboxPki()
  // The sandbox server itself, on a loopback port, over the shared test PKI.
  sandbox = await startSandbox({ stateDir: dirname(pki.dir) })
  const now = new Date()
  const doctor = pki.keystores.doctor
  const assertionXml = mintAssertion(sandbox.state, {
    now,
    notOnOrAfter: new Date(now.getTime() + 3600_000),
    subjectDn: doctor.subject,
    issuerDn: doctor.issuer,
    hokCertificateBase64: doctor.certificateBase64,
    attributes: [{ name: 'urn:be:fgov:person:ssin', namespace: 'urn:be:fgov:identification-namespace', values: [doctor.ssin!] }],
  })
  hokProfile = { kind: 'saml-hok', assertionXml, assertionId: /AssertionID="([^"]+)"/.exec(assertionXml)![1]! }
}, 120_000)

afterEach(() => {
  active.name = undefined
})

afterAll(async () => {
  await sandbox?.close()
})

/** The agent's signing path: prepare/finish over the (possibly broken) c14n, the doctor's key. */
function agentSigns(envelope: string, profile: WsSecurityProfile): string {
  const doctor = pki.keystores.doctor
  const p = prepareWsSecurity(envelope, { profile, now: new Date(), newId: (k) => `${k}-${++n}` })
  return p.finish(sign(p.hash, p.signedInfo, doctor.privateKey))
}

const x509Profile = (): WsSecurityProfile => ({ kind: 'x509', certificateBase64: pki.keystores.doctor.certificateBase64 })

/** The agent's own verifier (protocol/), whose canonicalize() shares the mocked rules. */
function agentVerifies(text: string) {
  const now = new Date()
  const keyFor = (t: SigningToken) =>
    new X509Certificate(
      Buffer.from(t.kind === 'x509' ? t.certificateBase64 : checkAssertion(t.assertionXml, { trustedSigners: [pki.sts.certificate], now }).hokCertificateBase64, 'base64'),
    ).publicKey
  return verifyWsSecurity(text, { now, keyFor })
}

/** The sandbox's verifier, called directly, with the trust policy of its services. */
function sandboxVerifies(text: string) {
  const now = new Date()
  const keyFor = (t: MessageToken) => {
    if (t.kind === 'saml-hok') return certificateFromBase64(checkStsAssertion(t.assertionXml, { stsCertificates: [pki.sts.certificate], now }).hokCertificateBase64).publicKey
    const cert = certificateFromBase64(t.certificateBase64)
    checkSandboxChain(cert, pki, now)
    return cert.publicKey
  }
  return checkWsSecurity(text, { now, keyFor })
}

async function post(path: string, body: string): Promise<{ status: number; text: string }> {
  const res = await fetch(sandbox.url + path, { method: 'POST', headers: { 'Content-Type': 'text/xml; charset=utf-8' }, body })
  return { status: res.status, text: await res.text() }
}

/** A WS-Trust Issue request (the Body the STS reads), with the trigger element as an extension. */
function rstEnvelope(): string {
  const now = new Date()
  const rst = buildIssueRequest({
    claims: claimsForProfile('doctor', { ssin: pki.keystores.doctor.ssin! }),
    created: now,
    expires: new Date(now.getTime() + 3600_000),
    context: `mutation-${++n}`,
  }).replace('</wst:RequestSecurityToken>', `${TRIGGERS}</wst:RequestSecurityToken>`)
  return `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>${rst}</soapenv:Body></soapenv:Envelope>`
}

const SERVICES = [
  { profile: () => hokProfile, path: SANDBOX_PATHS.hokService },
  { profile: x509Profile, path: SANDBOX_PATHS.x509Service },
] as const

describe('a broken c14n in the agent: its own verifier shares the bug, the sandbox (xml-crypto) catches it', () => {
  it('control: with the correct c14n, the sandbox accepts the same envelopes, directly and over HTTP', async () => {
    for (const { profile, path } of SERVICES) {
      const signed = agentSigns(ENVELOPE, profile())
      await expect(agentVerifies(signed)).resolves.toBeDefined()
      await expect(sandboxVerifies(signed)).resolves.toBeDefined()
      const res = await post(path, signed)
      expect(res.status, res.text).toBe(200)
      expect(res.text).toContain('<echo:Accepted>true</echo:Accepted>')
    }
    const sts = await post(SANDBOX_PATHS.stsWsTrust, agentSigns(rstEnvelope(), x509Profile()))
    expect(sts.status, sts.text).toBe(200)
    expect(sts.text).toContain('RequestedSecurityToken')
  })

  for (const [name, mutation] of Object.entries(MUTATIONS) as [keyof typeof MUTATIONS, (typeof MUTATIONS)[keyof typeof MUTATIONS]][]) {
    it(`${name}: ${mutation.what}`, async () => {
      // The mutation really changes this Body's canonical form (else nothing is tested).
      const { root } = parseXml(ENVELOPE)
      const body = root.firstChild as Element
      const correct = canonicalize(body)
      active.name = name
      expect(canonicalize(body)).not.toBe(correct)

      for (const { profile, path } of SERVICES) {
        const signed = agentSigns(ENVELOPE, profile())
        // The agent's verifier canonicalizes with the same broken code: it cannot see the bug.
        await expect(agentVerifies(signed)).resolves.toBeDefined()
        // The sandbox digests the Body with xml-crypto and finds other bytes signed.
        await expect(sandboxVerifies(signed)).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID', message: /digest of #id-\d+ does not match/ })
        const res = await post(path, signed)
        expect(res.status).toBe(500)
        expect(parseSoapFault(res.text)?.ehealth).toMatchObject({
          code: 'SOA-01001',
          messages: [{ text: 'Service call not authenticated' }, { text: expect.stringMatching(/digest of #id-\d+ does not match/) }],
        })
      }

      const rst = agentSigns(rstEnvelope(), x509Profile())
      await expect(agentVerifies(rst)).resolves.toBeDefined()
      const sts = await post(SANDBOX_PATHS.stsWsTrust, rst)
      expect(sts.status).toBe(500)
      expect(parseSoapFault(sts.text)?.ehealth).toMatchObject({ code: 'SOA-01001', messages: [{ text: 'Service call not authenticated' }, { text: expect.stringMatching(/digest/) }] })
    })
  }
})
