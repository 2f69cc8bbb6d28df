import { describe, expect, it } from 'vitest'
import { AgentError } from '../../protocol/errors.js'
import { FallbackPrompter } from './fallback-prompter.js'
import { forwardNotices } from './forward-notices.js'
import type { Notice, Prompter, SignInPrompt } from './prompter.js'
import { PrompterUnavailableError } from './prompter-unavailable.js'
import { ScriptedPrompter } from './scripted-prompter.js'

const PROMPT: SignInPrompt = { client: 'x', purpose: 'login', profile: { id: 'doctor', label: 'Doctor' }, environment: 'Sandbox', keySource: 'k', requirement: { secret: 'password' } }

function failing(error: Error): Prompter & { notices: Notice[] } {
  const notices: Notice[] = []
  return {
    notices,
    askSecret: async () => Promise.reject(error),
    confirm: async () => Promise.reject(error),
    approvePairing: async () => Promise.reject(error),
    approve: async () => Promise.reject(error),
    notify: (n) => void notices.push(n),
  }
}

describe('FallbackPrompter', () => {
  it('asks the fallback (the terminal) when the primary cannot reach the user', async () => {
    const terminal = new ScriptedPrompter({ secret: 'from-terminal', approvePairing: true })
    const prompter = new FallbackPrompter(failing(new PrompterUnavailableError('no browser')), terminal)
    await expect(prompter.askSecret(PROMPT)).resolves.toBe('from-terminal')
    await expect(prompter.approvePairing({ client: 'x', scopes: { methods: [], services: [] } })).resolves.toBe(true)
    await expect(prompter.approve({ client: 'x', kind: 'origin', clientId: 'c', origin: 'https://app.example.be' })).resolves.toBe(true)
    expect(terminal.prompts).toHaveLength(1)
    expect(terminal.approvals).toEqual([expect.objectContaining({ kind: 'origin', origin: 'https://app.example.be' })])
  })

  it('a cancel or a timeout is the user\'s answer: never asked again elsewhere', async () => {
    for (const code of ['ERR_USER_CANCELLED', 'ERR_USER_TIMEOUT'] as const) {
      const terminal = new ScriptedPrompter({ secret: 'x' })
      const prompter = new FallbackPrompter(failing(new AgentError(code)), terminal)
      await expect(prompter.askSecret(PROMPT)).rejects.toMatchObject({ code })
      expect(terminal.prompts).toHaveLength(0)
    }
  })

  it('notices go to both', () => {
    const primary = failing(new Error('x'))
    const terminal = new ScriptedPrompter({ secret: 'x' })
    new FallbackPrompter(primary, terminal).notify({ kind: 'signed-out', text: 'Signed out' })
    expect(primary.notices).toHaveLength(1)
    expect(terminal.notices).toHaveLength(1)
  })
})

describe('forwardNotices', () => {
  it('passes everything through and tells the listener about notices; a failing listener changes nothing', async () => {
    const inner = new ScriptedPrompter({ secret: 's' })
    const seen: Notice[] = []
    const prompter = forwardNotices(inner, (n) => {
      seen.push(n)
      throw new Error('tray gone')
    })
    await expect(prompter.askSecret(PROMPT)).resolves.toBe('s')
    prompter.notify({ kind: 'error', text: 'boom' })
    expect(seen).toEqual([{ kind: 'error', text: 'boom' }])
    expect(inner.notices).toEqual([{ kind: 'error', text: 'boom' }])
  })
})
