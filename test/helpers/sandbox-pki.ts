import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadOrCreateSandboxPki, type SandboxPki } from '../../agent/sandbox/pki/index.js'

const SANDBOX = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'agent', 'sandbox')
const PREFIX = `ehealth-agent-shared-sandbox-pki-${safeUser()}-`
/** A copy untouched for this long is no test run's any more; younger ones may be another checkout's, in use. */
const STALE_AFTER_MS = 24 * 3600 * 1000

let shared: Promise<SandboxPki> | undefined

/**
 * A sandbox PKI shared by every test file and run, for tests that need its keys but do not test
 * its generation (generating takes seconds, loading a tenth of one). It lives in the OS tmp dir
 * under a name that hashes the generator's sources and the directory's data, so changing either
 * gives a fresh PKI instead of a stale one; copies of other hashes untouched for a day are
 * removed (a younger one may belong to another checkout's test run, in progress). Concurrent test
 * files are safe: loadOrCreateSandboxPki renames a complete PKI into place atomically.
 */
export function sharedSandboxPki(): Promise<SandboxPki> {
  shared ??= openSharedPki()
  return shared
}

async function openSharedPki(): Promise<SandboxPki> {
  const stateDir = join(tmpdir(), PREFIX + sourceHash())
  removeStaleCopies(stateDir)
  try {
    const pki = await loadOrCreateSandboxPki(stateDir)
    if (pki.expiresAt.getTime() > Date.now() + 24 * 3600 * 1000) return pki
  } catch {
    // Unreadable (an interrupted older run, a manual edit): start over below.
  }
  rmSync(stateDir, { recursive: true, force: true })
  return loadOrCreateSandboxPki(stateDir)
}

function sourceHash(): string {
  const hash = createHash('sha256')
  const files = [
    ...readdirSync(join(SANDBOX, 'pki'))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .sort()
      .map((f) => join(SANDBOX, 'pki', f)),
    join(SANDBOX, 'directory-data.ts'),
  ]
  for (const file of files) hash.update(file).update(readFileSync(file))
  return hash.digest('hex').slice(0, 16)
}

function removeStaleCopies(current: string): void {
  for (const name of readdirSync(tmpdir())) {
    const path = join(tmpdir(), name)
    if (!name.startsWith(PREFIX) || path === current) continue
    try {
      if (Date.now() - statSync(path).mtimeMs > STALE_AFTER_MS) rmSync(path, { recursive: true, force: true })
    } catch {
      // removed meanwhile by another run
    }
  }
}

function safeUser(): string {
  try {
    return userInfo().username.replace(/[^A-Za-z0-9_-]/g, '_')
  } catch {
    return 'user'
  }
}
