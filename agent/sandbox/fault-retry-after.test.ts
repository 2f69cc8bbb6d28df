import { dirname } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sharedSandboxPki } from '../../test/helpers/sandbox-pki.js'
import { parseFaultSpec } from './parse-fault-spec.js'
import { startSandbox, type RunningSandbox } from './server.js'
import { FaultInjector } from './fault-injector.js'

// The sandbox's rate limiter: `http=429` answers Too Many Requests with a Retry-After, as a real
// gateway in front of the STS may (RFC 6585 §4), so the agent's handling of it can be tested.

let sandbox: RunningSandbox

beforeAll(async () => {
  sandbox = await startSandbox({ stateDir: dirname((await sharedSandboxPki()).dir) })
})

afterAll(async () => {
  await sandbox?.close()
})

const STS = '/IAM/SecurityTokenService/v1'
const post = () => fetch(sandbox.url + STS, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body: '<x/>' })

describe('injected 429 and 503 answers carry Retry-After', () => {
  it('http=429: Too Many Requests with Retry-After: 1, for the next request only', async () => {
    parseFaultSpec(`${STS}:http=429`, sandbox.state.faults)
    const limited = await post()
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('1')
    expect((await post()).status).not.toBe(429)
    sandbox.state.faults.clear()
  })

  it('retry-after=S sets it for 429 and 503; a plain 503 has none', async () => {
    parseFaultSpec(`${STS}:http=503`, sandbox.state.faults)
    expect((await post()).headers.get('retry-after')).toBeNull()
    parseFaultSpec(`retry-after=3,${STS}:http=429,${STS}:http=503`, sandbox.state.faults)
    const first = await post()
    const second = await post()
    expect([first.status, first.headers.get('retry-after')]).toEqual([429, '3'])
    expect([second.status, second.headers.get('retry-after')]).toEqual([503, '3'])
    sandbox.state.faults.clear()
    expect(sandbox.state.faults.retryAfterSeconds).toBeUndefined()
  })

  it('retry-after must be whole seconds', () => {
    for (const spec of ['retry-after=-1', 'retry-after=1.5', 'retry-after']) {
      expect(() => parseFaultSpec(spec, new FaultInjector()), spec).toThrow(/unknown fault/)
    }
  })
})
