import { dirname } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { SANDBOX_CONTROL_PATHS, SANDBOX_FAULT_STATE_SCHEMA, SANDBOX_STATS_SCHEMA } from '../../../protocol/sandbox-control.js'
import { send } from '../../../test/helpers/http-send.js'
import { sharedSandboxPki } from '../../../test/helpers/sandbox-pki.js'
import { startSandbox, type RunningSandbox } from '../server.js'

// The control endpoint of a running sandbox: faults change without a restart, request counts per
// endpoint, and only a local program addressing loopback by name may use it.

let sandbox: RunningSandbox

beforeAll(async () => {
  sandbox = await startSandbox({ stateDir: dirname((await sharedSandboxPki()).dir) })
})

afterAll(async () => {
  await sandbox?.close()
})

afterEach(() => sandbox.state.faults.clear())

const STS = '/IAM/SecurityTokenService/v1'
const HOST = () => ({ Host: `127.0.0.1:${sandbox.port}` })
const json = (body: unknown) => [JSON.stringify(body)]

async function control(path: string, body?: unknown, headers: Record<string, string> = {}) {
  const answer = await send(sandbox, body === undefined ? 'GET' : 'POST', path, { ...HOST(), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers }, body === undefined ? [] : json(body))
  return { status: answer.status, body: JSON.parse(answer.body) as unknown }
}

const postSts = () => fetch(sandbox.url + STS, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body: '<x/>' })

describe('faults change while the sandbox runs', () => {
  it('a spec adds faults; the next requests get them; the state says what is left', async () => {
    const added = await control(SANDBOX_CONTROL_PATHS.faults, { spec: `${STS}:http=503x2,token-lifetime=60` })
    expect(added.status).toBe(200)
    expect(SANDBOX_FAULT_STATE_SCHEMA.parse(added.body)).toMatchObject({ rules: [{ path: STS, fault: 'http=503', remaining: 2 }], tokenLifetimeSeconds: 60 })
    expect((await postSts()).status).toBe(503)
    expect((await postSts()).status).toBe(503)
    expect((await postSts()).status).not.toBe(503)
    const left = await control(SANDBOX_CONTROL_PATHS.faults, { spec: `${STS}:resetx3` })
    expect(SANDBOX_FAULT_STATE_SCHEMA.parse(left.body).rules).toEqual([{ path: STS, fault: 'reset', remaining: 3 }])
  })

  it('clear removes every fault and setting', async () => {
    await control(SANDBOX_CONTROL_PATHS.faults, { spec: 'latency=50,skew=30,retry-after=2' })
    const cleared = await control(SANDBOX_CONTROL_PATHS.clearFaults, {})
    expect(cleared).toEqual({ status: 200, body: { rules: [], clockSkewSeconds: 0, tokenLifetimeSeconds: null, retryAfterSeconds: null } })
  })

  it('a bad spec is refused whole: nothing of it applies', async () => {
    const refused = await control(SANDBOX_CONTROL_PATHS.faults, { spec: `${STS}:http=503,explode=1` })
    expect(refused.status).toBe(400)
    expect(refused.body).toMatchObject({ error: { code: 'ERR_INVALID_PARAMS', message: expect.stringMatching(/unknown fault "explode=1"/) } })
    expect(sandbox.state.faults.describe().rules).toEqual([])
    expect((await control(SANDBOX_CONTROL_PATHS.faults, { nope: 1 })).status).toBe(400)
  })
})

describe('request counts per endpoint', () => {
  it('counts what agents send (faulted requests included), not the harness\'s own calls', async () => {
    const before = SANDBOX_STATS_SCHEMA.parse((await control(SANDBOX_CONTROL_PATHS.stats)).body)
    await control(SANDBOX_CONTROL_PATHS.faults, { spec: `${STS}:http=503` })
    await postSts()
    await postSts()
    await fetch(sandbox.url + '/sandbox/manifest')
    const after = SANDBOX_STATS_SCHEMA.parse((await control(SANDBOX_CONTROL_PATHS.stats)).body)
    expect((after.requests[STS] ?? 0) - (before.requests[STS] ?? 0)).toBe(2)
    expect(after.total - before.total).toBe(2)
    expect(Object.keys(after.requests).filter((p) => p.startsWith('/sandbox/control') || p === '/sandbox/manifest')).toEqual([])
  })
})

describe('only a local program addressing loopback by name may use it', () => {
  it('a foreign Host (DNS rebinding) is refused with 421, and nothing changes', async () => {
    const answer = await control(SANDBOX_CONTROL_PATHS.faults, { spec: 'reset' }, { Host: `evil.test:${sandbox.port}` })
    expect(answer.status).toBe(421)
    expect(sandbox.state.faults.describe().rules).toEqual([])
    expect((await control(SANDBOX_CONTROL_PATHS.stats, undefined, { Host: `evil.test:${sandbox.port}` })).status).toBe(421)
  })

  it('an absolute-form target naming another host is refused the same way', async () => {
    const answer = await send(sandbox, 'POST', `http://evil.test:${sandbox.port}${SANDBOX_CONTROL_PATHS.faults}`, { ...HOST(), 'Content-Type': 'application/json' }, json({ spec: 'reset' }))
    expect(answer.status).toBe(421)
    expect(sandbox.state.faults.describe().rules).toEqual([])
  })

  it('a web page (any Origin) is refused with 403; a body that is not JSON with 415', async () => {
    expect((await control(SANDBOX_CONTROL_PATHS.faults, { spec: 'reset' }, { Origin: 'https://evil.test' })).status).toBe(403)
    const form = await send(sandbox, 'POST', SANDBOX_CONTROL_PATHS.faults, { ...HOST(), 'Content-Type': 'text/plain' }, json({ spec: 'reset' }))
    expect(form.status).toBe(415)
    expect(sandbox.state.faults.describe().rules).toEqual([])
  })
})
