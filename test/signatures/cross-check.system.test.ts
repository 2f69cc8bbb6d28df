import { createHash, sign, X509Certificate } from 'node:crypto'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SandboxState } from '../../agent/sandbox/sandbox-state.js'
import type { SandboxPki } from '../../agent/sandbox/pki/types.js'
import { handleEchoService } from '../../agent/sandbox/services/echo-service.js'
import { mintAssertion } from '../../agent/sandbox/sts/mint-assertion.js'
import { checkAssertion } from '../../protocol/saml/check-assertion.js'
import type { SignatureAlgorithm } from '../../protocol/xml/algorithms.js'
import { canonicalize } from '../../protocol/xml/c14n.js'
import { prepareWsSecurity, type WsSecurityProfile } from '../../protocol/wssec/prepare-ws-security.js'
import { verifyWsSecurity, type SigningToken } from '../../protocol/wssec/verify-ws-security.js'
import { sharedSandboxPki } from '../helpers/sandbox-pki.js'
import { generateEnvelopes, type Feature } from '../helpers/varied-envelopes.js'

// Every signature the agent makes must be accepted by implementations it does not share code
// with: (a) the sandbox, which checks with xml-crypto (agent/sandbox/verify), (b) libxmlsec1
// through python3-xmlsec, and (c) the agent's own verifier. Each also canonicalizes the Body,
// and the three canonical forms must be the same bytes.

const COUNT = 320
const PYTHON = '/usr/bin/python3'

/** One python process for every envelope: libxmlsec1 verifies, lxml (libxml2) canonicalizes. */
const LIBXMLSEC_SCRIPT = String.raw`
import sys, json, hashlib, base64
try:
    import xmlsec
    from lxml import etree
except ImportError as e:
    print(json.dumps({'fatal': 'python3-xmlsec / python3-lxml missing: %s (apt-get install -y python3-xmlsec python3-lxml)' % e}))
    sys.exit(0)
DS = 'http://www.w3.org/2000/09/xmldsig#'
WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd'
SAML = 'urn:oasis:names:tc:SAML:1.0:assertion'
manifest = json.load(open(sys.argv[1]))

def verify(signature, cert_pem):
    ctx = xmlsec.SignatureContext()
    ctx.key = xmlsec.Key.from_memory(cert_pem.encode(), xmlsec.constants.KeyDataFormatCertPem)
    ctx.verify(signature)

def covered(root, signature):
    tags = []
    for ref in signature.findall('{%s}SignedInfo/{%s}Reference' % (DS, DS)):
        uri = ref.get('URI') or ''
        found = root.xpath('//*[@*[local-name()="Id" or local-name()="AssertionID"]=$v]', v=uri[1:])
        if not uri.startswith('#') or len(found) != 1:
            raise Exception('reference %s does not resolve to one element' % uri)
        tags.append(etree.QName(found[0]).localname)
    return sorted(tags)

for item in manifest['envelopes']:
    try:
        # fromstring, not parse(): lxml then reads no error state libxmlsec1 left behind.
        root = etree.fromstring(open(item['file'], 'rb').read())
        xmlsec.tree.add_ids(root, ['Id', 'AssertionID'])
        soap = item['soapNs']
        security = root.find('{%s}Header/{%s}Security' % (soap, WSSE))
        signatures = security.findall('{%s}Signature' % DS)
        if len(signatures) != 1:
            raise Exception('%d message signatures' % len(signatures))
        verify(signatures[0], manifest['certs'][item['signer']])
        expected = ['Body', 'Timestamp'] + (['BinarySecurityToken'] if item['kind'] == 'x509' else [])
        if covered(root, signatures[0]) != sorted(expected):
            raise Exception('the signature covers %s' % covered(root, signatures[0]))
        if item['kind'] == 'saml-hok':
            assertion = security.find('{%s}Assertion' % SAML)
            own = assertion.find('{%s}Signature' % DS)
            verify(own, manifest['certs']['sts'])
            if covered(root, own) != ['Assertion']:
                raise Exception('the assertion signature covers %s' % covered(root, own))
        body = root.find('{%s}Body' % soap)
        c14n = etree.tostring(body, method='c14n', exclusive=True, with_comments=False)
        print(json.dumps({'file': item['file'], 'ok': True, 'bodySha256': base64.b64encode(hashlib.sha256(c14n).digest()).decode()}))
    except Exception as e:
        print(json.dumps({'file': item['file'], 'ok': False, 'error': '%s: %s' % (type(e).__name__, e)}))
`

interface Signed {
  file: string
  text: string
  kind: 'saml-hok' | 'x509'
  algorithm: SignatureAlgorithm
  signer: 'doctor' | 'eid'
  soapNs: string
  features: Set<Feature>
}

let pki: SandboxPki
let dir: string
let signed: Signed[]

beforeAll(async () => {
  const probe = spawnSync(PYTHON, ['-c', 'import xmlsec, lxml'])
  if (probe.status !== 0) throw new Error(`${PYTHON} cannot import xmlsec and lxml; install them with: apt-get install -y python3-xmlsec python3-lxml`)
  pki = await sharedSandboxPki()
  dir = mkdtempSync(join(tmpdir(), 'cross-check-'))
  const now = new Date()
  const doctor = pki.keystores.doctor
  const eid = pki.eid[Object.keys(pki.eid)[0] as keyof typeof pki.eid].authentication
  const assertionXml = mintAssertion(new SandboxState(pki, () => new Date()), {
    now,
    notOnOrAfter: new Date(now.getTime() + 3600_000),
    subjectDn: doctor.subject,
    issuerDn: doctor.issuer,
    hokCertificateBase64: doctor.certificateBase64,
    attributes: [{ name: 'urn:be:fgov:person:ssin', namespace: 'urn:be:fgov:identification-namespace', values: [doctor.ssin!] }],
  })
  const assertionId = /AssertionID="([^"]+)"/.exec(assertionXml)![1]!

  let n = 0
  signed = generateEnvelopes(COUNT).map((envelope, i) => {
    const kind = i % 2 === 0 ? 'saml-hok' : 'x509'
    const algorithm: SignatureAlgorithm = i % 4 < 2 ? 'rsa-sha256' : 'rsa-sha1'
    const signer = kind === 'x509' && i % 3 === 0 ? 'eid' : 'doctor'
    const key = signer === 'eid' ? eid : doctor
    const profile: WsSecurityProfile = kind === 'saml-hok' ? { kind, assertionXml, assertionId } : { kind, certificateBase64: key.certificateBase64 }
    const p = prepareWsSecurity(envelope.text, { profile, now, algorithm, newId: (k) => `${k}-${i}-${++n}` })
    const text = p.finish(sign(p.hash, p.signedInfo, key.privateKey))
    const file = join(dir, `envelope-${i}.xml`)
    writeFileSync(file, text)
    const soapNs = /Envelope[^>]*xmlns(?::[^=]+)?="(http:\/\/(?:schemas\.xmlsoap\.org\/soap\/envelope\/|www\.w3\.org\/2003\/05\/soap-envelope))"/.exec(text)![1]!
    return { file, text, kind, algorithm, signer, soapNs, features: envelope.features }
  })
}, 300_000)

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('every envelope the agent signs is accepted by three verifiers that share no code', () => {
  it(`${COUNT} generated envelopes, both profiles, both algorithms: the sandbox (xml-crypto), libxmlsec1 and the agent accept all`, async () => {
    // The generator really produced the constructs c14n must get right.
    const seen = new Set(signed.flatMap((s) => [...s.features]))
    const wanted: Feature[] = [
      'redeclared-prefix', 'unused-namespace', 'default-namespace', 'undeclared-default', 'envelope-namespace-used', 'namespaced-attributes',
      'xml-attribute', 'comment', 'cdata', 'processing-instruction', 'character-reference', 'non-ascii', 'crlf', 'deep-nesting', 'soap12', 'caller-body-id',
    ]
    expect(wanted.filter((f) => !seen.has(f))).toEqual([])

    // (a) The sandbox's services, exactly as they answer a real call.
    const state = new SandboxState(pki, () => new Date())
    const sandboxDigests = new Map<string, string>()
    const sandboxRefused: string[] = []
    for (const s of signed) {
      const reply = await handleEchoService(state, s.text, s.kind)
      const digest = /<echo:BodyDigest Algorithm="sha256">([^<]+)<\/echo:BodyDigest>/.exec(reply.body)?.[1]
      if (reply.status === 200 && digest) sandboxDigests.set(s.file, digest)
      else sandboxRefused.push(`${s.file}: ${reply.body.slice(0, 600)}`)
    }

    // (b) libxmlsec1, one python process for all of them.
    const manifest = join(dir, 'manifest.json')
    writeFileSync(
      manifest,
      JSON.stringify({
        certs: {
          doctor: pki.keystores.doctor.certificatePem,
          eid: pki.eid[Object.keys(pki.eid)[0] as keyof typeof pki.eid].authentication.certificatePem,
          sts: pki.sts.certificatePem,
        },
        envelopes: signed.map((s) => ({ file: s.file, kind: s.kind, signer: s.signer, soapNs: s.soapNs })),
      }),
    )
    const lines = execFileSync(PYTHON, ['-c', LIBXMLSEC_SCRIPT, manifest], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { fatal?: string; file: string; ok: boolean; error?: string; bodySha256?: string })
    if (lines[0]?.fatal) throw new Error(lines[0].fatal)
    const libxmlsecDigests = new Map(lines.filter((l) => l.ok).map((l) => [l.file, l.bodySha256!]))
    const libxmlsecRefused = lines.filter((l) => !l.ok).map((l) => `${l.file}: ${l.error}`)

    // (c) The agent's own verifier (protocol/), trusting the sandbox STS for the HOK token.
    const now = new Date()
    const keyFor = (t: SigningToken) =>
      new X509Certificate(
        Buffer.from(t.kind === 'x509' ? t.certificateBase64 : checkAssertion(t.assertionXml, { trustedSigners: [pki.sts.certificate], now }).hokCertificateBase64, 'base64'),
      ).publicKey
    const agentDigests = new Map<string, string>()
    const agentRefused: string[] = []
    for (const s of signed) {
      try {
        const v = await verifyWsSecurity(s.text, { now, keyFor })
        agentDigests.set(s.file, createHash('sha256').update(canonicalize(v.envelope.body), 'utf8').digest('base64'))
      } catch (err) {
        agentRefused.push(`${s.file}: ${String(err)}`)
      }
    }

    const sameDigest = signed.filter((s) => {
      const d = sandboxDigests.get(s.file)
      return d !== undefined && d === libxmlsecDigests.get(s.file) && d === agentDigests.get(s.file)
    })
    const count = (k: string) => signed.filter((s) => s.kind === k || s.algorithm === k).length
    console.log(
      `cross-check: ${signed.length} envelopes (${count('saml-hok')} SAML-HOK, ${count('x509')} X.509; ${count('rsa-sha256')} RSA-SHA256, ${count('rsa-sha1')} RSA-SHA1) accepted by ` +
        `the sandbox (xml-crypto) ${sandboxDigests.size}/${signed.length}, libxmlsec1 ${libxmlsecDigests.size}/${lines.length}, ` +
        `the agent's verifier ${agentDigests.size}/${signed.length}; the three Body canonical forms equal in ${sameDigest.length}/${signed.length}`,
    )
    expect(sandboxRefused.slice(0, 3)).toEqual([])
    expect(libxmlsecRefused.slice(0, 3)).toEqual([])
    expect(agentRefused.slice(0, 3)).toEqual([])
    expect(lines).toHaveLength(COUNT)
    expect(sameDigest).toHaveLength(COUNT)
  }, 300_000)
})
