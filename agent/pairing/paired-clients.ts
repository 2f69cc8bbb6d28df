/**
 * The applications the user paired with the agent, their scopes and their credentials (threat T4:
 * identity is the pairing credential, never the Origin header; T8: per-client scopes and
 * revocation). Only a SHA-256 of each credential is stored, so the file is worth nothing to a
 * reader (T7).
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import * as fs from 'node:fs/promises'
import { dirname } from 'node:path'
import * as z from 'zod'
import { AgentError } from '../../protocol/errors.js'
import { writeFileAtomically } from '../../protocol/files/write-file-atomically.js'
import type { UsePolicy } from '../../protocol/rpc/methods.js'

/** What a client may do; '*' in an array means any. */
export interface ClientScopes {
  methods: string[]
  services: string[]
}

export interface PairedClient {
  clientId: string
  name: string
  pairedAt: string
  lastUsedAt?: string
  scopes: ClientScopes
  /** The process that asked for pairing, as the OS reported it (shown to the user; T4). */
  process?: { pid?: number; executable?: string; user?: string; commandLine?: string }
  /** Absent: an application. A browser extension's host signs for the websites in `origins`. */
  kind?: 'application' | 'browser-extension'
  /** How each use is confirmed; absent: silent. */
  usePolicy?: UsePolicy
  /**
   * The executables the credential may be used from: the one that paired, and any the user
   * approved since. Absent or empty: the OS did not say at pairing, and any program may use it.
   */
  executables?: string[]
  /** For a browser extension: the websites the user allowed (per origin, revocable). */
  origins?: { origin: string; approvedAt: string }[]
}

/** What {@link PairedClients.add} records besides the name and scopes. */
export interface PairingExtras {
  kind?: PairedClient['kind']
  usePolicy?: UsePolicy
}

const DIR_MODE = 0o700
const FILE_MODE = 0o600
const CREDENTIAL_BYTES = 32
/** touch() saves at most this often: lastUsedAt is informational, not worth a write per call. */
const TOUCH_SAVE_DELAY_MS = 5000
const FILE_VERSION = 1

const scopesSchema = z.object({ methods: z.array(z.string()), services: z.array(z.string()) }).strict()
const storedClientSchema = z
  .object({
    clientId: z.string().min(1).max(64),
    name: z.string(),
    pairedAt: z.string(),
    lastUsedAt: z.string().optional(),
    scopes: scopesSchema,
    process: z.object({ pid: z.number().int().optional(), executable: z.string().optional(), user: z.string().optional(), commandLine: z.string().optional() }).strict().optional(),
    kind: z.enum(['application', 'browser-extension']).optional(),
    usePolicy: z.enum(['silent', 'notify', 'ask']).optional(),
    executables: z.array(z.string().min(1)).optional(),
    origins: z.array(z.object({ origin: z.string().min(1), approvedAt: z.string() }).strict()).optional(),
    /** Hex SHA-256 of the credential. */
    credentialSha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits'),
  })
  .strict()
// Strict everywhere: a hand-edited typo ("scope") is reported instead of silently dropped on the next save.
const fileSchema = z.object({ version: z.literal(FILE_VERSION), clients: z.array(storedClientSchema) }).strict()
type StoredClient = z.infer<typeof storedClientSchema>

interface Entry {
  client: PairedClient
  hash: Buffer
}

/** The paired clients, kept in memory and saved atomically to one JSON file (0600 in a 0700 dir). */
export class PairedClients {
  /** Called when a lazy save (after touch) fails; explicit operations reject instead. */
  onError?: (err: unknown) => void

  private readonly file: string
  private readonly clock: () => Date
  private entries: Entry[]
  private saving: Promise<void> = Promise.resolve()
  private touchTimer: NodeJS.Timeout | undefined

  private constructor(file: string, clock: () => Date, entries: Entry[]) {
    this.file = file
    this.clock = clock
    this.entries = entries
  }

  /**
   * Load the file, or create it (empty) when missing. A corrupt or hand-edited file is an
   * AgentError ERR_CONFIG_INVALID naming the file. A temporary file left by a crash during a save is ignored.
   */
  static async open(file: string, clock: () => Date): Promise<PairedClients> {
    const created = await fs.mkdir(dirname(file), { recursive: true, mode: DIR_MODE })
    // mkdir's mode is filtered by the umask. An existing directory is left alone (it may be one the
    // user chose); the file is private either way.
    if (created !== undefined) await fs.chmod(dirname(file), DIR_MODE)
    let text: string | undefined
    try {
      text = await fs.readFile(file, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new AgentError('ERR_CONFIG_INVALID', `cannot read the paired clients file ${file}`, { detail: 'the paired clients file cannot be read' }, { cause: err })
      }
    }
    const clients = new PairedClients(file, clock, text === undefined ? [] : parseFile(file, text))
    if (text === undefined) await clients.save()
    else await fs.chmod(file, FILE_MODE)
    return clients
  }

  /**
   * Pair a new client. Its credential (32 random bytes, base64url) is returned this once; only its
   * SHA-256 is kept. Resolves after the file is saved, so a credential handed out always survives a restart.
   */
  async add(name: string, scopes: ClientScopes, process?: PairedClient['process'], extras: PairingExtras = {}): Promise<{ client: PairedClient; credential: string }> {
    const credential = randomBytes(CREDENTIAL_BYTES).toString('base64url')
    const client: PairedClient = {
      clientId: randomUUID(),
      name,
      pairedAt: this.clock().toISOString(),
      scopes: { methods: [...scopes.methods], services: [...scopes.services] },
    }
    if (process !== undefined) client.process = copyProcess(process)
    // Bound to the program that paired (threat T4: a copied credential is refused elsewhere).
    if (process?.executable !== undefined) client.executables = [process.executable]
    if (extras.kind === 'browser-extension') client.kind = 'browser-extension'
    if (extras.usePolicy !== undefined && extras.usePolicy !== 'silent') client.usePolicy = extras.usePolicy
    const entry: Entry = { client, hash: hashCredential(credential) }
    this.entries = [...this.entries, entry]
    try {
      await this.save()
    } catch (err) {
      this.entries = this.entries.filter((e) => e !== entry)
      throw err
    }
    return { client: copyClient(client), credential }
  }

  /**
   * The client holding this credential, or undefined (unknown or revoked). Every stored hash is
   * compared in constant time and none is skipped, so timing tells nothing about which one matched.
   */
  authenticate(credential: string): PairedClient | undefined {
    if (typeof credential !== 'string' || credential === '') return undefined
    const hash = hashCredential(credential)
    let found: Entry | undefined
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.hash, hash) && found === undefined) found = entry
    }
    return found === undefined ? undefined : copyClient(found.client)
  }

  /**
   * Remove a client. Effective at once in memory (the next authenticate fails), even if saving
   * fails, in which case the promise rejects so the caller can tell the user.
   */
  async revoke(clientId: string): Promise<boolean> {
    const before = this.entries.length
    this.entries = this.entries.filter((entry) => entry.client.clientId !== clientId)
    if (this.entries.length === before) return false
    await this.save()
    return true
  }

  /** Allow one more program to use a client's credential (the user approved it). False: no such client. */
  addExecutable(clientId: string, executable: string): Promise<boolean> {
    return this.update(clientId, (client) => {
      const known = client.executables ?? []
      if (!known.includes(executable)) client.executables = [...known, executable]
    })
  }

  /** Change how each use of a client is confirmed (the admin pages). */
  setUsePolicy(clientId: string, usePolicy: UsePolicy): Promise<boolean> {
    return this.update(clientId, (client) => {
      if (usePolicy === 'silent') delete client.usePolicy
      else client.usePolicy = usePolicy
    })
  }

  /** A website the user allowed for a browser extension. */
  addOrigin(clientId: string, origin: string): Promise<boolean> {
    return this.update(clientId, (client) => {
      const known = client.origins ?? []
      if (!known.some((o) => o.origin === origin)) client.origins = [...known, { origin, approvedAt: this.clock().toISOString() }]
    })
  }

  /** Withdraw a website's consent: its next request asks the user again. False: it was not allowed. */
  async revokeOrigin(clientId: string, origin: string): Promise<boolean> {
    const entry = this.entries.find((e) => e.client.clientId === clientId)
    if (!entry?.client.origins?.some((o) => o.origin === origin)) return false
    return this.update(clientId, (client) => {
      client.origins = (client.origins ?? []).filter((o) => o.origin !== origin)
      if (client.origins.length === 0) delete client.origins
    })
  }

  list(): PairedClient[] {
    return this.entries.map((entry) => copyClient(entry.client))
  }

  /**
   * Change one client and save: effective in memory at once, rolled back if the save fails (the
   * caller is told, and what it sees still matches the file).
   */
  private async update(clientId: string, change: (client: PairedClient) => void): Promise<boolean> {
    const index = this.entries.findIndex((e) => e.client.clientId === clientId)
    if (index < 0) return false
    const before = this.entries[index]!
    const client = copyClient(before.client)
    change(client)
    const after: Entry = { client, hash: before.hash }
    this.entries = this.entries.map((e, i) => (i === index ? after : e))
    try {
      await this.save()
    } catch (err) {
      this.entries = this.entries.map((e) => (e === after ? before : e))
      throw err
    }
    return true
  }

  /** Record use (lastUsedAt); saved later, at most every few seconds, never on the caller's path. */
  touch(clientId: string): void {
    const entry = this.entries.find((e) => e.client.clientId === clientId)
    if (entry === undefined) return
    entry.client.lastUsedAt = this.clock().toISOString()
    if (this.touchTimer !== undefined) return
    this.touchTimer = setTimeout(() => {
      this.touchTimer = undefined
      this.save().catch((err: unknown) => this.report(err))
    }, TOUCH_SAVE_DELAY_MS)
    // A pending lastUsedAt is not a reason to keep a finished process alive.
    this.touchTimer.unref()
  }

  /** Save now anything touch() left pending (for shutdown). Not part of the hot path. */
  async flush(): Promise<void> {
    if (this.touchTimer !== undefined) {
      clearTimeout(this.touchTimer)
      this.touchTimer = undefined
      await this.save()
    }
    await this.saving
  }

  /**
   * Write the current state atomically (owner-only, fsynced, renamed over the file), so a reader
   * or a crash sees the old file or the new one, never a mix. Saves run one at a time; each
   * writes the state as it is when it starts, so the last one always holds the latest state.
   */
  private save(): Promise<void> {
    const run = this.saving.then(() => writeFileAtomically(fs, this.file, serialize(this.entries)))
    // A failed save must not poison the chain for the next one.
    this.saving = run.catch(() => undefined)
    return run
  }

  private report(err: unknown): void {
    try {
      this.onError?.(err)
    } catch {
      // nothing more to do: lastUsedAt is informational
    }
  }
}

/**
 * True when `scopes` allow `method`; for `soap.call` also the `service` (the endpoint URL), matched
 * exactly, by a '*' entry, or by a prefix entry ending in '/'. URLs are compared in their WHATWG
 * normal form, so `https://a.be/x/../admin` is not inside a `https://a.be/x/` scope — it is what
 * fetch would actually call.
 */
export function isAllowed(scopes: ClientScopes, method: string, service?: string): boolean {
  if (!scopes.methods.includes('*') && !scopes.methods.includes(method)) return false
  if (method !== 'soap.call') return true
  if (service === undefined) return false
  if (scopes.services.includes('*')) return true
  const target = normalizeUrl(service)
  return scopes.services.some((entry) => {
    if (entry === service) return true
    if (target === undefined) return false
    const allowed = normalizeUrl(entry)
    if (allowed === undefined) return false
    return allowed === target || (entry.endsWith('/') && allowed.endsWith('/') && target.startsWith(allowed))
  })
}

function normalizeUrl(value: string): string | undefined {
  try {
    const url = new URL(value)
    // Credentials in a URL would let "https://a.be/x/" look like a prefix of something else's host.
    if (url.username !== '' || url.password !== '') return undefined
    return url.href
  } catch {
    return undefined
  }
}

function hashCredential(credential: string): Buffer {
  return createHash('sha256').update(credential, 'utf8').digest()
}

function parseFile(file: string, text: string): Entry[] {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw invalidFile(file, 'it is not valid JSON', err)
  }
  const parsed = fileSchema.safeParse(json)
  if (!parsed.success) {
    // The first issue, with where it is (e.g. "clients.0.scopes: ..."): enough to find a hand edit.
    const issue = parsed.error.issues[0]
    const where = issue === undefined || issue.path.length === 0 ? '' : `${issue.path.join('.')}: `
    throw invalidFile(file, `${where}${issue?.message ?? 'unexpected content'}`, parsed.error)
  }
  const seen = new Set<string>()
  return parsed.data.clients.map((stored) => {
    if (seen.has(stored.clientId)) throw invalidFile(file, `client ${stored.clientId} appears twice`)
    seen.add(stored.clientId)
    const { credentialSha256, ...client } = stored
    return { client: copyClient(client), hash: Buffer.from(credentialSha256, 'hex') }
  })
}

function invalidFile(file: string, detail: string, cause?: unknown): AgentError {
  // The path goes in the message for the person fixing it; `data` (which may reach a caller) has none.
  return new AgentError(
    'ERR_CONFIG_INVALID',
    `the paired clients file ${file} is not valid: ${detail}; fix it or delete it to pair the applications again`,
    { detail: `paired clients file: ${detail}` },
    { cause },
  )
}

function serialize(entries: Entry[]): string {
  const clients: StoredClient[] = entries.map(({ client, hash }) => ({ ...copyClient(client), credentialSha256: hash.toString('hex') }))
  return JSON.stringify({ version: FILE_VERSION, clients }, null, 2) + '\n'
}

function copyProcess(process: NonNullable<PairedClient['process']>): NonNullable<PairedClient['process']> {
  const out: NonNullable<PairedClient['process']> = {}
  if (process.pid !== undefined) out.pid = process.pid
  if (process.executable !== undefined) out.executable = process.executable
  if (process.user !== undefined) out.user = process.user
  if (process.commandLine !== undefined) out.commandLine = process.commandLine
  return out
}

/** A copy built field by field: callers cannot change the stored client, and nothing else leaks in. */
function copyClient(client: PairedClient): PairedClient {
  const out: PairedClient = {
    clientId: client.clientId,
    name: client.name,
    pairedAt: client.pairedAt,
    scopes: { methods: [...client.scopes.methods], services: [...client.scopes.services] },
  }
  if (client.lastUsedAt !== undefined) out.lastUsedAt = client.lastUsedAt
  if (client.process !== undefined) out.process = copyProcess(client.process)
  if (client.kind !== undefined) out.kind = client.kind
  if (client.usePolicy !== undefined) out.usePolicy = client.usePolicy
  if (client.executables !== undefined) out.executables = [...client.executables]
  if (client.origins !== undefined) out.origins = client.origins.map((o) => ({ origin: o.origin, approvedAt: o.approvedAt }))
  return out
}
