import { AgentError } from '../../../protocol/errors.js'
import { matchesEndpointList } from '../../../protocol/policy/policy-locks.js'
import { auditToken } from '../../session/summarize-session.js'
import { notifyUse } from '../confirm-use.js'
import { auditCallerOf } from '../describe-caller.js'
import { defineMethod, type AgentServices } from '../method-context.js'
import { signEnvelope } from './soap-sign.js'

/**
 * `soap.call {endpoint, envelope, soapAction?, profile?}`: sign, POST to an endpoint of the
 * environment's service list (or the admin's allowlist), return the response. Nothing of either
 * body is kept or logged (IAM eXchange Annex A §1.5); the privacy log records endpoint, action and
 * operation. Sending the signed envelope is the use of the token, so its record is on disk before
 * it is sent; a failed call adds a second record with the error, on disk before the error is
 * returned.
 */
export const soapCall = defineMethod({
  name: 'soap.call',
  async handle(params, ctx) {
    checkEndpoint(ctx.agent, params.endpoint)
    const signed = await signEnvelope(
      ctx,
      params.envelope,
      params.profile ?? 'saml-hok',
      'rsa-sha256',
      { method: 'soap.call', endpoint: params.endpoint, ...(params.soapAction ? { soapAction: params.soapAction } : {}) },
      (facts) => ({
        event: 'soap.call',
        ...auditCallerOf(ctx.caller),
        method: 'soap.call',
        service: { endpoint: params.endpoint, soapAction: params.soapAction ?? '', operation: facts.operation },
        token: auditToken(facts.token),
        signatureId: facts.signatureId,
      }),
    )
    let response: string
    try {
      response = await ctx.agent.post(params.endpoint, signed.envelope, params.soapAction ?? '', 'service')
    } catch (err) {
      await ctx.agent.audit.commit({ ...signed.record, outcome: 'error', errorCode: (err as { code?: string }).code ?? 'ERR_INTERNAL' })
      throw err
    }
    notifyUse(ctx, signed.use)
    return { status: 200, envelope: response, assertionId: signed.token.assertion.assertionId }
  },
})

/**
 * Only eHealth's own endpoints for this environment, or what the user allowed (no open relay).
 * An admin policy listing endpoints replaces both: what it does not list is refused.
 */
function checkEndpoint(agent: AgentServices, endpoint: string): void {
  const fixed = agent.policy.policy.allowedServiceEndpoints
  if (fixed !== undefined) {
    if (matchesEndpointList(endpoint, fixed)) return
    throw new AgentError('ERR_POLICY_DENIED', `${endpoint.slice(0, 200)} is not among the service endpoints your administrator's policy ${agent.policy.source} allows`, {
      endpoint: endpoint.slice(0, 200),
      source: agent.policy.source,
      policyField: 'allowedServiceEndpoints',
    })
  }
  const known = Object.values(agent.environment.services)
  const allowed = matchesEndpointList(endpoint, [...known, ...agent.serviceAllowlist])
  if (!allowed) {
    throw new AgentError('ERR_ENDPOINT_NOT_ALLOWED', `${endpoint.slice(0, 200)} is not a service of the ${agent.environment.label} environment`, {
      endpoint: endpoint.slice(0, 200),
    })
  }
}
