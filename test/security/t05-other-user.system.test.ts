import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestAgent, type TestAgent } from '../helpers/start-test-agent.js'
import { curl, ensureUser, OTHER_USER, run } from '../helpers/system-tools.js'
import { requireTool } from '../helpers/xmlsec.js'

// Threat T5: another user of the same machine (RDS/Citrix terminal servers share loopback; QZ
// Tray #734). A second Linux user, created here, calls the real agent's TCP port: the peer-uid
// check (/proc/net/tcp) refuses it even when it presents the right credential; the same request
// from the agent's own user is answered.

let t: TestAgent
let otherUid: number

beforeAll(async () => {
  if (process.platform !== 'linux') throw new Error('T5 test: the peer-uid check reads /proc/net/tcp and needs Linux')
  if (process.getuid!() !== 0) {
    throw new Error(`T5 test: must run as root (uid 0, here ${process.getuid!()}) to create the second Linux user ${OTHER_USER}; CI runs the suite as root`)
  }
  requireTool('curl', 'curl')
  requireTool('runuser', 'util-linux')
  otherUid = ensureUser(OTHER_USER)
  expect(otherUid).not.toBe(process.getuid!())
  t = await startTestAgent()
})

afterAll(async () => {
  await t?.agent.close()
})

const LOGIN = '{"jsonrpc":"2.0","method":"session.login","params":{},"id":5}'

function args(): string[] {
  // The other user even holds the credential (as if it had leaked): the uid check still refuses.
  return ['-H', 'Content-Type: application/json', '-H', `Authorization: Bearer ${t.agent.credential}`, '--data', LOGIN, `http://127.0.0.1:${t.port}/rpc`]
}

describe(`T5: the second Linux user ${OTHER_USER}`, () => {
  it('is refused with 403 peer-uid-mismatch on /rpc and /health, and nothing is done', async () => {
    const refused = await curl(args(), OTHER_USER)
    expect(refused.status).toBe(403)
    expect(JSON.parse(refused.body)).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32001, data: { code: 'ERR_UNAUTHORIZED', reason: 'peer-uid-mismatch' } } })
    const health = await curl([`http://localhost:${t.port}/health`], OTHER_USER)
    expect(health.status).toBe(403)
    expect(t.prompter.prompts).toEqual([])
    expect(t.agent.services.session.current()).toBeUndefined()
  })

  it('is audited: the privacy log has a rejected record per attempt', async () => {
    const rejected = (await t.agent.services.audit.list({ limit: 100 })).filter((r) => r.event === 'rejected')
    expect(rejected.map((r) => `${r.method} ${r.errorCode} ${r.outcome}`)).toEqual(['/health peer-uid-mismatch rejected', '/rpc peer-uid-mismatch rejected'])
  })

  it('cannot read the credential or discovery file, nor connect to the Unix socket', async () => {
    const runtime = join(t.agent.credentialFile, '..')
    for (const file of [t.agent.credentialFile, join(runtime, 'agent.json')]) {
      const cat = await run('runuser', ['-u', OTHER_USER, '--', 'cat', file])
      expect(cat.code, file).not.toBe(0)
      expect(cat.stderr).toMatch(/Permission denied/)
    }
    const socket = await run('runuser', ['-u', OTHER_USER, '--', 'curl', '-q', '-sS', '--max-time', '5', '--unix-socket', join(runtime, 'agent.sock'), 'http://localhost/health'])
    // 7: could not connect (permission denied on the 0700 directory / 0600 socket).
    expect(socket.code).toBe(7)
  })

  it("control: the agent's own user sending the identical request is answered (one prompt, signed in)", async () => {
    const accepted = await curl(args())
    expect(accepted.status).toBe(200)
    expect(JSON.parse(accepted.body)).toMatchObject({ jsonrpc: '2.0', id: 5, result: { state: 'signed-in' } })
    expect(t.prompter.prompts).toHaveLength(1)
    const socket = await run('curl', ['-q', '-sS', '--max-time', '5', '--unix-socket', join(t.agent.credentialFile, '..', 'agent.sock'), 'http://localhost/health'])
    expect(socket.code).toBe(0)
    expect(JSON.parse(socket.stdout)).toEqual({ status: 'ok', service: 'ehealth-agent' })
  })
})
