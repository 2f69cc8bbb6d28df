import { describe, expect, it } from 'vitest'
import { MemoryKeySource } from '../../test/helpers/memory-key-source.js'
import { sharedSandboxPki } from '../../test/helpers/sandbox-pki.js'
import type { LoginOutcome } from './web-prompter.js'
import { watchKeyLogin } from './watch-key-login.js'

describe('watchKeyLogin', () => {
  it('reports each login outcome under the label the prompt showed, and changes nothing else', async () => {
    const { privateKey, certificatePem } = (await sharedSandboxPki()).keystores.nurse
    const inner = new MemoryKeySource(privateKey, certificatePem, { label: 'test keystore', password: 'right' })
    const seen: [string, LoginOutcome][] = []
    const watched = watchKeyLogin(inner, (label, outcome) => seen.push([label, outcome]))
    expect([watched.kind, watched.label, watched.protectedAuthenticationPath]).toEqual([inner.kind, inner.label, inner.protectedAuthenticationPath])
    await expect(watched.login('wrong')).rejects.toMatchObject({ code: 'ERR_PASSWORD_INCORRECT' })
    await watched.login('right')
    expect(watched.loginState()).toBe('logged-in')
    expect(seen.map(([label, o]) => [label, o.ok])).toEqual([
      ['test keystore', false],
      ['test keystore', true],
    ])
    // The listener never sees the secret.
    expect(JSON.stringify(seen)).not.toContain('right')
    await watched.logout()
    expect(inner.loginState()).toBe('logged-out')
  })
})
