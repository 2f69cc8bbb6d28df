import { Hono, type MiddlewareHandler } from 'hono'
import { SANDBOX_PATHS } from '../../protocol/environments.js'
import { isLoopbackHttpUrl, SANDBOX_MANIFEST_PATH } from '../../protocol/sandbox-manifest.js'
import { buildSandboxManifest } from './build-manifest.js'
import { SANDBOX_CONTROL_PREFIX } from './control/control-routes.js'
import type { InjectedFault } from './fault-injector.js'
import type { SandboxState } from './sandbox-state.js'
import { businessFault, type SoapReply } from './soap-reply.js'
import { handleEchoService } from './services/echo-service.js'
import { handleWsTrust } from './sts/ws-trust-sts.js'

/** Largest request body the sandbox reads (it stands in for eHealth's ESB limits). */
const MAX_BODY_BYTES = 32 * 1024 * 1024

/** Extra routes other sandbox parts (SAML-P STS, IDP pages) plug in. */
export type SandboxRoutes = (app: Hono, state: SandboxState) => void

/**
 * The sandbox as a hono app: eHealth's paths (environments.ts SANDBOX_PATHS), each behind the
 * fault injector. In-process in tests (`app.request`), on a loopback socket in `ehagent sandbox`.
 */
export function createSandboxApp(state: SandboxState, extra: SandboxRoutes[] = []): Hono {
  const app = new Hono()
  app.use('*', countRequests(state))

  app.post(SANDBOX_PATHS.stsWsTrust, (c) => soapEndpoint(c.req.raw, state, (text) => handleWsTrust(state, text)))
  app.post(SANDBOX_PATHS.hokService, (c) => soapEndpoint(c.req.raw, state, (text) => handleEchoService(state, text, 'saml-hok')))
  app.post(SANDBOX_PATHS.x509Service, (c) => soapEndpoint(c.req.raw, state, (text) => handleEchoService(state, text, 'x509')))
  for (const add of extra) add(app, state)

  // What an agent needs to use this sandbox (protocol/sandbox-manifest.ts). The keystore paths
  // name the user's home directory: answered only to a request addressed to loopback by name,
  // not to a page whose DNS name was rebound to 127.0.0.1.
  app.get(SANDBOX_MANIFEST_PATH, (c) => {
    const origin = new URL(c.req.url).origin
    if (!isLoopbackHttpUrl(origin)) return c.text('the sandbox manifest is served to http://127.0.0.1 (or localhost) only', 421)
    c.header('Cache-Control', 'no-store')
    return c.json(buildSandboxManifest(state, origin))
  })

  app.get('/', (c) =>
    c.json({
      sandbox: 'ehealth-agent eHealth sandbox',
      environment: state.soaEnvironment,
      endpoints: SANDBOX_PATHS,
      manifest: SANDBOX_MANIFEST_PATH,
    }),
  )
  return app
}

/** Counts every request an agent makes (request-counter.ts); the harness's own are not counted. */
function countRequests(state: SandboxState): MiddlewareHandler {
  return async (c, next) => {
    const path = c.req.path
    if (path !== SANDBOX_MANIFEST_PATH && !path.startsWith(SANDBOX_CONTROL_PREFIX)) state.requests.count(path)
    await next()
  }
}

/** Read the SOAP request, apply any injected fault, run the handler, answer as text/xml. */
export async function soapEndpoint(request: Request, state: SandboxState, handle: (text: string) => Promise<SoapReply>): Promise<Response> {
  const path = new URL(request.url).pathname
  const fault = state.faults.take(path)
  if (fault) {
    const early = await injected(fault, state)
    if (early) return early
  }
  const length = Number(request.headers.get('content-length') ?? '0')
  if (length > MAX_BODY_BYTES) return xml(businessFault(state, 'soapenv:Client', 'SOA-03001', ['Malformed message', 'message too large']))
  const text = await request.text()
  if (text.length > MAX_BODY_BYTES) return xml(businessFault(state, 'soapenv:Client', 'SOA-03001', ['Malformed message', 'message too large']))
  return xml(await handle(text))
}

async function injected(fault: InjectedFault, state: SandboxState): Promise<Response | undefined> {
  switch (fault.kind) {
    case 'latency':
      await new Promise((r) => setTimeout(r, fault.ms))
      return undefined
    case 'http': {
      const retryAfter = state.faults.retryAfterFor(fault.status)
      const headers: Record<string, string> = { 'Content-Type': fault.contentType ?? 'text/plain', ...(retryAfter !== undefined ? { 'Retry-After': retryAfter } : {}) }
      return new Response(fault.body ?? `HTTP ${fault.status} injected by the sandbox`, { status: fault.status, headers })
    }
    case 'soap-fault':
      return xml(businessFault(state, 'soapenv:Server', fault.code, fault.messages))
    case 'garbage':
      return new Response('\u0000<<not xml at all>>', { status: 200, headers: { 'Content-Type': 'text/xml' } })
    case 'reset':
      // Surfaced by the node server as a destroyed socket (see server.ts).
      throw new ConnectionReset()
  }
}

/** Thrown to make the HTTP server drop the connection without an answer. */
export class ConnectionReset extends Error {
  constructor() {
    super('connection reset injected by the sandbox')
    this.name = 'ConnectionReset'
  }
}

function xml(reply: SoapReply): Response {
  return new Response(reply.body, { status: reply.status, headers: { 'Content-Type': 'text/xml; charset=utf-8' } })
}
