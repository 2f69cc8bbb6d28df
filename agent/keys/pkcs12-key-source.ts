import { sign as signAsync, type KeyObject } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { AgentError } from '../../protocol/errors.js'
import type { HashName } from '../../protocol/xml/algorithms.js'
import { checkKeyMatchesCertificate, readCertificateInfo } from './certificate-info.js'
import type { CertificateInfo, KeySource, LoginRequirement, LoginState } from './key-source.js'
import { AUTHENTICATION_ALIAS } from './authentication-alias.js'
import { createMemoryKeyLock } from './memory-key-lock.js'

/**
 * The eHealth PKCS#12 keystore (protocol §7) as a key source: the `authentication` entry only.
 *
 * The file is read and decrypted at each login (a renewed keystore replaces the file); the
 * password is used for that one decryption and not kept. The key then lives only as a node:crypto
 * KeyObject in memory (threats T7). JS strings cannot be wiped, so "not kept" means no reference
 * survives the call; OpenSSL clears the key's memory when the KeyObject is collected.
 *
 * Locked, unlocking and unlocked are the states of memory-key-lock.ts: a logout while the file is
 * being read or decrypted wins, and that login fails instead of bringing the key back.
 */

export interface Pkcs12KeySourceOptions {
  /** Path of the .p12 file, e.g. `~/ehealth/keystore/SSIN=79021802145 20250514-082150.acc.p12`. */
  path: string
  /** The entry to use; default `authentication` (matched case-insensitively). */
  alias?: string
  /** Reads the file; node:fs by default. */
  readFile?: (path: string) => Promise<Uint8Array>
}

export function createPkcs12KeySource(options: Pkcs12KeySourceOptions): KeySource {
  const alias = options.alias ?? AUTHENTICATION_ALIAS
  const read = options.readFile ?? ((path: string) => readFile(path))
  const lock = createMemoryKeyLock<{ privateKey: KeyObject; info: CertificateInfo }>()

  async function login(secret: string | undefined): Promise<void> {
    if (secret === undefined) throw new AgentError('ERR_PASSWORD_INCORRECT', 'the keystore password is needed')
    const ticket = lock.beginUnlock()
    let unlocked: { privateKey: KeyObject; info: CertificateInfo }
    try {
      unlocked = await open(secret)
    } catch (error) {
      lock.abandonUnlock(ticket)
      throw error
    }
    if (!lock.finishUnlock(ticket, unlocked)) throw new AgentError('ERR_NOT_LOGGED_IN', 'the keystore was locked again during the sign-in')
  }

  /** Read and decrypt the keystore: its authentication key and certificate, checked to match. */
  async function open(secret: string): Promise<{ privateKey: KeyObject; info: CertificateInfo }> {
    let bytes: Uint8Array
    try {
      bytes = await read(options.path)
    } catch (cause) {
      // No path in the error: it may name the user's home directory (errors carry no paths, PINs or
      // keys).
      const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT'
      throw new AgentError('ERR_KEY_SOURCE', missing ? 'the keystore file does not exist' : 'the keystore file cannot be read', { detail: missing ? 'keystore file missing' : 'keystore file unreadable' }, { cause })
    }
    // Loaded at the first sign-in, not at start: the reader brings node-forge, which an idle
    // agent does not need in memory.
    const { openPkcs12 } = await import('./open-pkcs12.js')
    const entry = openPkcs12(bytes, secret, alias)
    const info = readCertificateInfo(entry.certificateDer)
    checkKeyMatchesCertificate(entry.privateKey, info.certificate)
    return { privateKey: entry.privateKey, info }
  }

  return {
    kind: 'pkcs12',
    label: `eHealth keystore ${basename(options.path)}`,
    protectedAuthenticationPath: false,
    loginRequirement: async (): Promise<LoginRequirement> => ({ secret: 'password' }),
    certificate: async () => requireUnlocked().info,
    sign: async (data: Uint8Array, hash: HashName) => {
      const { privateKey } = requireUnlocked()
      // The callback form runs in libuv's threadpool, so both cores sign under load
      // (README, "Performance"). RSA keys sign PKCS#1 v1.5 by default (RFC 8017 §8.2).
      return new Promise<Uint8Array>((resolve, reject) => {
        signAsync(hash, data, privateKey, (error, signature) => (error ? reject(new AgentError('ERR_KEY_SOURCE', 'signing failed', { detail: error.message }, { cause: error })) : resolve(signature)))
      })
    },
    loginState: (): LoginState => (lock.state === 'unlocked' ? 'logged-in' : 'logged-out'),
    login,
    logout: async () => lock.lock(),
    close: async () => lock.lock(),
  }

  function requireUnlocked(): { privateKey: KeyObject; info: CertificateInfo } {
    const unlocked = lock.key
    if (!unlocked) throw new AgentError('ERR_NOT_LOGGED_IN', 'the eHealth keystore is locked; log in first')
    return unlocked
  }
}
