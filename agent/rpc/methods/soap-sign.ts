import { AgentError } from '../../../protocol/errors.js'
import { splitEnvelope } from '../../../protocol/soap/split-envelope.js'
import type { SignatureAlgorithm } from '../../../protocol/xml/algorithms.js'
import { checkBodyId, prepareWsSecurity } from '../../../protocol/wssec/prepare-ws-security.js'
import type { ActiveToken } from '../../session/session.js'
import { auditToken } from '../../session/summarize-session.js'
import { confirmUse, describeBodyRoot, notifyUse, type UseFacts } from '../confirm-use.js'
import { auditCallerOf } from '../describe-caller.js'
import { defineMethod, type CallContext } from '../method-context.js'
import { loginWith } from './session-login.js'

/**
 * `soap.sign {envelope, profile?, algorithm?}` → `{envelope, assertionId, signedAt}`: the caller's
 * envelope with a WS-Security header, signed with the session's holder-of-key key. The envelope
 * is parsed once; ambiguity (two Bodies, a hidden Body, an existing Security header, a DTD) is
 * refused (threat T9); the caller's Body bytes are the signed bytes. Signing in first, with the
 * default profile, when there is no session. The envelope is returned only once its privacy-log
 * record is on disk (IAM eXchange Annex A §1.5: the log is the proof of every use of the token);
 * when it cannot be, the caller gets ERR_AUDIT_FULL or ERR_AUDIT_UNAVAILABLE instead of the
 * signature.
 */
export const soapSign = defineMethod({
  name: 'soap.sign',
  async handle(params, ctx) {
    const signed = await signEnvelope(ctx, params.envelope, params.profile ?? 'saml-hok', params.algorithm ?? 'rsa-sha256', { method: 'soap.sign' })
    await ctx.agent.audit.commit({
      event: 'soap.sign',
      ...auditCallerOf(ctx.caller),
      method: 'soap.sign',
      service: { operation: signed.operation },
      token: auditToken(signed.token),
      signatureId: signed.signatureId,
      outcome: 'ok',
    })
    notifyUse(ctx, signed.use)
    return { envelope: signed.envelope, assertionId: signed.token.assertion.assertionId, signedAt: signed.signedAt }
  },
})

/** The signing flow shared by soap.sign and soap.call. */
export async function signEnvelope(
  ctx: CallContext,
  envelopeText: string,
  profile: 'saml-hok' | 'x509',
  algorithm: SignatureAlgorithm,
  use: Omit<UseFacts, 'bodyRoot'>,
): Promise<{ envelope: string; token: ActiveToken; signedAt: string; operation: string; signatureId: string; use: UseFacts }> {
  // Parse and refuse before anything else: a bad envelope never leads to a PIN prompt.
  const env = splitEnvelope(envelopeText)
  checkBodyId(env)
  // A use that could not be recorded does not happen: refused before the user is asked or the key touched.
  ctx.agent.audit.assertCanRecordUse()
  // The confirmation shows this parse's Body root, the one that is signed (threat T9).
  const facts: UseFacts = { ...use, bodyRoot: describeBodyRoot(env.operation) }
  await confirmUse(ctx, facts)
  if (!ctx.agent.session.current()) await loginWith(ctx, ctx.agent.defaultProfile)
  const token = await ctx.agent.session.token()
  const key = token.keys.holderOfKey
  const now = ctx.agent.clock.now()
  let signatureId = ''
  const prepared = prepareWsSecurity(env, {
    profile:
      profile === 'saml-hok'
        ? { kind: 'saml-hok', assertionXml: token.assertion.xml, assertionId: token.assertion.assertionId }
        : { kind: 'x509', certificateBase64: (await key.certificate()).base64 },
    now,
    algorithm,
    newId: (kind) => {
      const id = `${kind}-${ctx.agent.newId()}`
      if (kind === 'SIG') signatureId = id
      return id
    },
  })
  const signature = await key.sign(prepared.signedInfo, prepared.hash)
  if (!signature.length) throw new AgentError('ERR_KEY_SOURCE', 'the key source returned an empty signature')
  const op = prepared.operation
  return {
    envelope: prepared.finish(signature),
    token,
    signedAt: now.toISOString(),
    operation: op ? `{${op.namespace}}${op.localName}` : '',
    signatureId,
    use: facts,
  }
}
