import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadOrCreateSandboxPki, type SandboxPki } from '../../agent/sandbox/pki/index.js'

const SANDBOX = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'agent', 'sandbox')
const PREFIX = `ehealth-agent-test-sandbox-pki-${safeUser()}-`

let shared: Promise<SandboxPki> | undefined

/**
 * A sandbox PKI shared by every test file and run, for tests that need its keys but do not test
 * its generation (generating takes seconds, loading a tenth of one). It lives in the OS tmp dir
 * under a name that hashes the generator's sources and the directory's data, so changing either
 * gives a fresh PKI instead of a stale one; copies of other sources are removed once a day old.
 * Concurrent test files are safe: loadOrCreateSandboxPki renames a complete PKI into place
 * atomically; so are two checkouts tested at once, each with its own copy while they differ.
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
  // By name within agent/sandbox, not by absolute path: two checkouts of the same sources share one.
  for (const file of files) hash.update(file.slice(SANDBOX.length)).update(readFileSync(file))
  return hash.digest('hex').slice(0, 16)
}

/** Copies for other sources, left a day ago or more (a younger one may be another checkout's, in use). */
function removeStaleCopies(current: string): void {
  const dayAgo = Date.now() - 24 * 3600 * 1000
  for (const name of readdirSync(tmpdir())) {
    const path = join(tmpdir(), name)
    if (!name.startsWith(PREFIX) || path === current) continue
    try {
      if (statSync(path).mtimeMs < dayAgo) rmSync(path, { recursive: true, force: true })
    } catch {
      // Removed meanwhile by another run.
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
