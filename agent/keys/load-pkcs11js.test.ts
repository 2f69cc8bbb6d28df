import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { isAgentError, type AgentError } from '../../protocol/errors.js'
import { memoizePkcs11jsLoader, probeEidSupport, type Pkcs11jsLoader } from './load-pkcs11js.js'
import { createPkcs11jsBinding, createPkcs11KeySource } from './pkcs11-key-source.js'

// A folder with no node_modules above it that holds pkcs11js: Node's own resolver fails there
// exactly as it does in an installation where npm dropped the optional dependency.
const scratch = mkdtempSync(join(tmpdir(), 'no-pkcs11js-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))
const requireFromNowhere: Pkcs11jsLoader = () => createRequire(join(scratch, 'entry.js'))('pkcs11js') as ReturnType<Pkcs11jsLoader>

/** What `require` throws for an addon built for another Node.js (process.dlopen's error). */
const brokenBuild: Pkcs11jsLoader = () => {
  throw Object.assign(new Error('The module pkcs11.node was compiled against a different Node.js version using NODE_MODULE_VERSION 108'), { code: 'ERR_DLOPEN_FAILED' })
}

async function rejection(promise: Promise<unknown>): Promise<AgentError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!isAgentError(error)) throw new Error(`expected an AgentError, got ${String(error)}`)
  return error
}

describe('pkcs11js loaded lazily', () => {
  it('is not loaded until the eID is used, and a missing module gives ERR_EID_UNAVAILABLE with how to enable it', async () => {
    let calls = 0
    const binding = createPkcs11jsBinding(() => {
      calls++
      return requireFromNowhere()
    }, 'linux')
    const modulePath = join(scratch, 'libbeidpkcs11.so.0')
    writeFileSync(modulePath, '')
    const eid = createPkcs11KeySource({ modulePath, binding })
    expect(calls).toBe(0)
    const error = await rejection(eid.loginRequirement())
    expect(calls).toBe(1)
    expect(error.code).toBe('ERR_EID_UNAVAILABLE')
    expect(error.message).toMatch(/pkcs11js is not installed/)
    expect(error.data).toMatchObject({ detail: 'pkcs11js not installed' })
    expect(String(error.data.enable)).toMatch(/npm rebuild pkcs11js/)
    expect(error.hint).toMatch(/keystore and IAM Connect work without it/)
    // A sign-in tries the module again (a rebuild is picked up) and fails the same way, before any PIN.
    expect((await rejection(eid.login('1234'))).code).toBe('ERR_EID_UNAVAILABLE')
    expect(calls).toBe(2)
  })

  it('tells a module that does not load (built for another Node.js) from a missing one', () => {
    const error = probeEidSupport(brokenBuild, 'win32')
    expect(error?.code).toBe('ERR_EID_UNAVAILABLE')
    expect(error?.data.detail).toBe('pkcs11js failed to load')
    expect(String(error?.data.enable)).toMatch(/Windows installer does not include/)
    // The path and the Node.js error text stay out of what a caller sees.
    expect(JSON.stringify(error?.data)).not.toMatch(/NODE_MODULE_VERSION|pkcs11\.node/)
  })

  it('keeps a module once it loaded', () => {
    let calls = 0
    const fake = {} as ReturnType<Pkcs11jsLoader>
    const load = memoizePkcs11jsLoader(() => {
      calls++
      return fake
    })
    expect(load()).toBe(fake)
    expect(load()).toBe(fake)
    expect(calls).toBe(1)
    expect(probeEidSupport(() => fake)).toBeUndefined()
  })
})
