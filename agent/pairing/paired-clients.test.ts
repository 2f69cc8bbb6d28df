import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { isAgentError } from '../../protocol/errors.js'
import { isAllowed, PairedClients, type ClientScopes } from './paired-clients.js'

let root: string
let file: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'paired-clients-test-'))
  file = join(root, 'state', 'clients.json')
})
afterEach(() => {
  vi.useRealTimers()
  rmSync(root, { recursive: true, force: true })
})

function fixedClock(iso = '2025-03-01T10:00:00.000Z'): { clock: () => Date; set: (iso: string) => void } {
  let now = new Date(iso)
  return { clock: () => now, set: (next) => (now = new Date(next)) }
}

const SIGN_ONLY: ClientScopes = { methods: ['soap.sign'], services: [] }

async function expectConfigInvalid(promise: Promise<unknown>, ...fragments: string[]): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(isAgentError(err), String(err)).toBe(true)
  expect((err as { code: string }).code).toBe('ERR_CONFIG_INVALID')
  for (const fragment of [file, ...fragments]) expect((err as Error).message).toContain(fragment)
  // The path is for the human reading the message, not for `data`, which may reach a caller.
  expect(JSON.stringify((err as { data: unknown }).data)).not.toContain(root)
}

describe('PairedClients', () => {
  it('add → authenticate → revoke → authenticate is undefined', async () => {
    const { clock } = fixedClock()
    const clients = await PairedClients.open(file, clock)
    const { client, credential } = await clients.add('Practice app', SIGN_ONLY, { pid: 77, executable: '/opt/practice/bin/app', user: 'dr' })
    expect(credential).toMatch(/^[A-Za-z0-9_-]{43}$/) // 32 bytes, base64url
    expect(client).toEqual({
      clientId: client.clientId,
      name: 'Practice app',
      pairedAt: '2025-03-01T10:00:00.000Z',
      scopes: SIGN_ONLY,
      process: { pid: 77, executable: '/opt/practice/bin/app', user: 'dr' },
      // Bound to the program that paired.
      executables: ['/opt/practice/bin/app'],
    })
    expect(clients.authenticate(credential)).toEqual(client)
    expect(clients.authenticate(credential.slice(0, -1) + (credential.endsWith('A') ? 'B' : 'A'))).toBeUndefined()
    expect(clients.authenticate('')).toBeUndefined()

    const revoking = clients.revoke(client.clientId)
    // Effective before the save completes: the very next call is refused.
    expect(clients.authenticate(credential)).toBeUndefined()
    expect(await revoking).toBe(true)
    expect(await clients.revoke(client.clientId)).toBe(false)
    expect(clients.list()).toEqual([])
  })

  it('binds more programs, changes the use policy and allows and withdraws websites; all of it survives a restart', async () => {
    const { clock, set } = fixedClock()
    const clients = await PairedClients.open(file, clock)
    const { client } = await clients.add('Browser extension (x)', SIGN_ONLY, { pid: 5, executable: '/usr/bin/node', commandLine: 'node /opt/host/main.js' }, { kind: 'browser-extension', usePolicy: 'notify' })
    expect(client).toMatchObject({ kind: 'browser-extension', usePolicy: 'notify', executables: ['/usr/bin/node'], process: { commandLine: 'node /opt/host/main.js' } })
    expect(await clients.addExecutable(client.clientId, '/usr/local/bin/node')).toBe(true)
    expect(await clients.addExecutable(client.clientId, '/usr/local/bin/node')).toBe(true)
    expect(await clients.setUsePolicy(client.clientId, 'ask')).toBe(true)
    set('2025-03-02T08:00:00.000Z')
    expect(await clients.addOrigin(client.clientId, 'https://app.example.be')).toBe(true)
    expect(await clients.addOrigin(client.clientId, 'https://other.example.be')).toBe(true)
    expect(await clients.revokeOrigin(client.clientId, 'https://other.example.be')).toBe(true)
    expect(await clients.revokeOrigin(client.clientId, 'https://other.example.be')).toBe(false)
    expect(await clients.addExecutable('no-such-client', '/x')).toBe(false)

    const reopened = await PairedClients.open(file, clock)
    expect(reopened.list()[0]).toMatchObject({
      executables: ['/usr/bin/node', '/usr/local/bin/node'],
      usePolicy: 'ask',
      origins: [{ origin: 'https://app.example.be', approvedAt: '2025-03-02T08:00:00.000Z' }],
    })
    // Back to silent: the field goes, as for a client that never had another policy.
    await reopened.setUsePolicy(client.clientId, 'silent')
    expect(reopened.list()[0]!.usePolicy).toBeUndefined()
  })

  it('rolls a change back when it cannot be saved', async () => {
    const { clock } = fixedClock()
    const clients = await PairedClients.open(file, clock)
    const { client } = await clients.add('App', SIGN_ONLY, { executable: '/usr/bin/curl' })
    const blocked = join(root, 'state')
    statSync(blocked)
    rmSync(blocked, { recursive: true, force: true })
    writeFileSync(blocked, 'not a directory')
    await expect(clients.addExecutable(client.clientId, '/usr/bin/python3.11')).rejects.toThrow()
    expect(clients.list()[0]!.executables).toEqual(['/usr/bin/curl'])
  })

  it('tells clients apart and gives each a fresh credential and id', async () => {
    const clients = await PairedClients.open(file, fixedClock().clock)
    const a = await clients.add('A', SIGN_ONLY)
    const b = await clients.add('B', { methods: ['*'], services: ['*'] })
    expect(a.credential).not.toBe(b.credential)
    expect(a.client.clientId).not.toBe(b.client.clientId)
    expect(clients.authenticate(a.credential)?.name).toBe('A')
    expect(clients.authenticate(b.credential)?.name).toBe('B')
    await clients.revoke(a.client.clientId)
    expect(clients.authenticate(a.credential)).toBeUndefined()
    expect(clients.authenticate(b.credential)?.name).toBe('B')
  })

  it('stores only the SHA-256 of a credential, never the credential', async () => {
    const clients = await PairedClients.open(file, fixedClock().clock)
    const credentials = await Promise.all(['A', 'B', 'C'].map(async (name) => (await clients.add(name, SIGN_ONLY)).credential))
    const onDisk = readdirSync(join(root, 'state'))
      .map((name) => readFileSync(join(root, 'state', name), 'utf8'))
      .join('\n')
    for (const credential of credentials) {
      expect(onDisk).not.toContain(credential)
      expect(onDisk).not.toContain(Buffer.from(credential, 'base64url').toString('base64'))
      expect(onDisk).not.toContain(Buffer.from(credential, 'base64url').toString('hex'))
      expect(onDisk).toContain(createHash('sha256').update(credential).digest('hex'))
    }
  })

  it('keeps clients across a restart, and revocation too', async () => {
    const { clock } = fixedClock()
    const first = await PairedClients.open(file, clock)
    const kept = await first.add('Kept', { methods: ['soap.call'], services: ['https://services.ehealth.fgov.be/'] })
    const gone = await first.add('Gone', SIGN_ONLY)
    await first.revoke(gone.client.clientId)

    const second = await PairedClients.open(file, clock)
    expect(second.list()).toEqual([kept.client])
    expect(second.authenticate(kept.credential)).toEqual(kept.client)
    expect(second.authenticate(gone.credential)).toBeUndefined()
  })

  it('creates the file 0600 in a new 0700 directory', async () => {
    const previous = process.umask(0o022)
    try {
      const clients = await PairedClients.open(file, fixedClock().clock)
      expect(statSync(join(root, 'state')).mode & 0o777).toBe(0o700)
      expect(statSync(file).mode & 0o777).toBe(0o600)
      await clients.add('A', SIGN_ONLY)
      expect(statSync(file).mode & 0o777).toBe(0o600)
      expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ version: 1, clients: [{ name: 'A' }] })
    } finally {
      process.umask(previous)
    }
  })

  it('returns copies: changing a returned client changes nothing stored', async () => {
    const clients = await PairedClients.open(file, fixedClock().clock)
    const { client, credential } = await clients.add('A', SIGN_ONLY)
    client.scopes.methods.push('*')
    clients.list()[0]!.scopes.services.push('*')
    clients.authenticate(credential)!.name = 'Mallory'
    expect(clients.authenticate(credential)).toMatchObject({ name: 'A', scopes: SIGN_ONLY })
  })

  it('ignores a temporary file left by a crash between write and rename, saves over it and removes it', async () => {
    const first = await PairedClients.open(file, fixedClock().clock)
    const kept = await first.add('Kept', SIGN_ONLY)
    // The crash, an hour ago: the next save wrote half of its temporary file and never renamed it.
    const leftover = join(root, 'state', '.clients.json.tmp-crash1')
    mkdirSync(leftover, { mode: 0o700 })
    writeFileSync(join(leftover, 'clients.json'), '{"version":1,"clients":[{"clientId":"half', { mode: 0o600 })
    const hourAgo = new Date(Date.now() - 3600_000)
    utimesSync(leftover, hourAgo, hourAgo)

    const second = await PairedClients.open(file, fixedClock().clock)
    expect(second.list()).toEqual([kept.client])
    const added = await second.add('After', SIGN_ONLY)
    expect(readdirSync(join(root, 'state'))).toEqual(['clients.json'])

    const third = await PairedClients.open(file, fixedClock().clock)
    expect(third.list().map((c) => c.name)).toEqual(['Kept', 'After'])
    expect(third.authenticate(added.credential)?.name).toBe('After')
  })

  it('serializes concurrent saves so the file ends with the latest state', async () => {
    const clients = await PairedClients.open(file, fixedClock().clock)
    const added = await Promise.all(Array.from({ length: 20 }, (_, i) => clients.add(`app ${i}`, SIGN_ONLY)))
    await Promise.all(added.filter((_, i) => i % 2 === 0).map(({ client }) => clients.revoke(client.clientId)))
    const reopened = await PairedClients.open(file, fixedClock().clock)
    expect(reopened.list().map((c) => c.name).sort()).toEqual(added.filter((_, i) => i % 2 === 1).map(({ client }) => client.name).sort())
  })

  it('rolls back an add whose save fails, so no credential is handed out that a restart would lose', async () => {
    const clients = await PairedClients.open(file, fixedClock().clock)
    rmSync(join(root, 'state'), { recursive: true })
    writeFileSync(join(root, 'state'), 'the directory is now a file')
    await expect(clients.add('A', SIGN_ONLY)).rejects.toThrow()
    expect(clients.list()).toEqual([])
  })

  it('records use with touch and saves it lazily, not on the caller’s path', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const time = fixedClock()
    const clients = await PairedClients.open(file, time.clock)
    const { client } = await clients.add('A', SIGN_ONLY)
    const savedLastUsed = () => (JSON.parse(readFileSync(file, 'utf8')) as { clients: { lastUsedAt?: string }[] }).clients[0]!.lastUsedAt

    time.set('2025-03-01T10:05:00.000Z')
    clients.touch(client.clientId)
    clients.touch('no-such-client')
    expect(clients.list()[0]!.lastUsedAt).toBe('2025-03-01T10:05:00.000Z')
    expect(savedLastUsed()).toBeUndefined()
    time.set('2025-03-01T10:05:01.000Z')
    for (let i = 0; i < 100; i++) clients.touch(client.clientId) // one pending save, not 100
    expect(vi.getTimerCount()).toBe(1)

    await vi.advanceTimersByTimeAsync(5000)
    await clients.flush()
    expect(savedLastUsed()).toBe('2025-03-01T10:05:01.000Z')

    time.set('2025-03-01T11:00:00.000Z')
    clients.touch(client.clientId)
    await clients.flush() // for shutdown: saves what is pending without waiting for the timer
    expect(vi.getTimerCount()).toBe(0)
    expect(savedLastUsed()).toBe('2025-03-01T11:00:00.000Z')
    expect((await PairedClients.open(file, time.clock)).list()[0]!.lastUsedAt).toBe('2025-03-01T11:00:00.000Z')
  })

  it('reports a failed lazy save through onError instead of throwing', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const clients = await PairedClients.open(file, fixedClock().clock)
    const { client } = await clients.add('A', SIGN_ONLY)
    const errors: unknown[] = []
    clients.onError = (err) => errors.push(err)
    rmSync(join(root, 'state'), { recursive: true })
    writeFileSync(join(root, 'state'), 'the directory is now a file')
    clients.touch(client.clientId)
    await vi.advanceTimersByTimeAsync(5000)
    await vi.waitFor(() => expect(errors).toHaveLength(1))
  })

  describe('a corrupt or hand-edited file is ERR_CONFIG_INVALID naming the file', () => {
    const valid = (overrides: Record<string, unknown> = {}) => ({
      clientId: 'c1',
      name: 'A',
      pairedAt: '2025-03-01T10:00:00.000Z',
      scopes: { methods: ['soap.sign'], services: [] },
      credentialSha256: 'ab'.repeat(32),
      ...overrides,
    })
    const write = (content: unknown) => {
      mkdirSync(join(root, 'state'), { recursive: true, mode: 0o700 })
      writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content), { mode: 0o600 })
    }

    it('not JSON', async () => {
      write('{"version":1,"clients":[')
      await expectConfigInvalid(PairedClients.open(file, fixedClock().clock), 'not valid JSON')
    })
    it('empty file', async () => {
      write('')
      await expectConfigInvalid(PairedClients.open(file, fixedClock().clock), 'not valid JSON')
    })
    it('wrong version', async () => {
      write({ version: 2, clients: [] })
      await expectConfigInvalid(PairedClients.open(file, fixedClock().clock), 'version')
    })
    it('a typo in a key', async () => {
      const { scopes, ...rest } = valid()
      write({ version: 1, clients: [{ ...rest, scope: scopes }] })
      await expectConfigInvalid(PairedClients.open(file, fixedClock().clock), 'clients.0')
    })
    it('a credential instead of its hash', async () => {
      write({ version: 1, clients: [valid({ credentialSha256: 'not-a-hash' })] })
      await expectConfigInvalid(PairedClients.open(file, fixedClock().clock), 'credentialSha256')
    })
    it('a duplicated client id', async () => {
      write({ version: 1, clients: [valid(), valid({ credentialSha256: 'cd'.repeat(32) })] })
      await expectConfigInvalid(PairedClients.open(file, fixedClock().clock), 'c1')
    })
    it('an array instead of the object', async () => {
      write([valid()])
      await expectConfigInvalid(PairedClients.open(file, fixedClock().clock))
    })
    it('a valid hand-written file loads', async () => {
      write({ version: 1, clients: [valid({ process: { pid: 1 } })] })
      const clients = await PairedClients.open(file, fixedClock().clock)
      expect(clients.list()).toEqual([{ clientId: 'c1', name: 'A', pairedAt: '2025-03-01T10:00:00.000Z', scopes: { methods: ['soap.sign'], services: [] }, process: { pid: 1 } }])
    })
  })
})

describe('isAllowed', () => {
  const call = (services: string[], service?: string) => isAllowed({ methods: ['soap.call'], services }, 'soap.call', service)

  it('checks the method: listed, or any with *', () => {
    expect(isAllowed({ methods: ['soap.sign'], services: [] }, 'soap.sign')).toBe(true)
    expect(isAllowed({ methods: ['soap.sign'], services: [] }, 'session.login')).toBe(false)
    expect(isAllowed({ methods: ['*'], services: [] }, 'session.login')).toBe(true)
    expect(isAllowed({ methods: [], services: ['*'] }, 'soap.sign')).toBe(false)
    expect(isAllowed({ methods: ['SOAP.SIGN'], services: [] }, 'soap.sign')).toBe(false)
  })

  it('ignores services for methods other than soap.call', () => {
    expect(isAllowed({ methods: ['soap.sign'], services: [] }, 'soap.sign', 'https://anything.example/')).toBe(true)
  })

  it('for soap.call needs the service: exact, *, or a prefix ending in /', () => {
    const endpoint = 'https://services.ehealth.fgov.be/consultRN/identifyPerson/v1'
    expect(call([endpoint], endpoint)).toBe(true)
    expect(call(['*'], endpoint)).toBe(true)
    expect(call(['https://services.ehealth.fgov.be/consultRN/'], endpoint)).toBe(true)
    expect(call(['https://services.ehealth.fgov.be/'], endpoint)).toBe(true)
    expect(call([], endpoint)).toBe(false)
    expect(call([endpoint])).toBe(false) // no service given
    expect(call(['https://services.ehealth.fgov.be/other/v1'], endpoint)).toBe(false)
    expect(isAllowed({ methods: ['soap.sign'], services: ['*'] }, 'soap.call', endpoint)).toBe(false)
  })

  it('does not treat an entry without a trailing / as a prefix', () => {
    expect(call(['https://services.ehealth.fgov.be/consultRN'], 'https://services.ehealth.fgov.be/consultRN/identifyPerson/v1')).toBe(false)
    expect(call(['https://services.ehealth.fgov.be/consult'], 'https://services.ehealth.fgov.be/consultRN')).toBe(false)
    expect(call(['https://services.ehealth.fgov.be'], 'https://services.ehealth.fgov.be.evil.example/x')).toBe(false)
  })

  it('compares URLs as fetch would resolve them, so a prefix cannot be escaped', () => {
    const scope = ['https://services.ehealth.fgov.be/consultRN/']
    expect(call(scope, 'https://services.ehealth.fgov.be/consultRN/../admin/v1')).toBe(false)
    expect(call(scope, 'https://services.ehealth.fgov.be/consultRN/%2e%2e/admin/v1')).toBe(false)
    expect(call(scope, 'https://services.ehealth.fgov.be/consultRN/..\\admin/v1')).toBe(false)
    expect(call(scope, 'https://services.ehealth.fgov.be/consultRN/./v1/../v2')).toBe(true)
    expect(call(scope, 'HTTPS://SERVICES.EHEALTH.FGOV.BE/consultRN/v1')).toBe(true)
    expect(call(scope, 'https://services.ehealth.fgov.be:443/consultRN/v1')).toBe(true)
    expect(call(['https://services.ehealth.fgov.be/'], 'https://services.ehealth.fgov.be@evil.example/')).toBe(false)
    expect(call(['https://services.ehealth.fgov.be/'], 'https://user:pw@services.ehealth.fgov.be/x')).toBe(false)
    expect(call(['https://services.ehealth.fgov.be/'], 'http://services.ehealth.fgov.be/x')).toBe(false)
    expect(call(['https://services.ehealth.fgov.be/'], 'not a url')).toBe(false)
  })
})
