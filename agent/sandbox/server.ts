import { serve, type ServerType } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { sandboxEnvironment, type Environment } from '../../protocol/environments.js'
import { ConnectionReset, createSandboxApp, type SandboxRoutes } from './app.js'
import { loadOrCreateSandboxPki } from './pki/load-or-create-sandbox-pki.js'
import { SANDBOX_ROUTES } from './routes.js'
import { SandboxState, type SandboxOptions } from './sandbox-state.js'

/** Options of {@link startSandbox}. */
export interface StartSandboxOptions {
  /** Where the test PKI (keys, keystores, manifest) lives; created on first use. */
  stateDir: string
  /** 0 = any free port. */
  port?: number
  clock?: () => Date
  options?: Partial<SandboxOptions>
  /** Extra routes; default SANDBOX_ROUTES (the SAML-P STS and the IDP pages). */
  routes?: SandboxRoutes[]
}

/** A running sandbox. */
export interface RunningSandbox {
  url: string
  port: number
  environment: Environment
  state: SandboxState
  close(): Promise<void>
}

/**
 * Start the eHealth sandbox on 127.0.0.1 only (it is a local test double; threat T12 applies to
 * it as much as to the agent). `ehagent sandbox` (main.ts) runs it as a program of its own; tests
 * start it in their own process.
 */
export async function startSandbox(opts: StartSandboxOptions): Promise<RunningSandbox> {
  const clock = opts.clock ?? (() => new Date())
  const pki = await loadOrCreateSandboxPki(opts.stateDir, clock)
  const state = new SandboxState(pki, clock, opts.options)
  const app = createSandboxApp(state, opts.routes ?? [...SANDBOX_ROUTES])
  app.onError((err, c) => {
    if (err instanceof ConnectionReset) {
      const env = c.env as { incoming?: { socket?: { destroy(): void } } } | undefined
      env?.incoming?.socket?.destroy()
      return c.body(null, 500)
    }
    return c.text('sandbox internal error', 500)
  })
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: opts.port ?? 0 }, () => resolve(s))
    s.once('error', reject)
  })
  const port = (server.address() as AddressInfo).port
  const url = `http://127.0.0.1:${port}`
  return {
    url,
    port,
    environment: sandboxEnvironment(url),
    state,
    close: () =>
      new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) (server as { closeAllConnections(): void }).closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
