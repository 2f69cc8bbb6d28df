import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ERROR_CODES, type ErrorCode } from '../../protocol/errors.js'
import { NATIVE_HOST_NAME } from '../../protocol/browser-extension/names.js'
import { REQUEST_FRAME_MAX_BYTES } from './host/native-messaging-frames.js'
import { renderDeploymentManifest } from './render-deployment-manifest.js'

// The extension is plain JavaScript loaded as is by the browser; its modules are imported here by
// URL, with the shapes this test relies on written out.
type PageResponse = { jsonrpc: '2.0'; id: unknown; result?: unknown; error?: { code: number; message: string; data: Record<string, unknown> } }
interface PageRequestModule {
  PAGE_METHODS: readonly string[]
  MAX_FORWARDED_ENVELOPE: number
  EXTENSION_ERRORS: Record<string, { rpc: number; message: string; hint: string }>
  readPageRequest(message: unknown): { ok: true; request: { id: string | number; method: string; params: Record<string, unknown> } } | { ok: false; response: PageResponse }
}
interface OriginModule {
  isAllowedOrigin(origin: unknown, matches: readonly string[]): boolean
  senderOrigin(sender: { origin?: unknown; url?: unknown }): string | undefined
}
interface FakePort {
  posted: unknown[]
  disconnected: boolean
  postMessage(m: unknown): void
  disconnect(): void
  onMessage: { addListener(l: (m: unknown) => void): void }
  onDisconnect: { addListener(l: () => void): void }
  answer(m: unknown): void
  drop(): void
}
interface NativeHostModule {
  NATIVE_HOST_NAME: string
  createNativeHostClient(options: {
    connect: (name: string) => FakePort
    lastError: () => string | undefined
    timeoutMs?: number
    idleMs?: number
    setTimer?: (fn: () => void, ms: number) => unknown
    clearTimer?: (handle: unknown) => void
  }): { request(method: string, params: Record<string, unknown>, origin: string): Promise<PageResponse> }
}

const load = async <T>(file: string) => (await import(new URL(`./extension/${file}`, import.meta.url).href)) as T
const pages = await load<PageRequestModule>('page-request.js')
const origins = await load<OriginModule>('origin-allowlist.js')
const native = await load<NativeHostModule>('native-host-port.js')
const manifest = JSON.parse(readFileSync(new URL('./extension/manifest.json', import.meta.url), 'utf8')) as {
  manifest_version: number
  background: unknown
  permissions: string[]
  host_permissions?: unknown
  content_scripts?: unknown
  web_accessible_resources?: unknown
  externally_connectable: { matches: string[]; ids?: string[] }
}

describe('the extension manifest', () => {
  it('is MV3 with a module service worker, asks for native messaging only, and has no content scripts or host access', () => {
    expect(manifest.manifest_version).toBe(3)
    expect(manifest.background).toEqual({ service_worker: 'service-worker.js', type: 'module' })
    expect(manifest.permissions).toEqual(['nativeMessaging'])
    expect(manifest.host_permissions).toBeUndefined()
    expect(manifest.content_scripts).toBeUndefined()
    expect(manifest.web_accessible_resources).toBeUndefined()
  })

  it('as committed lets no web page in (not even localhost on any port), and no other extension', () => {
    const { matches, ids } = manifest.externally_connectable
    expect(ids).toBeUndefined()
    expect(matches).toEqual([])
  })

  it('a deployment names exact origins, keeps the key, and refuses wildcards and portless loopback', () => {
    const text = readFileSync(new URL('./extension/manifest.json', import.meta.url), 'utf8')
    const deployed = JSON.parse(renderDeploymentManifest(text, ['https://app.praktijk.example.be', 'http://127.0.0.1:8443', 'https://app.praktijk.example.be'])) as typeof manifest & { key: string }
    expect(deployed.externally_connectable).toEqual({ matches: ['https://app.praktijk.example.be/*', 'http://127.0.0.1:8443/*'] })
    expect(deployed.key).toBe((JSON.parse(text) as { key: string }).key)
    expect(deployed.permissions).toEqual(['nativeMessaging'])
    // What the deployment lets in is what the extension's own check lets in, port for port.
    const m = deployed.externally_connectable.matches
    expect(origins.isAllowedOrigin('http://127.0.0.1:8443', m)).toBe(true)
    expect(origins.isAllowedOrigin('http://127.0.0.1:8444', m)).toBe(false)
    expect(origins.isAllowedOrigin('https://evil.praktijk.example.be', m)).toBe(false)
    expect(() => renderDeploymentManifest(text, ['http://127.0.0.1:*'])).toThrow(/wildcard/)
    expect(() => renderDeploymentManifest(text, ['http://localhost'])).toThrow(/port/)
    expect(() => renderDeploymentManifest(text, ['https://*.example.be'])).toThrow(/wildcard/)
  })
})

describe('the extension agrees with the host and the agent', () => {
  it('connects to the host name the host manifest declares', () => {
    expect(native.NATIVE_HOST_NAME).toBe(NATIVE_HOST_NAME)
  })

  it('answers with the agent\'s codes and JSON-RPC numbers', () => {
    for (const [code, entry] of Object.entries(pages.EXTENSION_ERRORS)) {
      expect(Object.hasOwn(ERROR_CODES, code), code).toBe(true)
      expect(entry.rpc, code).toBe(ERROR_CODES[code as ErrorCode].rpc)
    }
  })

  it('never forwards a message the host would skip unread (6 bytes per character, Chrome\'s worst JSON escape)', () => {
    expect(pages.MAX_FORWARDED_ENVELOPE * 6 + 64 * 1024).toBeLessThan(REQUEST_FRAME_MAX_BYTES)
  })
})

describe('senderOrigin', () => {
  it("takes the browser's sender.origin, else the origin of sender.url, and nothing else", () => {
    expect(origins.senderOrigin({ origin: 'https://app.example.be', url: 'https://other.example/x' })).toBe('https://app.example.be')
    expect(origins.senderOrigin({ url: 'https://app.example.be:8443/patients/42?x=1' })).toBe('https://app.example.be:8443')
    expect(origins.senderOrigin({ url: 'data:text/html,hi' })).toBeUndefined()
    expect(origins.senderOrigin({ url: 'not a url' })).toBeUndefined()
    expect(origins.senderOrigin({})).toBeUndefined()
  })
})

describe('readPageRequest', () => {
  const good = { jsonrpc: '2.0', id: 1, method: 'soap.sign', params: { envelope: '<e/>' } }

  it('forwards a soap.sign request', () => {
    expect(pages.readPageRequest(good)).toEqual({ ok: true, request: { id: 1, method: 'soap.sign', params: { envelope: '<e/>' } } })
    expect(pages.PAGE_METHODS).toEqual(['soap.sign'])
  })

  it('answers malformed requests at once with typed JSON-RPC errors', () => {
    const code = (m: unknown) => {
      const r = pages.readPageRequest(m)
      return r.ok ? 'forwarded' : [r.response.id, r.response.error?.data.code, r.response.error?.code]
    }
    expect(code(null)).toEqual([null, 'ERR_INVALID_REQUEST', -32600])
    expect(code({ ...good, id: { x: 1 } })).toEqual([null, 'ERR_INVALID_REQUEST', -32600])
    expect(code({ ...good, jsonrpc: undefined })).toEqual([1, 'ERR_INVALID_REQUEST', -32600])
    expect(code({ ...good, method: 'client.pair' })).toEqual([1, 'ERR_METHOD_NOT_FOUND', -32601])
    expect(code({ ...good, params: { envelope: 1 } })).toEqual([1, 'ERR_INVALID_PARAMS', -32602])
    expect(code({ ...good, params: { envelope: 'x'.repeat(pages.MAX_FORWARDED_ENVELOPE + 1) } })).toEqual([1, 'ERR_XML_TOO_LARGE', -32042])
  })
})

describe('isAllowedOrigin', () => {
  const matches = ['http://127.0.0.1/*', 'https://*.praktijk.example.be/*', 'https://app.example.be:8443/*']

  it('accepts the named origins, on any port when the pattern names none', () => {
    expect(origins.isAllowedOrigin('http://127.0.0.1:40123', matches)).toBe(true)
    expect(origins.isAllowedOrigin('http://127.0.0.1', matches)).toBe(true)
    expect(origins.isAllowedOrigin('https://praktijk.example.be', matches)).toBe(true)
    expect(origins.isAllowedOrigin('https://dr.praktijk.example.be', matches)).toBe(true)
    expect(origins.isAllowedOrigin('https://app.example.be:8443', matches)).toBe(true)
  })

  it('refuses every other origin, and anything that is not a bare web origin', () => {
    for (const origin of [
      'https://127.0.0.1:40123',
      'http://127.0.0.2:40123',
      'http://localhost:40123',
      'https://evilpraktijk.example.be',
      'https://praktijk.example.be.evil.test',
      'https://app.example.be',
      'null',
      undefined,
      'http://127.0.0.1:40123/page',
      'chrome-extension://genikcfmigceelnkkckhdkieobalmnob',
    ]) {
      expect(origins.isAllowedOrigin(origin, matches), String(origin)).toBe(false)
    }
  })
})

describe('createNativeHostClient', () => {
  function harness(lastError?: string) {
    const ports: FakePort[] = []
    const timers = new Map<number, () => void>()
    let nextTimer = 1
    const connect = (name: string): FakePort => {
      expect(name).toBe('be.ehealth_agent.host')
      const messageListeners: ((m: unknown) => void)[] = []
      const disconnectListeners: (() => void)[] = []
      const port: FakePort = {
        posted: [],
        disconnected: false,
        postMessage: (m) => port.posted.push(m),
        disconnect: () => (port.disconnected = true),
        onMessage: { addListener: (l) => messageListeners.push(l) },
        onDisconnect: { addListener: (l) => disconnectListeners.push(l) },
        answer: (m) => messageListeners.forEach((l) => l(m)),
        drop: () => disconnectListeners.forEach((l) => l()),
      }
      ports.push(port)
      return port
    }
    const client = native.createNativeHostClient({
      connect,
      lastError: () => lastError,
      setTimer: (fn) => {
        timers.set(nextTimer, fn)
        return nextTimer++
      },
      clearTimer: (h) => timers.delete(h as number),
    })
    const fire = () => {
      const due = [...timers.values()]
      timers.clear()
      due.forEach((fn) => fn())
    }
    return { client, ports, fire, timers }
  }

  it('shares one port, sends the page origin, and routes answers by id whatever their order', async () => {
    const { client, ports } = harness()
    const a = client.request('soap.sign', { envelope: '<a/>' }, 'http://127.0.0.1:1')
    const b = client.request('soap.sign', { envelope: '<b/>' }, 'http://127.0.0.1:1')
    expect(ports).toHaveLength(1)
    expect(ports[0]!.posted).toEqual([
      { jsonrpc: '2.0', id: 1, method: 'soap.sign', params: { envelope: '<a/>' }, origin: 'http://127.0.0.1:1' },
      { jsonrpc: '2.0', id: 2, method: 'soap.sign', params: { envelope: '<b/>' }, origin: 'http://127.0.0.1:1' },
    ])
    ports[0]!.answer({ jsonrpc: '2.0', id: 2, result: 'B' })
    ports[0]!.answer({ jsonrpc: '2.0', id: 99, result: 'stray' })
    ports[0]!.answer({ jsonrpc: '2.0', id: 1, result: 'A' })
    expect(await a).toMatchObject({ result: 'A' })
    expect(await b).toMatchObject({ result: 'B' })
  })

  it('a host that is missing or exits fails the requests under way with ERR_AGENT_UNREACHABLE, and the next request reconnects', async () => {
    const { client, ports } = harness('Specified native messaging host not found.')
    const a = client.request('soap.sign', { envelope: '<a/>' }, 'http://127.0.0.1:1')
    ports[0]!.drop()
    expect(await a).toMatchObject({ error: { code: -32062, data: { code: 'ERR_AGENT_UNREACHABLE', reason: 'native-host-unavailable', detail: 'Specified native messaging host not found.' } } })
    void client.request('soap.sign', { envelope: '<b/>' }, 'http://127.0.0.1:1')
    expect(ports).toHaveLength(2)
  })

  it('a host that never answers is ERR_TIMEOUT; an idle port is closed so the worker and the host can stop', async () => {
    const { client, ports, fire } = harness()
    const a = client.request('soap.sign', { envelope: '<a/>' }, 'http://127.0.0.1:1')
    fire()
    expect(await a).toMatchObject({ error: { data: { code: 'ERR_TIMEOUT', reason: 'native-host-timeout' } } })
    expect(ports[0]!.disconnected).toBe(false)
    fire()
    expect(ports[0]!.disconnected).toBe(true)
  })
})
