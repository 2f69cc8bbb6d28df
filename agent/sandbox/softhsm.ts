/**
 * A SoftHSM2 token provisioned like a Belgian eID card, so the agent's PKCS#11 key source is
 * tested for real without a card reader: token label `BELPIC`, a user PIN, and two key pairs with
 * their certificates labelled `Authentication` (CKA_ID 02) and `Signature` (CKA_ID 03), the labels
 * TC looks up (`BeIDCredential`) and the ids of the eID middleware.
 *
 * SoftHSM finds its tokens through the file named by the `SOFTHSM2_CONF` environment variable,
 * read when the module is initialised. provisionEidToken writes that file into `stateDir` and sets
 * the variable only for the tools it runs; anything else that loads the module (pkcs11js in
 * agent/keys, pkcs11-tool in a test) must be given `SOFTHSM2_CONF=<ProvisionedToken.softhsmConf>`
 * in its environment, before C_Initialize.
 *
 * The work is done by the tools a developer would use by hand, softhsm2-util (Debian `softhsm2`)
 * and pkcs11-tool (Debian `opensc`). Their PINs go on the command line: acceptable for a test
 * token with a demo PIN, and error messages here redact them anyway.
 *
 * Differences from a real card worth knowing: SoftHSM never locks a PIN (a wrong PIN is just
 * CKR_PIN_INCORRECT), the Signature key has no CKA_ALWAYS_AUTHENTICATE, and the card's CA and
 * root certificate objects are not written.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { makePrivateDir, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './pki/private-files.js'

const execFileAsync = promisify(execFile)

export interface EidTokenSpec {
  stateDir: string
  pin: string
  soPin?: string
  /** Default 'BELPIC', the label of a real eID's token. */
  tokenLabel?: string
  authentication: { privateKeyPem: string; certificatePem: string }
  signature: { privateKeyPem: string; certificatePem: string }
}

export interface ProvisionedToken {
  modulePath: string
  /** Pass as `SOFTHSM2_CONF` to every process that loads `modulePath`. */
  softhsmConf: string
  tokenLabel: string
  pin: string
}

/** The demo user PIN of sandbox eID tokens. Public on purpose, like the keystore passwords. */
export const SANDBOX_EID_PIN = '1234'
export const DEFAULT_SO_PIN = '12345678'
export const DEFAULT_EID_TOKEN_LABEL = 'BELPIC'

/** Object labels and CKA_IDs (hex) per key role, as on a Belgian eID. */
export const EID_TOKEN_OBJECTS = {
  Authentication: '02',
  Signature: '03',
} as const

const INSTALL_SOFTHSM = 'apt-get install -y softhsm2'
const INSTALL_OPENSC = 'apt-get install -y opensc'

// Debian/Ubuntu (both the compatibility link and the multiarch paths), Fedora/RHEL, a source
// build, and Homebrew on macOS.
const MODULE_CANDIDATES = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib64/pkcs11/libsofthsm2.so',
  '/usr/lib64/softhsm/libsofthsm2.so',
  '/usr/local/lib/softhsm/libsofthsm2.so',
  '/opt/homebrew/lib/softhsm/libsofthsm2.so',
  '/usr/local/opt/softhsm/lib/softhsm/libsofthsm2.so',
]

/** The path of libsofthsm2; throws, naming the install command, when SoftHSM2 is not installed. */
export function findSoftHsmModule(): string {
  const found = MODULE_CANDIDATES.find((path) => existsSync(path))
  if (!found) {
    throw new Error(`SoftHSM2 is not installed (no libsofthsm2.so in ${MODULE_CANDIDATES.join(', ')}); install it with: ${INSTALL_SOFTHSM}`)
  }
  return found
}

// Two provisions of the same stateDir in one process would race on the token directory.
const inFlight = new Map<string, Promise<ProvisionedToken>>()

/**
 * Make sure `stateDir` holds a SoftHSM2 token as `spec` describes, and say how to load it.
 * Idempotent: a token with this label, this PIN and these two certificates is left untouched; a
 * token with this label that differs in any of them (another PIN, a regenerated PKI, an
 * interrupted provisioning) is deleted and provisioned again.
 */
export async function provisionEidToken(spec: EidTokenSpec): Promise<ProvisionedToken> {
  const stateDir = resolve(spec.stateDir)
  const previous = inFlight.get(stateDir) ?? Promise.resolve()
  const next = previous.catch(() => undefined).then(() => provision({ ...spec, stateDir }))
  inFlight.set(stateDir, next)
  try {
    return await next
  } finally {
    if (inFlight.get(stateDir) === next) inFlight.delete(stateDir)
  }
}

interface Pair {
  role: keyof typeof EID_TOKEN_OBJECTS
  id: string
  pkcs8Pem: string
  certificateDer: Buffer
}

async function provision(spec: EidTokenSpec): Promise<ProvisionedToken> {
  const tokenLabel = spec.tokenLabel ?? DEFAULT_EID_TOKEN_LABEL
  const soPin = spec.soPin ?? DEFAULT_SO_PIN
  checkPin(spec.pin, 'pin')
  checkPin(soPin, 'soPin')
  // PKCS#11 token labels are 32 bytes, blank padded.
  if (tokenLabel.length === 0 || Buffer.byteLength(tokenLabel) > 32) throw new Error('tokenLabel must be 1 to 32 bytes')
  const pairs = [toPair('Authentication', spec.authentication), toPair('Signature', spec.signature)]
  const modulePath = findSoftHsmModule()

  await mkdir(spec.stateDir, { recursive: true, mode: PRIVATE_DIR_MODE })
  const tokenDir = join(spec.stateDir, 'tokens')
  await makePrivateDir(tokenDir)
  const softhsmConf = join(spec.stateDir, 'softhsm2.conf')
  await writeConfig(softhsmConf, tokenDir)

  const tools = new Tools(modulePath, softhsmConf, tokenLabel, spec.pin, spec.stateDir)
  const token: ProvisionedToken = { modulePath, softhsmConf, tokenLabel, pin: spec.pin }

  const present = await tools.tokenPresent()
  if (present && (await tools.holds(pairs))) return token
  if (present) await tools.deleteToken()

  await tools.softhsm(['--init-token', '--free', '--label', tokenLabel, '--pin', spec.pin, '--so-pin', soPin])
  const scratch = join(spec.stateDir, `.import-${process.pid}-${Date.now()}`)
  await makePrivateDir(scratch)
  try {
    for (const pair of pairs) {
      const keyFile = join(scratch, `${pair.id}.key.pem`)
      const certFile = join(scratch, `${pair.id}.crt.der`)
      await writeFile(keyFile, pair.pkcs8Pem, { mode: PRIVATE_FILE_MODE })
      await writeFile(certFile, pair.certificateDer, { mode: PRIVATE_FILE_MODE })
      await tools.softhsm(['--import', keyFile, '--label', pair.role, '--id', pair.id, '--token', tokenLabel, '--pin', spec.pin])
      await tools.pkcs11(['--login', '--pin', spec.pin, '--write-object', certFile, '--type', 'cert', '--label', pair.role, '--id', pair.id])
    }
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }

  if (!(await tools.holds(pairs))) {
    throw new Error(`provisioned the SoftHSM token "${tokenLabel}" in ${spec.stateDir}, but pkcs11-tool does not list its Authentication and Signature objects`)
  }
  return token
}

function toPair(role: Pair['role'], input: { privateKeyPem: string; certificatePem: string }): Pair {
  const key = createPrivateKey(input.privateKeyPem)
  const certificate = new X509Certificate(input.certificatePem)
  if (!certificate.checkPrivateKey(key)) throw new Error(`the ${role} private key does not match its certificate`)
  // softhsm2-util --import reads PKCS#8 PEM only; callers may hold PKCS#1.
  return { role, id: EID_TOKEN_OBJECTS[role], pkcs8Pem: key.export({ type: 'pkcs8', format: 'pem' }).toString(), certificateDer: certificate.raw }
}

function checkPin(pin: string, what: string): void {
  // SoftHSM's limits (MIN_PIN_LEN 4, MAX_PIN_LEN 255).
  if (typeof pin !== 'string' || pin.length < 4 || pin.length > 255) throw new Error(`${what} must be 4 to 255 characters`)
}

async function writeConfig(path: string, tokenDir: string): Promise<void> {
  const text = `# Written by ehealth-agent's sandbox (agent/sandbox/softhsm.ts). Load libsofthsm2 with SOFTHSM2_CONF=${path}\n` +
    `directories.tokendir = ${tokenDir}\n` +
    'objectstore.backend = file\n' +
    'log.level = ERROR\n'
  const current = existsSync(path) ? await readFile(path, 'utf8') : undefined
  if (current !== text) await writeFile(path, text, { mode: PRIVATE_FILE_MODE })
}

/** softhsm2-util and pkcs11-tool bound to one token and one configuration file. */
class Tools {
  readonly modulePath: string
  readonly softhsmConf: string
  readonly label: string
  readonly pin: string
  /** Where read-back certificates go for a moment: the private state directory. */
  readonly scratchDir: string

  constructor(modulePath: string, softhsmConf: string, label: string, pin: string, scratchDir: string) {
    this.modulePath = modulePath
    this.softhsmConf = softhsmConf
    this.label = label
    this.pin = pin
    this.scratchDir = scratchDir
  }

  softhsm(args: string[]): Promise<string> {
    return this.run('softhsm2-util', args, INSTALL_SOFTHSM)
  }

  pkcs11(args: string[]): Promise<string> {
    return this.run('pkcs11-tool', ['--module', this.modulePath, '--token-label', this.label, ...args], INSTALL_OPENSC)
  }

  async tokenPresent(): Promise<boolean> {
    const out = await this.softhsm(['--show-slots'])
    return out.split('\n').some((line) => /^\s*Label:\s/.test(line) && line.replace(/^\s*Label:/, '').trim() === this.label)
  }

  async deleteToken(): Promise<void> {
    // An interrupted provisioning can leave two tokens with the label; delete until none is left.
    for (let i = 0; i < 8 && (await this.tokenPresent()); i++) await this.softhsm(['--delete-token', '--token', this.label])
  }

  /** True when the token opens with the PIN and holds both key pairs with exactly these certificates. */
  async holds(pairs: readonly Pair[]): Promise<boolean> {
    let listing: string
    try {
      listing = await this.pkcs11(['--login', '--pin', this.pin, '--list-objects'])
    } catch {
      return false // CKR_PIN_INCORRECT and the like: not the token the caller asked for
    }
    const objects = parseObjectListing(listing)
    for (const pair of pairs) {
      const has = (kind: string): boolean => objects.some((o) => o.kind === kind && o.label === pair.role && o.id === pair.id)
      if (!has('Private Key Object') || !has('Certificate Object')) return false
      const der = await this.readCertificate(pair.id)
      if (!der?.equals(pair.certificateDer)) return false
    }
    return true
  }

  private async readCertificate(id: string): Promise<Buffer | undefined> {
    const file = join(this.scratchDir, `.read-${process.pid}-${id}.der`)
    try {
      await this.pkcs11(['--read-object', '--type', 'cert', '--id', id, '--output-file', file])
      return await readFile(file)
    } catch {
      return undefined
    } finally {
      await rm(file, { force: true })
    }
  }

  private async run(tool: string, args: string[], install: string): Promise<string> {
    try {
      const { stdout, stderr } = await execFileAsync(tool, args, {
        // The tools need the usual environment (PATH, locale); SOFTHSM2_CONF points them at our tokens.
        env: { ...process.env, SOFTHSM2_CONF: this.softhsmConf },
        encoding: 'utf8',
        maxBuffer: 4 * 1024 * 1024,
      })
      return `${stdout}${stderr}`
    } catch (error) {
      const e = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string }
      if (e.code === 'ENOENT') throw new Error(`${tool} is not installed; install it with: ${install}`)
      const output = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim()
      throw new Error(`${tool} ${redact(args).join(' ')} failed: ${output || e.message}`)
    }
  }
}

function redact(args: readonly string[]): string[] {
  return args.map((arg, i) => (i > 0 && (args[i - 1] === '--pin' || args[i - 1] === '--so-pin') ? '***' : arg))
}

export interface ListedObject {
  /** `Private Key Object`, `Public Key Object`, `Certificate Object`, … */
  kind: string
  label?: string
  /** CKA_ID in lower-case hex. */
  id?: string
}

/** The objects of `pkcs11-tool --list-objects` output (exported for tests). */
export function parseObjectListing(output: string): ListedObject[] {
  const objects: ListedObject[] = []
  for (const line of output.split('\n')) {
    const header = /^(\S.*? Object)\b/.exec(line)
    if (header) {
      objects.push({ kind: header[1]! })
      continue
    }
    const current = objects[objects.length - 1]
    const field = /^\s+(label|ID):\s*(.*)$/.exec(line)
    if (!current || !field) continue
    if (field[1] === 'label') current.label = field[2]!.trim()
    else current.id = field[2]!.trim().toLowerCase()
  }
  return objects
}
