import * as fs from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { HOST_CREDENTIAL_DIR } from '../../../protocol/browser-extension/names.js'
import type { AgentPaths } from '../../../protocol/discovery/resolve-paths.js'
import { writeFileAtomically } from '../../../protocol/files/write-file-atomically.js'

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
 * atomically (temporary file, fsync, rename), so a crash never leaves half a credential and another
 * user never reads one (threat T7: it is as good as the extension's pairing).
 */
export function openCredentialFile(path: string): CredentialFile {
  return {
    async read() {
      let text: string
      try {
        text = await fs.readFile(path, 'utf8')
      } catch {
        return undefined
      }
      const credential = text.trim()
      return CREDENTIAL.test(credential) ? credential : undefined
    },
    async write(credential) {
      await writeFileAtomically(fs, path, credential + '\n')
    },
    async remove() {
      await fs.rm(path, { force: true })
    },
  }
}
