import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Pkcs11jsLoader } from '../../agent/keys/load-pkcs11js.js'
import { createPkcs11jsBinding, createPkcs11KeySource } from '../../agent/keys/pkcs11-key-source.js'
import { createPkcs12KeySource } from '../../agent/keys/pkcs12-key-source.js'
import { AgentClient } from '../../clients/js/agent-client.js'
import type { AgentError } from '../../protocol/errors.js'
import { sharedSandboxPki } from '../helpers/sandbox-pki.js'
import { startTestAgent, type TestAgent } from '../helpers/start-test-agent.js'

// An installation whose optional native module pkcs11js is missing (npm install -g without a
// compiler): the agent starts, the keystore signs in, and an eID sign-in is refused with a code
// and a hint that say how to add the module. The loader resolves pkcs11js from a folder that has
// none, so the failure is Node's own.
let t: TestAgent
let cli: AgentClient
const scratch = mkdtempSync(join(tmpdir(), 'eid-unavailable-'))

beforeAll(async () => {
  const requireFromNowhere: Pkcs11jsLoader = () => createRequire(join(scratch, 'entry.js'))('pkcs11js') as ReturnType<Pkcs11jsLoader>
  const modulePath = join(scratch, 'libbeidpkcs11.so.0')
  writeFileSync(modulePath, '')
  const pki = await sharedSandboxPki()
  t = await startTestAgent({
    keySources: {
      keystore: createPkcs12KeySource({ path: pki.keystores.doctor.p12Path }),
      eid: createPkcs11KeySource({ modulePath, binding: createPkcs11jsBinding(requireFromNowhere) }),
    },
  })
  cli = new AgentClient({ url: t.agent.url, credential: t.agent.credential })
}, 120_000)

afterAll(async () => {
  await t?.agent.close()
  rmSync(scratch, { recursive: true, force: true })
})

describe('an agent without pkcs11js', () => {
  it('refuses an eID sign-in with ERR_EID_UNAVAILABLE and says how to enable it, before asking any PIN', async () => {
    const error = await cli.call('session.login', { method: 'eid', profile: 'doctor' }).then(
      () => undefined,
      (e: unknown) => e as AgentError,
    )
    expect(error?.code).toBe('ERR_EID_UNAVAILABLE')
    expect(error?.message).toMatch(/pkcs11js is not installed/)
    expect(error?.hint).toMatch(/keystore and IAM Connect work without it/)
    expect(String(error?.data.enable)).toMatch(/npm rebuild pkcs11js/)
    expect(t.prompter.prompts).toEqual([])
  })

  it('still signs in with the keystore', async () => {
    const status = await cli.call('session.login', { method: 'keystore', profile: 'doctor' })
    expect(status.state).toBe('signed-in')
  })
})
