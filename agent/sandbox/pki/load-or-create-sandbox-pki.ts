/**
 * The sandbox PKI lives in `<stateDir>/pki`: generated on first use, read back on every later
 * start, so restarting the sandbox keeps the keystores and trust anchors users configured.
 *
 * Generation happens in a fresh temporary directory beside it that is renamed into place when
 * complete. A crash mid-way therefore leaves no half PKI, and of two processes starting at once
 * the second rename fails and that process simply loads the winner's PKI.
 */
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { createSandboxPki } from './create-sandbox-pki.js'
import { loadSandboxPki } from './load-sandbox-pki.js'
import { MANIFEST_FILE } from './manifest.js'
import { makePrivateDir, PRIVATE_DIR_MODE } from './private-files.js'
import type { SandboxPki } from './types.js'

export const PKI_SUBDIR = 'pki'

/**
 * The sandbox PKI of `stateDir`, created there first if absent. `clock` sets the validity start
 * (a day before it) and the keystore file names at creation; it does not matter when loading.
 */
export async function loadOrCreateSandboxPki(stateDirInput: string, clock: () => Date = () => new Date()): Promise<SandboxPki> {
  const stateDir = resolve(stateDirInput) // the paths handed out are absolute
  const dir = join(stateDir, PKI_SUBDIR)
  if (existsSync(join(dir, MANIFEST_FILE))) return loadSandboxPki(dir)
  if (existsSync(dir)) {
    throw new Error(`${dir} exists but holds no ${MANIFEST_FILE}; it is not a sandbox PKI (move it away to let the sandbox generate one)`)
  }

  // A missing state directory is created private; an existing one is the caller's and is left as is.
  await mkdir(stateDir, { recursive: true, mode: PRIVATE_DIR_MODE })
  const staging = await mkdtemp(join(stateDir, `.${PKI_SUBDIR}-`))
  try {
    await makePrivateDir(staging)
    await createSandboxPki(staging, clock())
    await rename(staging, dir)
  } catch (error) {
    await rm(staging, { recursive: true, force: true })
    const code = (error as NodeJS.ErrnoException).code
    const lostRace = (code === 'EEXIST' || code === 'ENOTEMPTY' || code === 'EPERM') && existsSync(join(dir, MANIFEST_FILE))
    if (!lostRace) throw error
  }
  return loadSandboxPki(dir)
}
