/**
 * The local credential: what the `ehagent` CLI of the same user presents instead of pairing
 * (README, "Who is calling"). The file's privacy is the proof: it sits 0600 in a 0700 directory
 * of the user's private runtime dir (threat T5), so only that user can read it.
 */
import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs/promises'
import { AgentError } from '../../protocol/errors.js'
import { writeFileAtomically } from '../../protocol/files/write-file-atomically.js'

const CREDENTIAL_BYTES = 32
const CREDENTIAL_SHAPE = /^[A-Za-z0-9_-]{43}$/

/** A fresh local credential: 32 random bytes, base64url. */
export function newLocalCredential(): string {
  return randomBytes(CREDENTIAL_BYTES).toString('base64url')
}

/**
 * Create (or replace) the local credential file: `credential` (a fresh one by default), file
 * 0600, parent directory 0700; returns the credential. Replacing it retires the credential of an
 * earlier run, so the agent writes it only once it knows it can serve (its port is its own).
 */
export async function writeLocalCredential(file: string, credential: string = newLocalCredential()): Promise<string> {
  // Written whole and renamed over: a CLI reading at that moment gets the old credential or the
  // new one, never half of one; and a looser mode on an old file does not carry over. A missing
  // directory is made 0700; an existing one is not chmod-ed: it may be a --state-dir the user
  // shares (as agent/sandbox/pki does); the file's own 0600 is what protects the credential.
  await writeFileAtomically(fs, file, credential + '\n')
  return credential
}

/** Read the local credential; a clear ERR_UNAUTHORIZED, with what to do, when it is missing or unreadable. */
export async function readLocalCredential(file: string): Promise<string> {
  let text: string
  try {
    text = await fs.readFile(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? 'error'})`
    throw new AgentError(
      'ERR_UNAUTHORIZED',
      `the local credential file ${file} ${why}: start the agent as this user (ehagent start), and pass the same --state-dir if it was started with one`,
      { detail: `local credential file ${why}` },
      { cause: err },
    )
  }
  const credential = text.trim()
  if (!CREDENTIAL_SHAPE.test(credential)) {
    throw new AgentError(
      'ERR_UNAUTHORIZED',
      `the local credential file ${file} does not hold a credential: restart the agent (ehagent start) to write a new one`,
      { detail: 'local credential file is malformed' },
    )
  }
  return credential
}
