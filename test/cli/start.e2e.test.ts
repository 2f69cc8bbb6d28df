import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, startTestAgent, type TestAgent } from '../helpers/start-test-agent.js'
import { runCliCaptured } from '../helpers/run-cli-captured.js'
import { sharedSandboxPki } from '../helpers/sandbox-pki.js'

// `ehagent start`'s command-line contract (issue 5): --demo only in the sandbox, and a port that
// is taken is reported, naming who holds it where possible, with a non-zero exit.
let t: TestAgent
let scratch: string

beforeAll(async () => {
  t = await startTestAgent()
  scratch = mkdtempSync(join(tmpdir(), 'cli-start-'))
}, 120_000)
afterAll(async () => {
  await t?.agent.close()
  rmSync(scratch, { recursive: true, force: true })
})

describe('ehagent start', () => {
  it('refuses --demo outside the sandbox, before starting anything (usage error, exit 2)', async () => {
    for (const env of ['prod', 'acc', 'int']) {
      const run = await runCliCaptured(['start', '--env', env, '--demo', '--state-dir', join(scratch, env)], { home: scratch })
      expect(run.code).toBe(2)
      expect(run.stderr).toMatch(/--demo .* only for --env sandbox/)
    }
  })

  it('names the other agent holding the port (from its discovery file) and exits non-zero', async () => {
    // The sandbox starts before the port is tried: give it the shared keys (generating them is slow).
    cpSync(dirname((await sharedSandboxPki()).dir), join(t.stateDir, 'sandbox'), { recursive: true })
    const run = await runCliCaptured(['start', '--env', 'sandbox', '--demo', '--port', String(t.port), '--state-dir', t.stateDir], { home: scratch })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(`port ${t.port}`)
    expect(run.stderr).toContain(`Another ehealth-agent (pid ${process.pid}, sandbox) is already running on port ${t.port}`)
    // The failed start touched nothing of the running agent: its credential still works.
    expect((await runCliCaptured(['status', '--json', '--state-dir', t.stateDir, '--port', String(t.port)], { home: scratch })).code).toBe(0)
  })

  it('says another program holds the port when it is not an agent', async () => {
    const port = await freePort()
    const squatter: Server = createServer()
    await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', r))
    try {
      // A fresh state dir with the shared sandbox keys (generating them is slow).
      const stateDir = join(scratch, 'squatted')
      cpSync(dirname((await sharedSandboxPki()).dir), join(stateDir, 'sandbox'), { recursive: true })
      const run = await runCliCaptured(['start', '--env', 'sandbox', '--demo', '--port', String(port), '--state-dir', stateDir], { home: scratch })
      expect(run.code).toBe(1)
      expect(run.stderr).toContain(`Another program listens on port ${port}`)
    } finally {
      await new Promise<void>((r) => squatter.close(() => r()))
    }
  })
})
