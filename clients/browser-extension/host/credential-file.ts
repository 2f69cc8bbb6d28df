import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { HOST_CREDENTIAL_DIR } from '../../../protocol/browser-extension/names.js'
import type { AgentPaths } from '../../../protocol/discovery/resolve-paths.js'

/** Where the credential of `extensionId` is kept. */
export function hostCredentialPath(paths: AgentPaths, extensionId: string): string {
  return join(dirname(paths.clientsFile), HOST_CREDENTIAL_DIR, `${extensionId}.credential`)
}

/** The host's pairing credential on disk: read, replace, forget. */
export interface CredentialFile {
  /** The stored credential, or undefined when there is none (or it is not one). */
  read(): Promise<string | undefined>
  write(credential: string): Promise<void>
  remove(): Promise<void>
}

/** What the agent hands out (32 random bytes, base64url) and accepts as a Bearer credential. */
const CREDENTIAL = /^[A-Za-z0-9_-]{16,128}$/

/**
 * The credential file at `path`: owner-only (0600) in an owner-only directory (0700), written
 * whole (temporary file, then rename), so a crash never leaves half a credential and another user
 * never reads one (threat T7: it is as good as the extension's pairing).
 */
export function openCredentialFile(path: string): CredentialFile {
  return {
    async read() {
      let text: string
      try {
        text = await readFile(path, 'utf8')
      } catch {
        return undefined
      }
      const credential = text.trim()
      return CREDENTIAL.test(credential) ? credential : undefined
    },
    async write(credential) {
      const dir = dirname(path)
      const created = await mkdir(dir, { recursive: true, mode: 0o700 })
      // mkdir's mode passes through the umask; a directory made here is made private explicitly.
      if (created !== undefined) await chmod(dir, 0o700)
      const tmp = `${path}.${process.pid}.tmp`
      await writeFile(tmp, credential + '\n', { mode: 0o600, flag: 'w' })
      await chmod(tmp, 0o600)
      await rename(tmp, path)
    },
    async remove() {
      await rm(path, { force: true })
    },
  }
}
