import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isAgentError } from '../../protocol/errors.js'
import { readLocalCredential, writeLocalCredential } from './local-credential.js'

let root: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'local-credential-test-'))
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

async function expectUnauthorized(promise: Promise<unknown>, ...fragments: string[]): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(isAgentError(err), String(err)).toBe(true)
  expect((err as { code: string }).code).toBe('ERR_UNAUTHORIZED')
  for (const fragment of fragments) expect((err as Error).message).toContain(fragment)
}

describe('local credential', () => {
  it('writes 32 random bytes as base64url, 0600 in a new 0700 directory, and reads them back', async () => {
    const previous = process.umask(0o022)
    try {
      const file = join(root, 'run', 'ehealth-agent', 'credential')
      const credential = await writeLocalCredential(file)
      expect(credential).toMatch(/^[A-Za-z0-9_-]{43}$/)
      expect(Buffer.from(credential, 'base64url')).toHaveLength(32)
      expect(statSync(file).mode & 0o777).toBe(0o600)
      expect(statSync(join(root, 'run', 'ehealth-agent')).mode & 0o777).toBe(0o700)
      expect(await readLocalCredential(file)).toBe(credential)
    } finally {
      process.umask(previous)
    }
  })

  it('replaces an earlier credential atomically, fixing a loose mode and removing a stale temporary file', async () => {
    mkdirSync(join(root, 'dir'))
    const file = join(root, 'dir', 'credential')
    writeFileSync(file, 'old-credential-from-a-previous-run', { mode: 0o644 })
    const leftover = join(root, 'dir', '.credential.tmp-crash1')
    mkdirSync(leftover)
    writeFileSync(join(leftover, 'credential'), 'half', { mode: 0o644 })
    const hourAgo = new Date(Date.now() - 3600_000)
    utimesSync(leftover, hourAgo, hourAgo)
    const first = await writeLocalCredential(file)
    const second = await writeLocalCredential(file)
    expect(second).not.toBe(first)
    expect(await readLocalCredential(file)).toBe(second)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(readdirSync(join(root, 'dir'))).toEqual(['credential'])
  })

  it('reads a credential with a trailing newline or CRLF (edited on Windows)', async () => {
    const file = join(root, 'credential')
    const credential = 'A'.repeat(42) + 'Q'
    writeFileSync(file, `${credential}\r\n`)
    expect(await readLocalCredential(file)).toBe(credential)
    expect(readFileSync(file, 'utf8')).toContain(credential)
  })

  it('a missing file is ERR_UNAUTHORIZED naming the file and saying what to do', async () => {
    const file = join(root, 'nowhere', 'credential')
    await expectUnauthorized(readLocalCredential(file), file, 'does not exist', 'ehagent start', '--state-dir')
  })

  it('an unreadable path is ERR_UNAUTHORIZED too', async () => {
    // A directory where the file should be: unreadable as a file, even for root (tests may run as root).
    const file = join(root, 'credential')
    mkdirSync(file)
    await expectUnauthorized(readLocalCredential(file), file, 'cannot be read')
  })

  it('an empty or malformed file is ERR_UNAUTHORIZED', async () => {
    const file = join(root, 'credential')
    for (const content of ['', '\n', 'short', 'A'.repeat(43) + 'extra', 'A'.repeat(42) + '!']) {
      writeFileSync(file, content)
      await expectUnauthorized(readLocalCredential(file), file, 'does not hold a credential')
    }
  })
})
