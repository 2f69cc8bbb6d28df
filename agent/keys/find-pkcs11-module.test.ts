import { describe, expect, it } from 'vitest'
import { findPkcs11Module, listPkcs11ModuleCandidates } from './find-pkcs11-module.js'

describe('findPkcs11Module', () => {
  it('finds the Debian eid-mw module on Linux', () => {
    const exists = (path: string) => path === '/usr/lib/x86_64-linux-gnu/libbeidpkcs11.so.0'
    expect(findPkcs11Module('linux', exists)).toBe('/usr/lib/x86_64-linux-gnu/libbeidpkcs11.so.0')
  })

  it('prefers the earlier candidate when several exist', () => {
    expect(findPkcs11Module('linux', () => true)).toBe('/usr/lib/x86_64-linux-gnu/libbeidpkcs11.so.0')
  })

  it('falls back to /usr/local/lib on Linux', () => {
    expect(findPkcs11Module('linux', (path) => path === '/usr/local/lib/libbeidpkcs11.so')).toBe('/usr/local/lib/libbeidpkcs11.so')
  })

  it('finds the macOS bundle and the Windows DLL', () => {
    const bundle = '/Library/Belgium Identity Card/Pkcs11/beid-pkcs11.bundle/Contents/MacOS/libbeidpkcs11.dylib'
    expect(findPkcs11Module('darwin', (path) => path === bundle)).toBe(bundle)
    expect(findPkcs11Module('win32', (path) => path === 'C:\\Windows\\System32\\beidpkcs11.dll')).toBe('C:\\Windows\\System32\\beidpkcs11.dll')
  })

  it('names every path tried and how to install when nothing is found', () => {
    const tried: string[] = []
    let error: unknown
    try {
      findPkcs11Module('linux', (path) => (tried.push(path), false))
    } catch (e) {
      error = e
    }
    expect(tried).toEqual([...listPkcs11ModuleCandidates('linux')])
    expect(error).toMatchObject({ name: 'AgentError', code: 'ERR_KEY_SOURCE', data: { triedPaths: tried } })
    const message = (error as Error).message
    for (const path of tried) expect(message).toContain(path)
    expect(message).toContain('apt-get install eid-mw')
    expect(message).toContain('module path')
  })

  it('has no candidates for an unknown platform and still says what to do', () => {
    expect(listPkcs11ModuleCandidates('aix')).toEqual([])
    expect(() => findPkcs11Module('aix', () => true)).toThrow(/no known location on aix/)
  })
})
