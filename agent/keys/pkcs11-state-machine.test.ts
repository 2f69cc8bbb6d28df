import { describe, expect, it } from 'vitest'
import { isAgentError } from '../../protocol/errors.js'
import { TOKEN_FLAGS, type Pkcs11Module, type Pkcs11TokenInfo } from './pkcs11-binding.js'
import { createPkcs11StateMachine, PKCS11_STATE_NAMES, type Pkcs11StateMachine, type Pkcs11StateName, type Pkcs11Token, type TokenCertificate } from './pkcs11-state-machine.js'

/** A module that only records what the machine does with it: sessions opened and closed, C_Logout, release. */
function recordingModule() {
  const calls: string[] = []
  let next = 1
  const module: Pkcs11Module = {
    listSlots: () => [],
    getTokenInfo: () => info('unused'),
    openSession: () => {
      const session = Buffer.from([next++])
      calls.push(`open ${session[0]}`)
      return session
    },
    closeSession: (session) => void calls.push(`close ${session[0]}`),
    login: () => undefined,
    logout: (session) => void calls.push(`logout ${session[0]}`),
    listCertificates: () => [],
    listPrivateKeys: () => [],
    sign: async () => new Uint8Array(),
    release: () => void calls.push('release'),
  }
  return { module, calls }
}

function info(label: string, flags: number = TOKEN_FLAGS.CKF_TOKEN_INITIALIZED): Pkcs11TokenInfo {
  return { label, serialNumber: '1', manufacturerId: 'test', model: 'test', flags, minPinLen: 4, maxPinLen: 12 }
}

const CERTIFICATE = { id: Buffer.from([2]), info: {} } as unknown as TokenCertificate
const KEY = Buffer.from([0x10])

/** A machine brought to `name` by the legal transitions, with the module it uses. */
function machineIn(name: Pkcs11StateName) {
  const { module, calls } = recordingModule()
  const machine = createPkcs11StateMachine({ sessions: 2 })
  const token: Pkcs11Token = { slot: Buffer.from([7]), info: info('BELPIC') }
  if (name === 'closed') void machine.close()
  if (name !== 'no-module' && name !== 'closed') machine.loadModule(module)
  if (name === 'token-present' || name === 'logged-in') machine.insertToken(token)
  if (name === 'logged-in') {
    machine.rememberCertificate(token, CERTIFICATE)
    machine.logIn(KEY)
  }
  expect(machine.state.name).toBe(name)
  return { machine, module, calls, token }
}

/** Resolves when told to: a task that keeps its session busy. */
function gate() {
  let open!: () => void
  const opened = new Promise<void>((resolve) => (open = resolve))
  return { open, opened }
}

const TRANSITIONS: Record<string, (m: Pkcs11StateMachine, module: Pkcs11Module) => unknown> = {
  loadModule: (m, module) => m.loadModule(module),
  insertToken: (m) => m.insertToken({ slot: Buffer.from([8]), info: info('OTHER') }),
  removeToken: (m) => m.removeToken(),
  logIn: (m) => m.logIn(KEY),
  updateTokenInfo: (m) => m.updateTokenInfo(info('BELPIC')),
}

/** Which of TRANSITIONS each state allows; every other pair must be refused. */
const ALLOWED: Record<Pkcs11StateName, string[]> = {
  'no-module': ['loadModule'],
  'token-absent': ['insertToken'],
  'token-present': ['removeToken', 'updateTokenInfo', 'logIn'], // logIn once the certificate is known
  'logged-in': ['removeToken', 'updateTokenInfo'],
  closed: [],
}

describe('the PKCS#11 state machine', () => {
  it('goes no-module → token-absent → token-present → logged-in, each state holding what it needs', () => {
    const { module, calls } = recordingModule()
    const machine = createPkcs11StateMachine({ sessions: 2 })
    expect(machine.state).toEqual({ name: 'no-module' })
    machine.loadModule(module)
    expect(machine.state).toMatchObject({ name: 'token-absent', module, removed: false })
    const token: Pkcs11Token = { slot: Buffer.from([7]), info: info('BELPIC') }
    machine.insertToken(token)
    expect(machine.state).toMatchObject({ name: 'token-present', token, certificate: undefined })
    expect(machine.rememberCertificate(token, CERTIFICATE)).toBe(true)
    machine.logIn(KEY)
    expect(machine.state).toMatchObject({ name: 'logged-in', token, certificate: CERTIFICATE, key: KEY })
    expect(calls).toEqual([]) // sessions are opened when a task needs one, not by a transition
  })

  for (const from of PKCS11_STATE_NAMES) {
    for (const [transition, run] of Object.entries(TRANSITIONS)) {
      if (ALLOWED[from].includes(transition)) continue
      it(`refuses ${transition} in state ${from}, and stays there`, () => {
        const { machine, module } = machineIn(from)
        const before = machine.state
        let error: unknown
        try {
          run(machine, module)
        } catch (e) {
          error = e
        }
        expect(isAgentError(error) && error.code).toBe('ERR_KEY_SOURCE')
        expect((error as { data: { detail: string } }).data.detail).toBe(from === 'closed' ? 'closed' : `illegal transition: ${describeTransition(transition)} from ${from}`)
        expect(machine.state).toBe(before)
      })
    }
  }

  it('refuses logIn before the certificate is known (the key is the certificate’s)', () => {
    const { machine } = machineIn('token-present')
    expect(() => machine.logIn(KEY)).toThrow(expect.objectContaining({ code: 'ERR_KEY_SOURCE', data: { detail: 'illegal transition: log in before the certificate is read from token-present' } }))
    expect(machine.state.name).toBe('token-present')
  })

  describe('lock', () => {
    it('from logged-in: logged out at once, C_Logout after the signature in flight, every old session closed, a fresh pool', async () => {
      const { machine, calls } = machineIn('logged-in')
      const old = machine.state.name === 'logged-in' ? machine.state.sessions : undefined
      const busy = gate()
      const inFlight = old!.use(() => busy.opened.then(() => 'signed'))
      const second = old!.use(() => busy.opened.then(() => 'signed too'))
      const waiting = old!.use(() => 'never runs') // both sessions are busy: this one waits

      const locked = machine.lock()
      expect(machine.state).toMatchObject({ name: 'token-present', certificate: CERTIFICATE })
      expect(machine.state).not.toHaveProperty('key')
      await expect(waiting).rejects.toMatchObject({ code: 'ERR_NOT_LOGGED_IN' })
      expect(calls).toEqual(['open 1', 'open 2']) // no C_Logout under a running signature
      busy.open()
      await locked
      expect(await inFlight).toBe('signed')
      expect(await second).toBe('signed too')
      expect(calls[2]).toMatch(/^logout [12]$/) // on one session: C_Logout logs out the whole application (v2.40 §5.6)
      expect(calls.slice(3).sort()).toEqual(['close 1', 'close 2'])
      expect(machine.state.name === 'token-present' && machine.state.sessions).not.toBe(old)
    })

    it('from token-present: the sessions are closed, no C_Logout (nothing was logged in)', async () => {
      const { machine, calls } = machineIn('token-present')
      const sessions = machine.state.name === 'token-present' ? machine.state.sessions : undefined
      await sessions!.use(() => undefined)
      await machine.lock()
      expect(calls).toEqual(['open 1', 'close 1'])
      expect(machine.state.name).toBe('token-present')
    })

    it.each(['no-module', 'token-absent', 'closed'] as const)('in state %s: nothing to lock, nothing changes', async (name) => {
      const { machine, calls } = machineIn(name)
      const before = machine.state
      await machine.lock()
      expect(machine.state).toBe(before)
      expect(calls).toEqual([])
    })

    it('a failed sign-in can always end in lock: from every state, the source is then logged out', async () => {
      for (const name of PKCS11_STATE_NAMES) {
        const { machine } = machineIn(name)
        await machine.lock()
        expect(machine.state.name).not.toBe('logged-in')
      }
    })
  })

  it('removeToken: logged out, the card and its certificate forgotten, waiting tasks told the card is gone, no C_Logout', async () => {
    const { machine, calls } = machineIn('logged-in')
    const sessions = machine.state.name === 'logged-in' ? machine.state.sessions : undefined
    const busy = gate()
    const running = sessions!.use(() => busy.opened)
    const running2 = sessions!.use(() => busy.opened)
    const waiting = sessions!.use(() => 'never runs')
    machine.removeToken()
    expect(machine.state).toEqual({ name: 'token-absent', module: expect.anything(), removed: true, lastTokenLabel: 'BELPIC' })
    await expect(waiting).rejects.toMatchObject({ code: 'ERR_TOKEN_ABSENT' })
    busy.open()
    await Promise.all([running, running2])
    await new Promise((resolve) => setImmediate(resolve))
    expect(calls.filter((c) => c.startsWith('logout'))).toEqual([])
    expect(calls.filter((c) => c.startsWith('close')).sort()).toEqual(['close 1', 'close 2'])
  })

  it('rememberCertificate keeps a certificate only for the token still in use', () => {
    const { machine, token } = machineIn('token-present')
    machine.removeToken()
    const other: Pkcs11Token = { slot: Buffer.from([7]), info: info('BELPIC') }
    machine.insertToken(other)
    expect(machine.rememberCertificate(token, CERTIFICATE)).toBe(false) // read from the card that was removed
    expect(machine.state).toMatchObject({ name: 'token-present', certificate: undefined })
    expect(machine.rememberCertificate(other, CERTIFICATE)).toBe(true)
  })

  describe('close', () => {
    it('from logged-in: closed at once, C_Logout, sessions closed, the module released once', async () => {
      const { machine, calls } = machineIn('logged-in')
      const sessions = machine.state.name === 'logged-in' ? machine.state.sessions : undefined
      await sessions!.use(() => undefined)
      const closing = machine.close()
      expect(machine.state).toEqual({ name: 'closed', lastTokenLabel: 'BELPIC' })
      await closing
      await machine.close()
      expect(calls).toEqual(['open 1', 'logout 1', 'close 1', 'release'])
    })

    it.each([
      ['no-module', []],
      ['token-absent', ['release']],
      ['token-present', ['release']],
    ] as const)('from %s', async (name, expected) => {
      const { machine, calls } = machineIn(name)
      await machine.close()
      expect(machine.state.name).toBe('closed')
      expect(calls).toEqual(expected)
    })
  })
})

function describeTransition(name: string): string {
  return { loadModule: 'load a module', insertToken: 'select a token', removeToken: 'forget a removed token', logIn: 'log in', updateTokenInfo: 'read the token' }[name]!
}
