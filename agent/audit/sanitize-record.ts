/**
 * What a privacy-log record may hold, enforced field by field: names, ids, URLs and codes, never
 * a body, a PIN, a password or key material (threat T16, and T7: nothing of a SOAP body is ever
 * written to disk).
 */
import type { AuditRecord } from '../../protocol/rpc/methods.js'

/** Longest string kept; longer ones are cut (audit fields are names, ids and URLs). */
const MAX_STRING = 512
/** The endpoint may be as long as soap.call accepts it (protocol/rpc/methods.ts). */
const MAX_ENDPOINT = 2048
/**
 * Anything this long is not a name, an id or a URL: it is a payload that reached the wrong field,
 * so it is redacted outright instead of cut (a cut would still leak its first bytes).
 */
const MAX_PLAUSIBLE = 8192
const REDACTED = '[redacted]'
/**
 * A run of base64 or base64url characters this long is a certificate, a key, an assertion or a
 * credential, not an audit fact. Line breaks are removed first so PEM's 64-column lines count as
 * one run (spaces are not: they separate words of ordinary text).
 */
const BLOB_MIN = 200
const BLOB = /[A-Za-z0-9+/=_-]{201,}/
const OUTCOMES: ReadonlySet<string> = new Set<AuditRecord['outcome']>(['ok', 'error', 'rejected'])

/**
 * A new record holding only AuditRecord's fields, built field by field, so whatever else a caller
 * attached (a body, a PIN, a params object) never reaches the disk; every string is checked by
 * {@link sanitizeString}. `time` comes first, so a stored line starts with it (the reader and
 * the file scan rely on that).
 */
export function sanitizeRecord(input: Omit<AuditRecord, 'time'>, time: string): AuditRecord {
  const source: Record<string, unknown> = isObject(input) ? input : {}
  const out: AuditRecord = {
    time: sanitizeString(time) ?? '',
    event: sanitizeString(source.event) ?? 'unknown',
    // An unknown outcome is a bug in the caller; 'error' is the safe reading of it.
    outcome: typeof source.outcome === 'string' && OUTCOMES.has(source.outcome) ? (source.outcome as AuditRecord['outcome']) : 'error',
  }
  const client = sanitizeClient(source.client)
  if (client) out.client = client
  const program = sanitizeProgram(source.program)
  if (program) out.program = program
  const origin = sanitizeString(source.origin)
  if (origin !== undefined) out.origin = origin
  if (Array.isArray(source.pairedExecutables)) {
    const paired = source.pairedExecutables.slice(0, 16).map((e) => sanitizeString(e, MAX_ENDPOINT)).filter((e): e is string => e !== undefined)
    if (paired.length > 0) out.pairedExecutables = paired
  }
  const method = sanitizeString(source.method)
  if (method !== undefined) out.method = method
  const service = sanitizeService(source.service)
  if (service) out.service = service
  const token = sanitizeToken(source.token)
  if (token) out.token = token
  const signatureId = sanitizeString(source.signatureId)
  if (signatureId !== undefined) out.signatureId = signatureId
  const errorCode = sanitizeString(source.errorCode)
  if (errorCode !== undefined) out.errorCode = errorCode
  return out
}

/** A stored line back to a record, sanitized again: the file is ours, but list() answers a caller. */
export function parseRecordLine(line: string): AuditRecord | undefined {
  if (line.trim() === '') return undefined
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return undefined // a torn last line after a crash: skip it, keep the rest readable
  }
  if (!isObject(value) || typeof value.time !== 'string' || Number.isNaN(Date.parse(value.time))) return undefined
  return sanitizeRecord(value as Omit<AuditRecord, 'time'>, value.time)
}

function sanitizeClient(value: unknown): AuditRecord['client'] {
  if (!isObject(value)) return undefined
  const id = sanitizeString(value.id)
  const name = sanitizeString(value.name)
  const pid = sanitizePid(value.pid)
  const executable = sanitizeString(value.executable)
  if (id === undefined && name === undefined && pid === undefined && executable === undefined) return undefined
  const out: NonNullable<AuditRecord['client']> = { name: name ?? '(unknown)' }
  if (id !== undefined) out.id = id
  if (pid !== undefined) out.pid = pid
  if (executable !== undefined) out.executable = executable
  return out
}

/** The program as the OS reported it: both its name and its executable, or nothing. */
function sanitizeProgram(value: unknown): AuditRecord['program'] {
  if (!isObject(value)) return undefined
  const name = sanitizeString(value.name)
  const executable = sanitizeString(value.executable, MAX_ENDPOINT)
  if (name === undefined || executable === undefined) return undefined
  const out: NonNullable<AuditRecord['program']> = { name, executable }
  const pid = sanitizePid(value.pid)
  if (pid !== undefined) out.pid = pid
  const user = sanitizeString(value.user)
  if (user !== undefined) out.user = user
  const commandLine = sanitizeString(value.commandLine)
  if (commandLine !== undefined) out.commandLine = commandLine
  return out
}

function sanitizeService(value: unknown): AuditRecord['service'] {
  if (!isObject(value)) return undefined
  const out: NonNullable<AuditRecord['service']> = {}
  const endpoint = sanitizeString(value.endpoint, MAX_ENDPOINT)
  if (endpoint !== undefined) out.endpoint = endpoint
  const soapAction = sanitizeString(value.soapAction)
  if (soapAction !== undefined) out.soapAction = soapAction
  const operation = sanitizeString(value.operation)
  if (operation !== undefined) out.operation = operation
  return Object.keys(out).length > 0 ? out : undefined
}

function sanitizeToken(value: unknown): AuditRecord['token'] {
  if (!isObject(value)) return undefined
  const assertionId = sanitizeString(value.assertionId)
  const subject = sanitizeString(value.subject)
  const profile = sanitizeString(value.profile)
  if (assertionId === undefined && subject === undefined && profile === undefined) return undefined
  // Annex A §1.5 of IAM eXchange wants the identity for every use; a gap shows as '(unknown)'
  // rather than vanishing.
  const out: NonNullable<AuditRecord['token']> = { assertionId: assertionId ?? '(unknown)', subject: subject ?? '(unknown)' }
  if (profile !== undefined) out.profile = profile
  // IAM eXchange Annex A §1.5: for a token exchanged from IAM Connect, the real person behind it.
  if (isObject(value.realIdentity)) {
    const issuer = sanitizeString(value.realIdentity.issuer)
    const realSubject = sanitizeString(value.realIdentity.subject)
    const name = sanitizeString(value.realIdentity.name)
    if (issuer !== undefined && realSubject !== undefined) out.realIdentity = { issuer, subject: realSubject, ...(name !== undefined ? { name } : {}) }
  }
  return out
}

function sanitizePid(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined
}

/**
 * Strings only; anything that looks like XML (a SOAP body, an assertion) or a long base64 blob (a
 * certificate, a key, a credential) becomes '[redacted]' — checked on the whole string, before the
 * cut, so no prefix of it survives; the rest is cut to `max` characters.
 */
function sanitizeString(value: unknown, max = MAX_STRING): string | undefined {
  if (typeof value !== 'string') return undefined
  if (value.length > MAX_PLAUSIBLE) return REDACTED
  if (value.includes('<') && value.includes('>')) return REDACTED
  // Shorter than a blob, it cannot hold one (the usual case: names, ids; checked per record).
  if (value.length > BLOB_MIN && BLOB.test(value.replace(/[\r\n]+/g, ''))) return REDACTED
  return value.length > max ? value.slice(0, max) : value
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
