import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { win32Platform } from '../platform/win32.js'
import { PolicyState } from './policy-state.js'
import { readPolicy, type RunProgram } from './read-policy.js'
import { watchPolicy } from './watch-policy.js'

const dir = mkdtempSync(join(tmpdir(), 'ehagent-policy-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('reading the admin policy', () => {
  it('a missing file is no policy; a valid one is read; a bad one names the field and the file', async () => {
    const file = join(dir, 'policy.json')
    expect(await readPolicy({ kind: 'file', path: file })).toEqual({ origin: { kind: 'file', location: file }, present: false, policy: {} })
    writeFileSync(file, '{"environment":"acc"}')
    expect((await readPolicy({ kind: 'file', path: file })).policy).toEqual({ environment: 'acc' })
    writeFileSync(file, '{"minimumUsePolicy":"sometimes"}')
    await expect(readPolicy({ kind: 'file', path: file })).rejects.toMatchObject({ code: 'ERR_POLICY_INVALID', data: { field: 'minimumUsePolicy', source: file } })
  })

  it('a file that cannot be read is refused, not taken as no policy', async () => {
    await expect(readPolicy({ kind: 'file', path: dir })).rejects.toMatchObject({ code: 'ERR_POLICY_INVALID', data: { source: dir } })
  })

  it('on Windows runs reg query and decodes its output; a missing key is no policy', async () => {
    const calls: string[][] = []
    const run = (out: { code: number; stdout: string; stderr: string }): RunProgram => async (file, args) => {
      calls.push([file, ...args])
      return out
    }
    const stdout = '\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\ehealth-agent\r\n    language    REG_SZ    fr\r\n\r\n'
    expect((await readPolicy(win32Platform.policy, run({ code: 0, stdout, stderr: '' }))).policy).toEqual({ language: 'fr' })
    expect(calls[0]).toEqual(['reg.exe', 'query', 'HKLM\\SOFTWARE\\Policies\\ehealth-agent', '/s'])
    const missing = await readPolicy(win32Platform.policy, run({ code: 1, stdout: '', stderr: 'ERROR: The system was unable to find the specified registry key or value.\r\n' }))
    expect(missing.present).toBe(false)
    await expect(readPolicy(win32Platform.policy, run({ code: 1, stdout: '', stderr: 'ERROR: Access is denied.' }))).rejects.toMatchObject({ code: 'ERR_POLICY_INVALID' })
  })
})

describe('following the policy while the agent runs', () => {
  it('applies a valid change, keeps the last valid policy on a bad one and says so once', async () => {
    const origin = { kind: 'file', location: '/p.json' } as const
    const state = new PolicyState({ origin, present: true, policy: { language: 'en' } })
    const reads: (() => Promise<unknown>)[] = [
      async () => ({ origin, present: true, policy: { language: 'nl' } }),
      async () => Promise.reject(Object.assign(new Error('the admin policy /p.json is not valid: language: bad'), {})),
      async () => Promise.reject(new Error('the admin policy /p.json is not valid: language: bad')),
      async () => ({ origin, present: true, policy: { language: 'fr' } }),
    ]
    let tick: () => void = () => undefined
    const log: string[] = []
    const stop = watchPolicy({
      state,
      read: () => reads.shift()!() as never,
      intervalMs: 1,
      setInterval: (fn) => {
        tick = fn
        return { clear: () => (tick = () => undefined) }
      },
      log: (line) => log.push(line),
    })
    const step = async () => {
      tick()
      await new Promise((r) => setImmediate(r))
    }
    await step()
    expect(state.policy).toEqual({ language: 'nl' })
    await step()
    await step()
    expect(state.policy).toEqual({ language: 'nl' })
    expect(log.filter((l) => l.includes('last valid policy stays'))).toHaveLength(1)
    await step()
    expect(state.policy).toEqual({ language: 'fr' })
    stop()
    expect(log).toContain('admin policy /p.json: changed, now in force')
  })
})
