import type { Context, Hono } from 'hono'
import { AgentError, isAgentError } from '../../../protocol/errors.js'
import { SANDBOX_CONTROL_PATHS, SANDBOX_FAULT_REQUEST_SCHEMA } from '../../../protocol/sandbox-control.js'
import { isLoopbackHttpUrl } from '../../../protocol/sandbox-manifest.js'
import type { SandboxRoutes } from '../app.js'
import { FaultInjector } from '../fault-injector.js'
import { parseFaultSpec } from '../parse-fault-spec.js'
import type { SandboxState } from '../sandbox-state.js'

/** Every path of the control endpoint starts with this (they are not counted as requests). */
export const SANDBOX_CONTROL_PREFIX = '/sandbox/control/'

/**
 * The sandbox's control endpoint (protocol/sandbox-control.ts): add faults to a running sandbox
 * (`ehagent sandbox fault SPEC`), clear them (`ehagent sandbox fault clear`), read the request
 * counts (`ehagent sandbox stats`). It changes how the sandbox answers everyone, so it answers
 * only what a local program addresses to loopback by name: a page whose DNS name was rebound to
 * 127.0.0.1 sends its own Host (refused, 421), a cross-origin page sends Origin (refused, 403),
 * and a POST must be JSON, which a page cannot send cross-origin without a preflight the sandbox
 * never answers (refused, 415).
 */
export const controlRoutes: SandboxRoutes = (app: Hono, state: SandboxState) => {
  app.get(SANDBOX_CONTROL_PATHS.stats, (c) => refuseForeign(c) ?? answer(c, state.requests.snapshot()))

  app.post(SANDBOX_CONTROL_PATHS.faults, async (c) => {
    const refused = refuseForeign(c) ?? refuseNonJson(c)
    if (refused) return refused
    let spec: string
    try {
      spec = SANDBOX_FAULT_REQUEST_SCHEMA.parse(await c.req.json()).spec
      // The whole spec is checked before any of it applies: a typo adds nothing.
      parseFaultSpec(spec, new FaultInjector())
    } catch (error) {
      const message = isAgentError(error) ? error.message : 'the body must be {"spec": "<fault spec>"}, e.g. {"spec": "/IAM/SecurityTokenService/v1:http=503x3"}'
      return c.json({ error: { code: 'ERR_INVALID_PARAMS', message } }, 400)
    }
    parseFaultSpec(spec, state.faults)
    return answer(c, state.faults.describe())
  })

  app.post(SANDBOX_CONTROL_PATHS.clearFaults, (c) => {
    const refused = refuseForeign(c) ?? refuseNonJson(c)
    if (refused) return refused
    state.faults.clear()
    return answer(c, state.faults.describe())
  })
}

function answer(c: Context, body: unknown): Response {
  c.header('Cache-Control', 'no-store')
  return c.json(body)
}

/** A request not addressed to loopback by name, or sent by a web page. */
function refuseForeign(c: Context): Response | undefined {
  // Both the Host header and the URL the server built (an absolute-form target names its own
  // authority, RFC 9112 §3.2.2) must be loopback.
  const host = c.req.header('host')
  if (host === undefined || !isLoopbackHttpUrl(`http://${host}/`) || !isLoopbackHttpUrl(c.req.url)) {
    return refusal(c, 421, new AgentError('ERR_UNAUTHORIZED', 'the sandbox control endpoint answers http://127.0.0.1 (or localhost) only'))
  }
  if (c.req.header('origin') !== undefined) return refusal(c, 403, new AgentError('ERR_UNAUTHORIZED', 'web pages may not control the sandbox'))
  return undefined
}

function refuseNonJson(c: Context): Response | undefined {
  const type = c.req.header('content-type') ?? ''
  if (!/^application\/json\s*(;|$)/i.test(type)) return refusal(c, 415, new AgentError('ERR_INVALID_REQUEST', 'send Content-Type: application/json'))
  return undefined
}

function refusal(c: Context, status: 403 | 415 | 421, error: AgentError): Response {
  return c.json({ error: { code: error.code, message: error.message } }, status)
}
