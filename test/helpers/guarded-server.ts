import { chmodSync } from 'node:fs'
import type { Server } from 'node:http'
import { createAdaptorServer, serve } from '@hono/node-server'
import { Hono } from 'hono'
import { expect } from 'vitest'
import { requestGuards, type GuardOptions } from '../../agent/http/guards.js'
import { lookupPeerUid } from '../../agent/http/peer-uid.js'

/**
 * The agent's request guards in front of a dummy POST /rpc and GET /health, on a real listener:
 * for the guards' socket tests (agent/http/guards-socket*.test.ts), driven by node:http in the
 * unit project and by curl and a second user in the system project.
 */

export const EXTENSION = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop'
export const MAX_BODY = 1024
export const RPC = '{"jsonrpc":"2.0","method":"agent.status","id":1}'
export const JSON_HEADERS = { 'content-type': 'application/json' }

type Rejection = Parameters<NonNullable<GuardOptions['onRejected']>>[0]

export interface Guarded {
  server: Server
  port: number
  rejected: Rejection[]
  handled: string[]
  /** Every uid lookupPeerUid found, in order. */
  uids: (number | undefined)[]
}

export type Fetch = (req: Request, env: unknown) => Response | Promise<Response>

/** The app is built once the port is known, because the Host allowlist names it. */
export async function startGuarded(listen: (fetch: Fetch) => Promise<{ server: Server; port: number }>, withPeerUid: boolean): Promise<Guarded> {
  let app: Hono | undefined
  const { server, port } = await listen((req, env) => app!.fetch(req, env))
  const guarded: Guarded = { server, port, rejected: [], handled: [], uids: [] }
  app = new Hono()
  const options: GuardOptions = { port, allowedOrigins: [EXTENSION], maxBodyBytes: MAX_BODY, onRejected: (info) => guarded.rejected.push(info) }
  if (withPeerUid) {
    options.peerUid = {
      agentUid: process.getuid!(),
      lookup: async (peer, localPort) => {
        const uid = await lookupPeerUid(peer, localPort)
        guarded.uids.push(uid)
        return uid
      },
    }
  }
  app.use('*', requestGuards(options))
  app.post('/rpc', async (c) => {
    const body = (await c.req.json()) as { id?: unknown }
    guarded.handled.push('rpc')
    return c.json({ jsonrpc: '2.0', result: 'ok', id: body.id ?? null })
  })
  app.get('/health', (c) => {
    guarded.handled.push('health')
    return c.json({ ok: true })
  })
  return guarded
}

/** `serve` from @hono/node-server on 127.0.0.1, port 0, as the agent does on its own port. */
export function listenOnLoopback(fetch: Fetch): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname: '127.0.0.1', port: 0 }, (info) => resolve({ server, port: info.port })) as Server
    server.once('error', reject)
  })
}

/** A Unix socket made 0600, as the agent does (put it in a 0700 directory, e.g. from mkdtemp). */
export function listenOnUnixSocket(socketPath: string): (fetch: Fetch) => Promise<{ server: Server; port: number }> {
  return (fetch) =>
    new Promise((resolve, reject) => {
      const server = createAdaptorServer({ fetch }) as Server
      server.once('error', reject)
      server.listen(socketPath, () => {
        chmodSync(socketPath, 0o600)
        resolve({ server, port: 4752 })
      })
    })
}

export function close(server: Server | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!server) return resolve()
    server.closeAllConnections()
    server.close(() => resolve())
  })
}

/** The JSON-RPC error of a guard's refusal (id null: the request was never read). */
export function errorOf(body: string): { code: number; data: Record<string, unknown> } {
  const parsed = JSON.parse(body) as { jsonrpc: string; id: unknown; error: { code: number; data: Record<string, unknown> } }
  expect(parsed.jsonrpc).toBe('2.0')
  expect(parsed.id).toBeNull()
  return parsed.error
}
