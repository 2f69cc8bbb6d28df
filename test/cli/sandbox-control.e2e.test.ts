import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningSandbox } from '../../agent/sandbox/server.js'
import { runCliCaptured } from '../helpers/run-cli-captured.js'
import { freePort, startTestSandbox } from '../helpers/start-test-agent.js'

// `ehagent sandbox fault SPEC|clear` and `ehagent sandbox stats` against a running sandbox, over
// real loopback HTTP: what a script or a fault test uses to drive a real agent's eHealth. The
// sandbox runs in this process to keep the unit run short; the fault suite
// (test/faults/fault-suite.system.test.ts) drives a sandbox process the same way.

let sandbox: RunningSandbox
const home = mkdtempSync(join(tmpdir(), 'sandbox-control-cli-'))
const STS = '/IAM/SecurityTokenService/v1'

beforeAll(async () => {
  sandbox = await startTestSandbox()
}, 90_000)

afterAll(async () => {
  await sandbox?.close()
})

const cli = (...args: string[]) => runCliCaptured([...args, '--port', String(sandbox.port)], { home })
const postSts = () => fetch(sandbox.url + STS, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body: '<x/>' })
/** No fault injected: the STS itself refuses the nonsense request, with a SOAP fault (SOAP 1.1 §6.2: HTTP 500). */
async function stsAnswersItself(): Promise<boolean> {
  const res = await postSts()
  return res.status === 500 && (res.headers.get('content-type') ?? '').startsWith('text/xml') && (await res.text()).includes(':Fault>')
}

describe('ehagent sandbox fault / stats', () => {
  it('fault SPEC adds faults to the running sandbox; its STS then answers 429 with Retry-After', async () => {
    const run = await cli('sandbox', 'fault', `${STS}:http=429x2`, '--json')
    expect(run.code, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ rules: [{ path: STS, fault: 'http=429', remaining: 2 }] })
    for (let i = 0; i < 2; i++) {
      const res = await postSts()
      expect([res.status, res.headers.get('retry-after')]).toEqual([429, '1'])
    }
    expect(await stsAnswersItself()).toBe(true)
  })

  it('stats --json: the requests each endpoint received', async () => {
    const run = await cli('sandbox', 'stats', '--json')
    expect(run.code, run.stderr).toBe(0)
    const stats = JSON.parse(run.stdout) as { requests: Record<string, number>; total: number; since: string }
    expect(stats.requests[STS]).toBe(3)
    expect(stats.total).toBe(3)
    expect(Number.isNaN(Date.parse(stats.since))).toBe(false)
  })

  it('stats for a person: one line per endpoint', async () => {
    const run = await cli('sandbox', 'stats')
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^requests since .*: 3\n/)
    expect(run.stdout).toMatch(new RegExp(`${STS.replace(/\//g, '\\/')}\\s+3\\n`))
  })

  it('fault clear removes them all', async () => {
    await cli('sandbox', 'fault', `${STS}:resetx5,token-lifetime=60`)
    const run = await cli('sandbox', 'fault', 'clear')
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toBe('no faults\n')
    expect(await stsAnswersItself()).toBe(true)
  })

  it('a bad spec: exit 7, the sandbox says which fault it does not know, nothing applies', async () => {
    const run = await cli('sandbox', 'fault', `${STS}:http=503,explode=1`)
    expect(run.code).toBe(7)
    expect(run.stderr).toMatch(/unknown fault "explode=1".*\[ERR_INVALID_PARAMS\]/)
    expect(await stsAnswersItself()).toBe(true)
  })

  it('usage mistakes: exit 2 with what was wrong', async () => {
    expect(await cli('sandbox', 'fault')).toMatchObject({ code: 2, stderr: expect.stringMatching(/one argument: a fault spec/) })
    expect(await cli('sandbox', 'stats', 'extra')).toMatchObject({ code: 2, stderr: expect.stringMatching(/takes no argument/) })
  })

  it('no sandbox on that port: exit 4, and how to start one', async () => {
    const port = await freePort()
    const run = await runCliCaptured(['sandbox', 'stats', '--port', String(port)], { home })
    expect(run.code).toBe(4)
    expect(run.stderr).toMatch(new RegExp(`no sandbox answers at http://127\\.0\\.0\\.1:${port}.*ehagent sandbox --port ${port}`))
    // The hint is the sandbox's, not the agent's (`ehagent start`).
    expect(run.stderr).toMatch(/\n {2}start the sandbox with `ehagent sandbox --port \d+`, or give the running one's port with --port\n$/)
  })
})
