import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolvePaths } from '../../protocol/discovery/resolve-paths.js'
import { freePort, startTestAgent, type TestAgent } from '../../test/helpers/start-test-agent.js'
import { waitForAgent } from './wait-for-agent.js'

let t: TestAgent
let scratch: string
beforeAll(async () => {
  t = await startTestAgent()
  scratch = mkdtempSync(join(tmpdir(), 'wait-agent-'))
}, 120_000)
afterAll(async () => {
  await t?.agent.close()
  rmSync(scratch, { recursive: true, force: true })
})

const pathsOf = (stateDir: string) => resolvePaths(stateDir, { platform: 'linux', home: stateDir, uid: process.getuid?.() ?? 0, env: {} })

describe('waitForAgent (what ehagent install waits for after starting the service)', () => {
  it('a running agent: its port and pid', async () => {
    await expect(waitForAgent(pathsOf(t.stateDir), 5000)).resolves.toEqual({ ok: true, port: t.port, pid: process.pid })
  })

  it('no agent: why, after the time given', async () => {
    const none = pathsOf(join(scratch, 'none'))
    await expect(waitForAgent(none, 600)).resolves.toEqual({ ok: false, why: `it wrote no discovery file (${none.discoveryFile}), 1 s after the start` })
  })

  it('an agent that exited after writing its discovery file: nothing answers on its port', async () => {
    const stale = pathsOf(join(scratch, 'stale'))
    const port = await freePort()
    const { mkdirSync } = await import('node:fs')
    mkdirSync(join(scratch, 'stale', 'run'), { recursive: true })
    writeFileSync(stale.discoveryFile, JSON.stringify({ port, pid: 1, version: 'x', environment: 'sandbox', url: `http://127.0.0.1:${port}`, socket: '/x', credentialFile: '/x', startedAt: new Date(0).toISOString() }))
    const result = await waitForAgent(stale, 600)
    expect(result).toEqual({ ok: false, why: `nothing answers on 127.0.0.1:${port} (the port its discovery file names), 1 s after the start` })
  })
})
