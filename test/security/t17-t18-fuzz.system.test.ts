import { readdirSync, readFileSync } from 'node:fs'
import { Agent as HttpAgent } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AgentClient } from '../../clients/js/agent-client.js'
import { ERROR_CODES } from '../../protocol/errors.js'
import { METHOD_NAMES } from '../../protocol/rpc/methods.js'
import { spawnAgentProcess, type AgentProcess } from '../helpers/agent-process.js'
import { makeEnvelope } from '../helpers/envelopes.js'
import { send, type Answer } from '../helpers/http-send.js'
import { HOSTILE_CORPUS_CODES } from '../hostile/corpus-codes.js'
import { sharedSandboxPki } from '../helpers/sandbox-pki.js'
import { startTestAgent, type TestAgent } from '../helpers/start-test-agent.js'
import { wssecIdAttrs, xmlsecVerify } from '../helpers/xmlsec.js'

/** What agent.status must report: the version of this package (the real entry point's reading). */
const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version

// Threats T17 (hostile XML) and T18 (hostile JSON-RPC): thousands of malformed and mutated
// requests over real HTTP to a real agent in its own process (`ehagent start --demo`). Every
// answer must be a JSON-RPC response (or a guard refusal with a JSON-RPC error body), no call may
// end in ERR_INTERNAL (an exception nobody expected), the process must survive, still answer and
// still sign correctly, and its memory must stay flat.

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31)
const WARM_UP = 600
const RUNS = Number(process.env.FUZZ_RUNS ?? 3000)
const CONCURRENCY = 8
/** RSS includes V8's reserved pages and malloc arenas: it settles at +10..40 MB and stays there. */
const MAX_RSS_GROWTH = 50 * 1024 * 1024
/** The live heap after a full GC is the leak detector: +2..5 MB of one-time state, then flat. */
const MAX_HEAP_GROWTH = 12 * 1024 * 1024

/** In every envelope the fuzzer sends (T16: a body never reaches the disk, even on error paths). */
const CANARY = 'CANARY-fuzz-5d2e81'
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1)

/** mulberry32: small, seedable, good enough to pick mutations (its seed value is printed on failure). */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const CORPUS_DIR = new URL('../hostile/xml/', import.meta.url)
/** The hostile corpus and the typed error each must get (as test/hostile/hostile-xml.test.ts); a file added later must at least be refused. */
const CORPUS_CODES = HOSTILE_CORPUS_CODES
const CORPUS = readdirSync(CORPUS_DIR)
  .filter((f) => f.endsWith('.xml'))
  .sort()
  .map((file) => ({ file, xml: readFileSync(new URL(file, CORPUS_DIR), 'latin1') }))

/** What a generated request is, to check the answer against. */
interface Case {
  kind: string
  method: string
  path: string
  headers: Record<string, string>
  chunks: (string | Uint8Array)[]
  /** A single well-shaped call: its answer must carry this id. */
  expectId?: string | number
  /** A batch of well-shaped calls with ids: the answer must have this many responses. */
  expectBatch?: number
  /** The typed error this call must get (data.code). */
  expectCode?: string
  /** Whether success is acceptable. */
  mayPass?: boolean
}

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__']
const XML_NOISE = ['<', '>', '&', '&amp;', '&#0;', '&#x110000;', '"', "'", ']]>', '<![CDATA[', '<!--', '-->', '<!DOCTYPE a>', '<?xml version="1.0"?>', '\u0000', '\uFFFE', '\uD800', 'é', '𝄞', 'xmlns:soapenv="urn:x"', '</soapenv:Body>', '<soapenv:Body>', '<soapenv:Header>', '</soapenv:Header>', '<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"/>', ' wsu:Id="x"', ' Id="x"']

/** The mix: each kind is picked with equal weight (mutated envelopes three times). */
const KINDS = [
  'random-bytes',
  'truncated-json',
  'wrong-types',
  'huge-numbers',
  'deep-nesting',
  'prototype-keys',
  'random-method',
  'random-params',
  'batch-abuse',
  'hostile-xml',
  'mutated-envelope',
  'mutated-envelope',
  'mutated-envelope',
  'import-token',
  'guard',
  'no-credential',
  'odd-path',
] as const
/** FUZZ_KINDS=a,b narrows the mix (for chasing a finding); the suite runs them all. */
const ONLY = process.env.FUZZ_KINDS?.split(',')

class Generator {
  private readonly r: () => number
  private readonly good = makeEnvelope(600, { canary: CANARY })
  private readonly port: number
  private readonly credential: string
  private n = 0
  constructor(seed: number, port: number, credential: string) {
    this.r = prng(seed)
    this.port = port
    this.credential = credential
  }

  private int(max: number): number {
    return Math.floor(this.r() * max)
  }
  private pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!
  }
  private chance(p: number): boolean {
    return this.r() < p
  }
  private randomString(max: number): string {
    const len = this.int(max)
    let s = ''
    for (let i = 0; i < len; i++) {
      const c = this.r()
      s += c < 0.7 ? String.fromCharCode(32 + this.int(95)) : c < 0.9 ? String.fromCharCode(this.int(0x10000)) : this.pick(['\u0000', '\n', '"', '\\', '\uD800', '💥'])
    }
    return s
  }
  private randomBytes(max: number): Uint8Array {
    const b = new Uint8Array(this.int(max))
    for (let i = 0; i < b.length; i++) b[i] = this.int(256)
    return b
  }
  private randomJson(depth = 0): unknown {
    const c = this.int(depth > 3 ? 6 : 9)
    switch (c) {
      case 0:
        return null
      case 1:
        return this.chance(0.5)
      case 2:
        return this.pick([0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 31, -0])
      case 3:
        return this.randomString(40)
      case 4:
        return this.pick(METHOD_NAMES)
      case 5:
        return this.good
      case 6:
        return Array.from({ length: this.int(5) }, () => this.randomJson(depth + 1))
      default: {
        const o: Record<string, unknown> = {}
        for (let i = this.int(5); i > 0; i--) {
          const key = this.pick([...PROTO_KEYS, 'envelope', 'profile', 'name', 'scopes', 'methods', 'limit', 'token', 'endpoint', this.randomString(10)])
          o[key] = this.randomJson(depth + 1)
        }
        return o
      }
    }
  }

  private host(): string {
    return `127.0.0.1:${this.port}`
  }
  private base(body: string | Uint8Array, extra: Record<string, string> = {}): Pick<Case, 'method' | 'path' | 'headers' | 'chunks'> {
    return {
      method: 'POST',
      path: '/rpc',
      headers: { host: this.host(), 'content-type': 'application/json', authorization: `Bearer ${this.credential}`, ...extra },
      chunks: [body],
    }
  }
  private id(): string | number {
    this.n++
    return this.chance(0.5) ? this.n : `id-${this.n}`
  }

  /** A valid call of a method, with an id. */
  private call(method: string, params: unknown, id = this.id()): { jsonrpc: string; method: string; params: unknown; id: string | number } {
    return { jsonrpc: '2.0', method, params, id }
  }

  /** Mutate a valid envelope: cut, insert, duplicate or swap pieces of it. */
  mutateEnvelope(): string {
    let s = this.good
    for (let k = 1 + this.int(3); k > 0; k--) {
      const at = this.int(s.length)
      switch (this.int(5)) {
        case 0:
          s = s.slice(0, at) + s.slice(at + 1 + this.int(40))
          break
        case 1:
          s = s.slice(0, at) + this.pick(XML_NOISE) + s.slice(at)
          break
        case 2: {
          const len = 1 + this.int(200)
          s = s.slice(0, at) + s.slice(at, at + len) + s.slice(at)
          break
        }
        case 3:
          s = s.slice(0, at)
          break
        default: {
          const b = this.int(s.length)
          const [i, j] = at < b ? [at, b] : [b, at]
          s = s.slice(0, i) + s.slice(j, j + 20) + s.slice(i + 20, j) + s.slice(i, i + 20) + s.slice(j + 20)
        }
      }
    }
    return s
  }

  next(): Case {
    const kind = this.pick(KINDS.filter((k) => ONLY === undefined || ONLY.includes(k)))
    switch (kind) {
      case 'random-bytes':
        return { kind, ...this.base(this.randomBytes(2000)) }
      case 'truncated-json': {
        const text = JSON.stringify(this.call(this.pick(METHOD_NAMES), { envelope: this.good }))
        return { kind, ...this.base(text.slice(0, this.int(text.length))) }
      }
      case 'wrong-types': {
        const o: Record<string, unknown> = { jsonrpc: '2.0', method: 'agent.status', id: 1 }
        const field = this.pick(['jsonrpc', 'method', 'params', 'id'])
        o[field] = this.pick([null, true, 2, '1.0', '', [], {}, [1, 2], { a: 1 }, 1.5, 'x'.repeat(300)])
        return { kind, ...this.base(JSON.stringify(o)) }
      }
      case 'huge-numbers': {
        const n = this.pick(['1e400', '-1e400', '123456789012345678901234567890', '1e-400', '0.0000000000000000000000001', '9007199254740993', '-0', '1E+308'])
        const where = this.int(3)
        const text =
          where === 0
            ? `{"jsonrpc":"2.0","method":"agent.status","id":${n}}`
            : where === 1
              ? `{"jsonrpc":"2.0","method":"audit.list","params":{"limit":${n}},"id":1}`
              : `{"jsonrpc":"2.0","method":"client.revoke","params":{"clientId":${n}},"id":"x"}`
        return { kind, ...this.base(text), ...(where > 0 ? { expectId: where === 1 ? 1 : 'x', mayPass: true } : {}) }
      }
      case 'deep-nesting': {
        const depth = this.pick([50, 1000, 10_000, 100_000])
        const open = this.chance(0.5) ? '{"a":' : '['
        const close = open === '[' ? ']' : '}'
        const nested = open.repeat(depth) + '1' + close.repeat(depth)
        const where = this.int(3)
        const text =
          where === 0
            ? nested
            : where === 1
              ? `{"jsonrpc":"2.0","method":"session.status","params":${open === '[' ? `{"x":${nested}}` : nested},"id":7}`
              : `{"jsonrpc":"2.0","method":"soap.sign","params":{"envelope":${JSON.stringify(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</s:Body></s:Envelope>`)}},"id":8}`
        return { kind, ...this.base(text), ...(where === 1 ? { expectId: 7 } : where === 2 ? { expectId: 8, expectCode: depth > 200 ? 'ERR_XML_TOO_DEEP' : undefined, mayPass: depth <= 200 } : {}) }
      }
      case 'prototype-keys': {
        const key = this.pick(PROTO_KEYS)
        const payload = { polluted: true, methods: ['*'], services: ['*'], isAdmin: true }
        const variants = [
          `{"jsonrpc":"2.0","method":"session.status","params":{"${key}":${JSON.stringify(payload)}},"id":1}`,
          `{"${key}":${JSON.stringify(payload)},"jsonrpc":"2.0","method":"agent.status","id":1}`,
          `{"jsonrpc":"2.0","method":"client.pair","params":{"name":"p","scopes":{"${key}":${JSON.stringify(payload)}}},"id":1}`,
          `{"jsonrpc":"2.0","method":"audit.list","params":{"${key}":{"limit":1}},"id":1}`,
          `[{"jsonrpc":"2.0","method":"agent.status","id":1,"${key}":{"polluted":true}}]`,
        ]
        const v = this.int(variants.length)
        return { kind, ...this.base(variants[v]!), ...(v < 4 ? { expectId: 1, mayPass: v === 1 } : { expectBatch: 1, mayPass: true }) }
      }
      case 'random-method': {
        const method = this.pick([this.randomString(30), ...PROTO_KEYS, 'agent.status.', ' agent.status', 'AGENT.STATUS', 'rpc.discover', 'soap.sign\u0000', 'x'.repeat(5000)])
        const id = this.id()
        return { kind, ...this.base(JSON.stringify(this.call(method, {}, id))), expectId: id, expectCode: 'ERR_METHOD_NOT_FOUND' }
      }
      case 'random-params': {
        // A real method with random params; client.pair, logout and revoke are left out because
        // valid params there have effects (a pairing the demo prompter approves, a sign-out).
        const method = this.pick(METHOD_NAMES.filter((m) => m !== 'client.pair' && m !== 'session.logout' && m !== 'client.revoke' && m !== 'session.switchProfile'))
        const id = this.id()
        return { kind, ...this.base(JSON.stringify(this.call(method, this.randomJson(), id))), expectId: id, mayPass: true }
      }
      case 'batch-abuse': {
        const v = this.int(6)
        if (v === 0) return { kind, ...this.base('[]') }
        if (v === 1) return { kind, ...this.base(JSON.stringify(Array.from({ length: 101 }, (_, i) => this.call('agent.status', {}, i)))) }
        if (v === 2) return { kind, ...this.base('[[],[[]],1,"x",null,true]'), expectBatch: 6 }
        if (v === 3) {
          // Only notifications: nothing to answer (204).
          return { kind, ...this.base(JSON.stringify(Array.from({ length: 5 }, () => ({ jsonrpc: '2.0', method: 'agent.status' })))) }
        }
        const size = 1 + this.int(100)
        const batch = Array.from({ length: size }, (_, i) => this.call(this.pick(['agent.status', 'session.status', 'profiles.list', 'nope', 'soap.sign']), this.chance(0.5) ? {} : { envelope: this.mutateEnvelope() }, i))
        return { kind, ...this.base(JSON.stringify(batch)), expectBatch: size, mayPass: true }
      }
      case 'hostile-xml': {
        const { file, xml } = this.pick(CORPUS)
        const id = this.id()
        return { kind: `hostile-xml ${file}`, ...this.base(JSON.stringify(this.call('soap.sign', { envelope: xml }, id))), expectId: id, expectCode: CORPUS_CODES[file], mayPass: false }
      }
      case 'mutated-envelope': {
        const id = this.id()
        return { kind, ...this.base(JSON.stringify(this.call('soap.sign', { envelope: this.mutateEnvelope() }, id))), expectId: id, mayPass: true }
      }
      case 'import-token': {
        const id = this.id()
        const token = this.chance(0.5) ? this.pick(CORPUS).xml : this.mutateEnvelope()
        // Never a token: nothing here is signed by the sandbox STS.
        return { kind, ...this.base(JSON.stringify(this.call('session.importToken', { token }, id))), expectId: id, mayPass: false }
      }
      case 'guard': {
        const v = this.int(5)
        const body = JSON.stringify(this.call('agent.status', {}))
        if (v === 0) return { kind, ...this.base(body, { 'content-type': this.pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', '']) }) }
        if (v === 1) return { kind, ...this.base(body, { host: this.pick([`evil.test:${this.port}`, 'localhost', `127.0.0.1:${this.port + 1}`, this.randomString(20).replace(/[^\x21-\x7e]/g, 'a') || 'a']) }) }
        if (v === 2) return { kind, ...this.base(body, { origin: this.pick(['https://evil.test', 'null', 'chrome-extension://abcdefghijklmnopabcdefghijklmnop', 'file://']) }) }
        if (v === 3) return { kind, ...this.base(body), method: this.pick(['PUT', 'DELETE', 'PATCH', 'OPTIONS']) }
        return { kind, ...this.base(body, { authorization: this.pick(['Bearer', 'Bearer x', `Bearer ${this.credential}x`, 'Basic Zm9vOmJhcg==', `bearer ${this.credential}`]) }) }
      }
      case 'no-credential': {
        const c = this.base(JSON.stringify(this.call(this.pick(METHOD_NAMES.filter((m) => m !== 'client.pair')), this.randomJson())))
        delete c.headers.authorization
        return { kind, ...c }
      }
      case 'odd-path': {
        const path = this.pick(['/', '/rpc/', '/RPC', '/rpc?x=1', '/../rpc', '/%2e%2e/rpc', '/rpc%00', '/health/../rpc', '/events/x', `/${this.randomString(10).replace(/[^\x21-\x7e]/g, 'a')}`])
        return { kind, ...this.base(JSON.stringify(this.call('agent.status', {}))), path: path.startsWith('/') ? path : `/${path}`, method: this.pick(['GET', 'POST']) }
      }
    }
  }
}

// 400: a request the HTTP layer cannot turn into a URL (a Host that is no host name, a backslash
// in the path), answered with a JSON-RPC error too.
const ALLOWED_STATUS = new Set([200, 204, 400, 401, 403, 404, 413, 415, 421])
const ERROR_NUMBERS = new Set<number>(Object.values(ERROR_CODES).map((e) => e.rpc))

/** One JSON-RPC response object, per spec §5 and our error table. Returns problems found. */
function checkResponseObject(r: unknown): string[] {
  if (typeof r !== 'object' || r === null || Array.isArray(r)) return ['a response is not an object']
  const o = r as Record<string, unknown>
  const problems: string[] = []
  const keys = Object.keys(o)
  for (const k of keys) if (!['jsonrpc', 'id', 'result', 'error'].includes(k)) problems.push(`unexpected member ${k}`)
  if (o.jsonrpc !== '2.0') problems.push('jsonrpc is not "2.0"')
  if (!('id' in o)) problems.push('no id')
  else if (!(o.id === null || typeof o.id === 'string' || (typeof o.id === 'number' && Number.isFinite(o.id)))) problems.push('bad id')
  if (('result' in o) === ('error' in o)) problems.push('not exactly one of result/error')
  if ('error' in o) {
    const e = o.error as Record<string, unknown> | null
    if (typeof e !== 'object' || e === null) problems.push('error is not an object')
    else {
      if (!Number.isInteger(e.code) || !ERROR_NUMBERS.has(e.code as number)) problems.push(`error.code ${String(e.code)} not in the table`)
      if (typeof e.message !== 'string') problems.push('error.message is not a string')
      const data = e.data as Record<string, unknown> | undefined
      if (!data || typeof data.code !== 'string' || !Object.hasOwn(ERROR_CODES, data.code)) problems.push('error.data.code missing or unknown')
      else if (data.code === 'ERR_INTERNAL') problems.push('ERR_INTERNAL: an unexpected exception')
    }
  }
  return problems
}

/** Checks one answer against its case; returns the problems (empty = fine). */
function checkAnswer(c: Case, a: Answer): string[] {
  if (!ALLOWED_STATUS.has(a.status)) return [`HTTP ${a.status}`]
  if (a.status === 204) return a.body === '' ? [] : ['204 with a body']
  let json: unknown
  try {
    json = JSON.parse(a.body)
  } catch {
    return [`HTTP ${a.status} body is not JSON: ${a.body.slice(0, 80)}`]
  }
  if (!/^application\/json/.test(String(a.headers['content-type']))) return ['not application/json']
  const items = Array.isArray(json) ? json : [json]
  if (Array.isArray(json) && json.length === 0) return ['empty batch answer']
  const problems = items.flatMap(checkResponseObject)
  if (a.status !== 200 && (Array.isArray(json) || !('error' in (json as object)))) problems.push(`HTTP ${a.status} without an error`)
  if (a.status === 200) {
    if (c.expectBatch !== undefined && (!Array.isArray(json) || json.length !== c.expectBatch)) problems.push(`batch of ${c.expectBatch} answered with ${Array.isArray(json) ? json.length : 'one object'}`)
    if (c.expectId !== undefined) {
      const o = json as { id?: unknown; error?: { data?: { code?: string } } }
      if (Array.isArray(json) || o.id !== c.expectId) problems.push(`id ${JSON.stringify(o.id)} instead of ${JSON.stringify(c.expectId)}`)
      if (c.expectCode !== undefined && o.error?.data?.code !== c.expectCode) problems.push(`${o.error?.data?.code ?? 'success'} instead of ${c.expectCode}`)
      if (c.mayPass === false && !o.error) problems.push('succeeded')
    }
  }
  return problems
}

/** ' result' or ' error' for a single JSON-RPC answer, for the statistics. */
function outcomeOf(a: Answer): string {
  try {
    const json = JSON.parse(a.body) as unknown
    if (typeof json === 'object' && json !== null && !Array.isArray(json)) return 'result' in json ? ' result' : ' error'
  } catch {
    // no body (204)
  }
  return ''
}

let agent: AgentProcess
let keepAlive: HttpAgent
const stats = new Map<string, number>()
const problems: string[] = []
let rssAfterWarmUp = 0
let rssAfterFuzz = 0
let heapAfterWarmUp = 0
let heapAfterFuzz = 0

async function fuzz(gen: Generator, count: number): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < count) {
      next++
      const c = gen.next()
      // Framed by Content-Length, so a body on a GET or DELETE is not read as the next request.
      const length = c.chunks.reduce((n, chunk) => n + (typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length), 0)
      let answer: Answer
      try {
        answer = await send({ port: agent.port }, c.method, c.path, { ...c.headers, 'content-length': String(length) }, c.chunks, { agent: keepAlive, timeoutMs: 20_000 })
      } catch (err) {
        problems.push(`${c.kind}: no answer (${(err as Error).message})`)
        continue
      }
      const found = checkAnswer(c, answer)
      const key = `${c.kind.split(' ')[0]} ${answer.status}${outcomeOf(answer)}`
      stats.set(key, (stats.get(key) ?? 0) + 1)
      if (found.length > 0 && problems.length < 50) problems.push(`${c.kind} [${c.method} ${c.path} ${JSON.stringify({ ...c.headers, authorization: undefined })}]: ${found.join('; ')} — sent ${String(c.chunks[0]).slice(0, 160)} — got ${answer.status} ${answer.body.slice(0, 200)}`)
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
}

beforeAll(async () => {
  agent = await spawnAgentProcess()
  keepAlive = new HttpAgent({ keepAlive: true, maxSockets: CONCURRENCY })
}, 60_000)

afterAll(async () => {
  keepAlive?.destroy()
  await agent?.stop()
})

describe(`T17/T18: fuzzing the real agent over HTTP (seed ${SEED})`, () => {
  it(`${WARM_UP} warm-up and ${RUNS} malformed or mutated requests: every answer is JSON-RPC, never ERR_INTERNAL`, async () => {
    const gen = new Generator(SEED, agent.port, agent.credential)
    await fuzz(gen, WARM_UP)
    heapAfterWarmUp = (await agent.collectGarbage()).heapUsed
    rssAfterWarmUp = agent.rssBytes()
    await fuzz(gen, RUNS)
    heapAfterFuzz = (await agent.collectGarbage()).heapUsed
    rssAfterFuzz = agent.rssBytes()
    const total = [...stats.values()].reduce((a, b) => a + b, 0)
    console.info(
      `fuzz seed ${SEED}: ${total} requests; RSS ${mb(rssAfterWarmUp)} → ${mb(rssAfterFuzz)} MB, heap ${mb(heapAfterWarmUp)} → ${mb(heapAfterFuzz)} MB; by kind and status ${JSON.stringify(Object.fromEntries([...stats].sort()))}`,
    )
    expect(problems, `seed ${SEED}; answers by kind and status: ${JSON.stringify(Object.fromEntries([...stats].sort()))}`).toEqual([])
    expect(total).toBe(WARM_UP + RUNS)
    // The mix reached every layer: guards (4xx), the credential (401), dispatch (200), and the
    // signing path both ways (mutated envelopes that still parse are signed, the others refused).
    const seen = (key: string) => [...stats].some(([k, n]) => k.startsWith(key) && n > 0)
    for (const key of ['guard 403', 'guard 415', 'guard 421', 'no-credential 401', 'mutated-envelope 200 result', 'mutated-envelope 200 error', 'hostile-xml 200 error']) {
      expect(seen(key), `no "${key}" answer in the mix`).toBe(true)
    }
  }, 120_000)

  it('oversize bodies are refused by their declared length (413), without being read', async () => {
    for (const length of [80 * 1024 * 1024 + 1, 2 ** 40]) {
      const res = await send(
        { port: agent.port },
        'POST',
        '/rpc',
        { host: `127.0.0.1:${agent.port}`, 'content-type': 'application/json', authorization: `Bearer ${agent.credential}`, 'content-length': String(length) },
        ['{"jsonrpc":"2.0",'],
        { timeoutMs: 10_000 },
      )
      expect(res.status).toBe(413)
      expect(checkResponseObject(JSON.parse(res.body))).toEqual([])
      expect(JSON.parse(res.body).error.data).toMatchObject({ code: 'ERR_INVALID_REQUEST', reason: 'body-too-large' })
    }
  })

  it('the process survived, answers agent.status correctly and still signs a good envelope (verified by xmlsec1)', async () => {
    expect(agent.exit()).toBeUndefined()
    const local = new AgentClient({ url: agent.url, credential: agent.credential })
    const status = await local.call('agent.status')
    expect(status).toMatchObject({ version: PACKAGE_VERSION, pid: agent.pid, environment: 'sandbox' })
    expect(status.methods).toEqual(METHOD_NAMES)
    const signed = await local.call('soap.sign', { envelope: makeEnvelope(4096, { canary: 'AFTER-FUZZ' }) })
    const sigId = /<ds:Signature xmlns:ds="[^"]+" Id="([^"]+)"/.exec(signed.envelope)![1]!
    const pki = await sharedSandboxPki()
    const res = xmlsecVerify(
      signed.envelope,
      pki.keystores.doctor.certificatePem,
      [...wssecIdAttrs('http://schemas.xmlsoap.org/soap/envelope/'), ['Id', 'http://www.w3.org/2000/09/xmldsig#:Signature']],
      ['--node-id', sigId],
    )
    expect(res.ok, res.output).toBe(true)
    // No stack trace or crash report on its stderr.
    expect(agent.stderr()).not.toMatch(/\n\s+at |Unhandled|TypeError|RangeError|FATAL/)
  })

  it('no file the agent wrote, and nothing it printed, holds the body canary (T16), even after thousands of failed calls', async () => {
    const local = new AgentClient({ url: agent.url, credential: agent.credential })
    const { records } = await local.call('audit.list', { limit: 1000 })
    expect(records.length).toBeGreaterThan(100)
    const files = walk(agent.stateDir)
    expect(files.some((f) => f.includes('audit'))).toBe(true)
    for (const file of files) expect(readFileSync(file, 'latin1').includes(CANARY), file).toBe(false)
    expect(agent.stderr()).not.toContain(CANARY)
  })

  it(`its memory is flat: after warm-up, ${RUNS} requests grow its live heap < ${MAX_HEAP_GROWTH / 2 ** 20} MB and its RSS < ${MAX_RSS_GROWTH / 2 ** 20} MB`, () => {
    expect(rssAfterWarmUp).toBeGreaterThan(0)
    expect(heapAfterWarmUp).toBeGreaterThan(0)
    expect(heapAfterFuzz - heapAfterWarmUp, `heap after GC ${mb(heapAfterWarmUp)} → ${mb(heapAfterFuzz)} MB`).toBeLessThan(MAX_HEAP_GROWTH)
    expect(rssAfterFuzz - rssAfterWarmUp, `RSS ${mb(rssAfterWarmUp)} → ${mb(rssAfterFuzz)} MB`).toBeLessThan(MAX_RSS_GROWTH)
  })
})

describe('T18: prototype-pollution keys do not reach any prototype (agent in this process)', () => {
  let t: TestAgent
  beforeAll(async () => {
    t = await startTestAgent()
  })
  afterAll(async () => {
    await t?.agent.close()
  })

  it('after __proto__ / constructor.prototype payloads in every position, Object.prototype is untouched and no client gained scopes', async () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort()
    const payload = '{"polluted":true,"methods":["*"],"services":["*"],"isAdmin":true}'
    const bodies = [
      `{"jsonrpc":"2.0","method":"session.status","params":{"__proto__":${payload}},"id":1}`,
      `{"__proto__":${payload},"jsonrpc":"2.0","method":"agent.status","id":2}`,
      `{"jsonrpc":"2.0","method":"agent.status","params":{"constructor":{"prototype":${payload}}},"id":3}`,
      `{"jsonrpc":"2.0","method":"client.pair","params":{"name":"pp","scopes":{"__proto__":${payload}}},"id":4}`,
      `{"jsonrpc":"2.0","method":"client.pair","params":{"name":"pp2","__proto__":{"scopes":${payload}}},"id":5}`,
      `[{"jsonrpc":"2.0","method":"agent.status","id":6,"__proto__":${payload}}]`,
      `{"jsonrpc":"2.0","method":"__proto__","params":{},"id":7}`,
      `{"jsonrpc":"2.0","method":"constructor","params":{},"id":8}`,
    ]
    const answers: unknown[] = []
    for (const body of bodies) {
      const res = await fetch(`${t.agent.url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t.agent.credential}` }, body })
      answers.push(await res.json())
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined()
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before)
    for (const a of answers.flat()) expect(checkResponseObject(a)).toEqual([])
    // The strict schemas refused the pairing attempts; and the unknown "methods" are errors.
    expect(answers[3]).toMatchObject({ id: 4, error: { data: { code: 'ERR_INVALID_PARAMS' } } })
    expect(answers[4]).toMatchObject({ id: 5, error: { data: { code: 'ERR_INVALID_PARAMS' } } })
    expect(answers[6]).toMatchObject({ id: 7, error: { data: { code: 'ERR_METHOD_NOT_FOUND' } } })
    expect(answers[7]).toMatchObject({ id: 8, error: { data: { code: 'ERR_METHOD_NOT_FOUND' } } })
    expect(t.agent.services.clients.list()).toEqual([])
    expect(t.prompter.pairings).toEqual([])
  })
})

function walk(dir: string): string[] {
  const out: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...walk(p))
    else if (entry.isFile()) out.push(p)
  }
  return out
}
