import { AgentError } from '../../../protocol/errors.js'
import { parseSsoTokenFile } from '../../../protocol/saml/sso-token-file.js'
import { PROFILES, isProfileId } from '../../../protocol/sts/profiles.js'
import { summarizeSession } from '../../session/summarize-session.js'
import { defineMethod } from '../method-context.js'
import { recordedOrSignedOut } from './session-login.js'

/**
 * `session.importToken {token}`: use a session token downloaded from the eHealth IDP (seed 000,
 * the `.ehtoken` file) "as if it was retrieved from the STS itself": same checks (trusted STS
 * signature, validity), and it must be bound to the configured eHealth keystore's certificate.
 */
export const sessionImportToken = defineMethod({
  name: 'session.importToken',
  async handle(params, ctx) {
    const file = parseSsoTokenFile(params.token)
    if (file.environment !== ctx.agent.environment.id) {
      throw new AgentError('ERR_TOKEN_INVALID', `the token is for the ${file.environment} environment; this agent runs ${ctx.agent.environment.id}`)
    }
    const keystore = ctx.agent.keys.keystore
    if (!keystore) throw new AgentError('ERR_CONFIG_INVALID', 'importing an SSO token needs the eHealth keystore it is bound to')
    const profile = isProfileId(file.profile) ? { id: file.profile, label: PROFILES[file.profile].label } : { id: file.profile, label: file.profile }
    // A sign-in like any other: refused while the privacy log is full, done once recorded.
    ctx.agent.audit.assertCanRecordUse()
    await ctx.agent.session.importToken(file.assertionXml, keystore, profile, { client: ctx.caller.name })
    await recordedOrSignedOut(ctx)
    return summarizeSession(ctx.agent.session, ctx.agent.environment.label)
  },
})
