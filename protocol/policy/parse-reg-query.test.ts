import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { isAgentError } from '../errors.js'
import { checkPolicy } from './parse-policy.js'
import { decodeRegistryPolicy, parseRegQueryOutput } from './parse-reg-query.js'

const origin = { kind: 'registry', location: 'HKLM\\SOFTWARE\\Policies\\ehealth-agent' } as const
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')
const decode = (text: string) => decodeRegistryPolicy(parseRegQueryOutput(text, origin), origin)

function errorOf(fn: () => unknown) {
  try {
    fn()
  } catch (err) {
    if (isAgentError(err)) return err
    throw err
  }
  throw new Error('expected an AgentError')
}

describe('reg query output (recorded format, CRLF lines)', () => {
  it('splits the key into values and subkeys', () => {
    const key = parseRegQueryOutput(fixture('reg-query-full.txt'), origin)
    expect(key.values.map((v) => [v.name, v.type])).toContainEqual(['auditRetentionMonths', 'REG_DWORD'])
    expect(Object.keys(key.subkeys)).toEqual(['allowedPrograms'])
    expect(key.subkeys.allowedPrograms!.map((v) => v.name)).toEqual(['(Default)', '1', '2', '10'])
  })

  it('decodes each type: REG_SZ, REG_DWORD in hex, REG_MULTI_SZ on \\0, a numbered subkey as a list in number order', () => {
    const policy = checkPolicy(decode(fixture('reg-query-full.txt')), origin)
    expect(policy).toEqual({
      environment: 'acc',
      auditRetentionMonths: 24,
      minimumUsePolicy: 'notify',
      proxy: 'http://proxy.hospital.example:3128',
      language: 'nl',
      allowedServiceEndpoints: ['https://services-acpt.ehealth.fgov.be/', 'https://services-acpt.ehealth.fgov.be/Recipe/v4'],
      allowedExtensionOrigins: ['chrome-extension://abcdefghijklmnopabcdefghijklmnop'],
      allowedPrograms: ['C:\\Program Files\\Medidoc\\medidoc.exe', 'C:\\Program Files (x86)\\HIS Suite\\his.exe', '\\\\fileserver\\apps\\labo\\labo.exe'],
    })
  })

  it('an empty key is an empty policy', () => {
    expect(decode(fixture('reg-query-empty.txt'))).toEqual({})
  })

  it('a misspelt value name is refused by the schema, naming it and the key', () => {
    const err = errorOf(() => checkPolicy(decode(fixture('reg-query-typo.txt')), origin))
    expect(err.code).toBe('ERR_POLICY_INVALID')
    expect(err.data.field).toBe('enviroment')
    expect(err.message).toContain('HKLM\\SOFTWARE\\Policies\\ehealth-agent')
  })

  it('a type the policy never uses is refused, naming the value', () => {
    const err = errorOf(() => decode(fixture('reg-query-binary.txt')))
    expect(err.code).toBe('ERR_POLICY_INVALID')
    expect(err.data.field).toBe('environment')
    expect(err.message).toMatch(/REG_BINARY/)
  })

  it('a DWORD that is not hex, a line reg query never prints, and nested keys are refused', () => {
    const root = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\ehealth-agent'
    expect(errorOf(() => decode(`${root}\n    auditRetentionMonths    REG_DWORD    24\n`)).data.field).toBe('auditRetentionMonths')
    expect(errorOf(() => decode(`${root}\n  broken line\n`)).code).toBe('ERR_POLICY_INVALID')
    expect(errorOf(() => decode(`${root}\n\n${root}\\a\\b\n    1    REG_SZ    x\n`)).data.field).toBe('a\\b')
  })

  it('a value name with spaces and an empty REG_SZ are read as printed', () => {
    const key = parseRegQueryOutput('HKEY_LOCAL_MACHINE\\SOFTWARE\\X\r\n    some name    REG_SZ    a  b\r\n    empty    REG_SZ    \r\n', origin)
    expect(key.values).toEqual([
      { name: 'some name', type: 'REG_SZ', data: 'a  b' },
      { name: 'empty', type: 'REG_SZ', data: '' },
    ])
  })
})
