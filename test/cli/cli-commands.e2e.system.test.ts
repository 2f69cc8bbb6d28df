import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeEnvelope } from '../helpers/envelopes.js'
import { runCliCaptured } from '../helpers/run-cli-captured.js'
import { startTestAgent, type TestAgent } from '../helpers/start-test-agent.js'
import { wssecIdAttrs, xmlsecVerify } from '../helpers/xmlsec.js'

// What `ehagent sign` prints, checked by xmlsec1 (libxmlsec1). The commands themselves are
// tested in cli-commands.e2e.test.ts.

let t: TestAgent
let scratch: string
const cli = (...argv: string[]) => runCliCaptured([...argv, '--state-dir', t.stateDir, '--port', String(t.port)], { home: scratch })

beforeAll(async () => {
  t = await startTestAgent()
  scratch = mkdtempSync(join(tmpdir(), 'cli-e2e-'))
}, 120_000)
afterAll(async () => {
  await t?.agent.close()
  rmSync(scratch, { recursive: true, force: true })
})

describe('ehagent sign, verified by xmlsec1', () => {
  it('sign FILE prints an envelope that xmlsec1 verifies', async () => {
    const file = join(scratch, 'request.xml')
    writeFileSync(file, makeEnvelope(500))
    const run = await cli('sign', file)
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('<wsse:Security')
    const sigId = /<ds:Signature xmlns:ds="[^"]+" Id="([^"]+)"/.exec(run.stdout)![1]!
    const res = xmlsecVerify(
      run.stdout,
      t.sandbox.state.pki.keystores.doctor.certificatePem,
      [...wssecIdAttrs('http://schemas.xmlsoap.org/soap/envelope/'), ['Id', 'http://www.w3.org/2000/09/xmldsig#:Signature']],
      ['--node-id', sigId],
    )
    expect(res.ok, res.output).toBe(true)
  })
})
