import { execFile } from 'node:child_process'
import { createServer } from 'node:net'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AgentClient } from '../../clients/js/agent-client.js'
import { makeEnvelope } from '../helpers/envelopes.js'
import { startTestAgent, type TestAgent } from '../helpers/start-test-agent.js'
import { requireTool, wssecIdAttrs, xmlsecVerify } from '../helpers/xmlsec.js'

const EXAMPLES = resolve('clients/examples')
const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/'

/** The examples that run here, with the runtime each needs (and its Debian package). */
const RUNNABLE = {
  curl: { tool: 'curl', pkg: 'curl', argv: ['bash', join(EXAMPLES, 'curl', 'sign-envelope.sh')] },
  python: { tool: '/usr/bin/python3', pkg: 'python3', argv: ['/usr/bin/python3', join(EXAMPLES, 'python', 'sign_envelope.py')] },
  java: { tool: 'java', pkg: 'openjdk-17-jdk-headless', argv: ['java', join(EXAMPLES, 'java', 'Example.java')] },
  'http/1.0': { tool: '/usr/bin/python3', pkg: 'python3', argv: ['/usr/bin/python3', join(EXAMPLES, 'http10', 'sign_envelope_http10.py')] },
} as const

let t: TestAgent
let scratch: string
beforeAll(async () => {
  t = await startTestAgent()
  scratch = mkdtempSync(join(tmpdir(), 'examples-'))
}, 120_000)
afterAll(async () => {
  await t?.agent.close()
  rmSync(scratch, { recursive: true, force: true })
})

/** Run an example as a user would, with only the documented variables (and a clean HOME). */
function runExample(argv: readonly string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      argv[0]!,
      argv.slice(1),
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: scratch, ...env }, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    )
  })
}

/** The signed envelope verifies with xmlsec1 against the HOK certificate of the demo doctor. */
function expectVerifiedSignature(envelope: string): void {
  expect(envelope).toMatch(/<wsse:Security\b/)
  const sigId = /<ds:Signature xmlns:ds="[^"]+" Id="([^"]+)"/.exec(envelope)?.[1]
  expect(sigId, 'a ds:Signature with an Id').toBeTruthy()
  const res = xmlsecVerify(
    envelope,
    t.sandbox.state.pki.keystores.doctor.certificatePem,
    [...wssecIdAttrs(SOAP11), ['Id', 'http://www.w3.org/2000/09/xmldsig#:Signature']],
    ['--node-id', sigId!],
  )
  expect(res.output).toMatch(/OK/)
  expect(res.ok).toBe(true)
}

const discovery = () => ({ EHAGENT_DISCOVERY_FILE: join(t.stateDir, 'run', 'agent.json') })

describe('clients/examples run against a real agent and the sandbox', () => {
  for (const [name, example] of Object.entries(RUNNABLE)) {
    it(`${name}: session.status, then soap.sign of its sample envelope; xmlsec1 verifies the output`, async () => {
      requireTool(example.tool, example.pkg)
      const run = await runExample(example.argv, discovery())
      expect(run.stderr).toMatch(/^session: signed-(in|out)$/m)
      expect(run.code, run.stderr).toBe(0)
      expect(run.stdout).toContain('<urn:ConsultRequest>')
      expectVerifiedSignature(run.stdout)
    }, 120_000)

    it(`${name}: signs a given file with a paired application's credential (EHAGENT_CREDENTIAL_FILE)`, async () => {
      requireTool(example.tool, example.pkg)
      const paired = await new AgentClient({ url: t.agent.url }).call('client.pair', { name: `example ${name}` })
      const credentialFile = join(scratch, `${name.replace('/', '')}.credential`)
      writeFileSync(credentialFile, paired.credential + '\n', { mode: 0o600 })
      const envelopeFile = join(scratch, `${name.replace('/', '')}-request.xml`)
      // Quotes, backslashes, tabs and non-ASCII must survive each example's JSON encoding.
      writeFileSync(envelopeFile, makeEnvelope(2000, { canary: 'Dr. "Ève" \\ Peeters\tà Liège' }))
      const run = await runExample([...example.argv, envelopeFile], { ...discovery(), EHAGENT_CREDENTIAL_FILE: credentialFile })
      expect(run.code, run.stderr).toBe(0)
      expect(run.stdout).toContain('Dr. "Ève" \\ Peeters\tà Liège')
      expectVerifiedSignature(run.stdout)
      await t.agent.services.audit.flush()
      expect(readAuditLines().some((r) => r.includes(`example ${name}`) && r.includes('soap.sign'))).toBe(true)
    }, 120_000)
  }

  it('an unknown credential is refused, and the example says so and exits non-zero', async () => {
    requireTool('/usr/bin/python3', 'python3')
    const bogus = join(scratch, 'bogus.credential')
    writeFileSync(bogus, 'x'.repeat(43))
    for (const example of [RUNNABLE.python, RUNNABLE['http/1.0'], RUNNABLE.curl]) {
      const run = await runExample(example.argv, { ...discovery(), EHAGENT_CREDENTIAL_FILE: bogus })
      expect(run.code).not.toBe(0)
      expect(run.stderr).toMatch(/ERR_UNAUTHORIZED/)
    }
  }, 60_000)

  it('no agent: every runnable example says ERR_AGENT_UNREACHABLE and exits 4, with no discovery file and with a stale one', async () => {
    for (const example of Object.values(RUNNABLE)) requireTool(example.tool, example.pkg)
    // A stale file: an agent that stopped without removing it, its port now closed.
    const stale = join(scratch, 'stale-agent.json')
    const { port } = await new Promise<{ port: number }>((done) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const address = s.address() as { port: number }
        s.close(() => done(address))
      })
    })
    writeFileSync(stale, JSON.stringify({ port, credentialFile: join(t.stateDir, 'run', 'credential') }))
    for (const [name, example] of Object.entries(RUNNABLE)) {
      for (const file of [join(scratch, 'none', 'agent.json'), stale]) {
        const run = await runExample(example.argv, { EHAGENT_DISCOVERY_FILE: file })
        expect(run.stderr, `${name} with ${file}`).toMatch(/ERR_AGENT_UNREACHABLE: the ehealth-agent is not running \(.+\); start it with `ehagent start`/)
        expect(run.code, `${name} with ${file}`).toBe(4)
      }
    }
  }, 120_000)

  it('the examples that cannot run here (C#, PowerShell) make the same two calls with the same variables', () => {
    for (const file of ['csharp/Example.cs', 'powershell/Sign-Envelope.ps1']) {
      const text = readFileSync(join(EXAMPLES, file), 'utf8')
      for (const needle of ['EHAGENT_DISCOVERY_FILE', 'EHAGENT_CREDENTIAL_FILE', "'session.status'", "'soap.sign'", 'Bearer', 'credentialFile', 'port'].map((n) =>
        file.endsWith('.cs') ? n.replace(/'/g, '"') : n,
      )) {
        expect(text, `${file} ${needle}`).toContain(needle)
      }
    }
  })
})

/** The privacy log's lines (JSON records), as written so far. */
function readAuditLines(): string[] {
  const dir = join(t.stateDir, 'audit')
  return readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
}
