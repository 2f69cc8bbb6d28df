import { AgentError } from '../../../protocol/errors.js'
import { parseAssertion } from '../../../protocol/saml/parse-assertion.js'
import { readTokenDocument } from '../../../protocol/saml/read-token-document.js'
import { PROFILES, isProfileId } from '../../../protocol/sts/profiles.js'
import { profileOfAssertion } from '../../session/profile-of-assertion.js'
import { summarizeSession } from '../../session/summarize-session.js'
import { defineMethod } from '../method-context.js'
import { recordedOrSignedOut } from './session-login.js'

/**
 * `session.importToken {token}`: use a session token downloaded from the eHealth IDP (I.AM
 * fat-client SSO spec v1.0) "as if it was retrieved from the STS itself". The token is recognised
 * by its content (protocol/saml/read-token-document.ts: a bare assertion as issued, an STS answer
 * or SOAP envelope holding one, the `.ehtoken` file, each possibly base64-encoded) and passes the
 * checks of a fresh STS token: signed by this environment's STS (ERR_TOKEN_UNTRUSTED), valid now
 * (ERR_TOKEN_EXPIRED), bound to the configured eHealth keystore's certificate
 * (ERR_TOKEN_NOT_BOUND). Only input that holds no assertion at all is ERR_SAML_INVALID.
 */
export const sessionImportToken = defineMethod({
  name: 'session.importToken',
  async handle(params, ctx) {
    const document = readTokenDocument(params.token)
    const here = ctx.agent.environment.id
    if (document.environment !== undefined && document.environment !== here) {
      // The file's label is not signed, but a token of another environment is never signed by
      // this one's STS: say so plainly rather than with the signer's name.
      throw new AgentError('ERR_TOKEN_UNTRUSTED', `the token is for the ${document.environment} environment, and this agent runs ${here}: its STS did not sign it`, {
        reason: 'another environment',
        tokenEnvironment: document.environment,
      })
    }
    const keystore = ctx.agent.keys.keystore
    if (!keystore) {
      throw new AgentError('ERR_CONFIG_INVALID', 'importing an SSO token needs the eHealth keystore it is bound to, and none is configured', {
        detail: 'set login.keystore in the settings to your eHealth keystore (.p12)',
      })
    }
    const profile =
      document.profile !== undefined
        ? isProfileId(document.profile)
          ? { id: document.profile, label: PROFILES[document.profile].label }
          : { id: document.profile, label: document.profile }
        : profileOfAssertion(parseAssertion(document.assertionXml))
    // A sign-in like any other: refused while the privacy log is full, done once recorded.
    ctx.agent.audit.assertCanRecordUse()
    await ctx.agent.session.importToken(document.assertionXml, keystore, profile, { client: ctx.caller.name }, ctx.signal ? { signal: ctx.signal } : {})
    await recordedOrSignedOut(ctx)
    return summarizeSession(ctx.agent.session, ctx.agent.environment.label)
  },
})
