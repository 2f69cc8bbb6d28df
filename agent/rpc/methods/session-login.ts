import { AgentError } from '../../../protocol/errors.js'
import { claimsForProfile } from '../../../protocol/sts/claims.js'
import { PROFILES, isProfileId } from '../../../protocol/sts/profiles.js'
import type { LoginMethod } from '../../keys/key-ring.js'
import { identityFromCertificate } from '../../session/identity-from-certificate.js'
import { summarizeSession } from '../../session/summarize-session.js'
import { promptContextOf } from '../describe-caller.js'
import type { CallContext } from '../method-context.js'
import { defineMethod } from '../method-context.js'

/**
 * `session.login {profile?, method?, mandateService?}`: sign in to eHealth. The agent asks the
 * user (never the caller) for the PIN or password, naming the calling application, the profile
 * and the environment; then obtains and checks the token. Signing in with another profile while
 * signed in is a global logout first (eHealth I.AM IDP v1.0).
 */
export const sessionLogin = defineMethod({
  name: 'session.login',
  async handle(params, ctx) {
    await loginWith(ctx, params.profile ?? ctx.agent.defaultProfile, params.method, params.mandateService)
    return summarizeSession(ctx.agent.session, ctx.agent.environment.label)
  },
})

/**
 * Shared by session.login, session.switchProfile, the tray and a soap.sign that needs a session
 * first. Refused before the user is asked when the privacy log is full; the sign-in counts as
 * done only once its record is on disk (otherwise the session is closed again).
 */
export async function loginWith(ctx: CallContext, profileId: string, method?: LoginMethod | 'iam-connect', mandateService?: string): Promise<void> {
  ctx.agent.audit.assertCanRecordUse()
  await signIn(ctx, profileId, method, mandateService)
  await recordedOrSignedOut(ctx)
}

/**
 * Wait until the session's login record (queued by the session's event) is on disk. When it
 * cannot be written, the token must not be used unlogged: sign out and report why.
 */
export async function recordedOrSignedOut(ctx: CallContext): Promise<void> {
  try {
    await ctx.agent.audit.durable()
  } catch (err) {
    await ctx.agent.session.logout('user').catch(() => undefined)
    throw err
  }
}

async function signIn(ctx: CallContext, profileId: string, method?: LoginMethod | 'iam-connect', mandateService?: string): Promise<void> {
  if (method === 'iam-connect') {
    // No card reader: the user signs in at IAM Connect in the browser (itsme, eID, TOTP) and the
    // token is exchanged for a SAML token bound to our key (IAM Connect sign-in; I.AM IDP v1.0, use
    // case ATH-UC-11-BF step 7).
    const { iamConnect } = ctx.agent
    // Loaded when first used: the OpenID Connect client (jose and its JOSE algorithms) is some
    // sixty modules an agent signing in with a keystore or the eID never needs.
    const { loginWithIamConnect } = await import('../../session/iam-connect/login-with-iam-connect.js')
    await loginWithIamConnect({
      session: ctx.agent.session,
      holderOfKey: iamConnect.holderOfKey(),
      issuer: iamConnect.issuer,
      profile: profileId,
      openUrl: iamConnect.openUrl,
      fetch: iamConnect.fetch,
      clock: ctx.agent.clock,
      client: promptContextOf(ctx.caller),
    })
    return
  }
  if (!isProfileId(profileId)) throw new AgentError('ERR_PROFILE_UNKNOWN', `unknown profile "${profileId.slice(0, 64)}"`, { profileId: profileId.slice(0, 64) })
  const profile = PROFILES[profileId]
  const keys = ctx.agent.keys.loginKeys(method ?? ctx.agent.keys.defaultMethod())
  await ctx.agent.session.login(
    {
      profile: { id: profile.id, label: profile.label },
      keys,
      client: promptContextOf(ctx.caller),
      claimsFor: (identification) => {
        const identity = identityFromCertificate(identification.certificate)
        if (mandateService) identity.mandateService = mandateService
        return claimsForProfile(profile.id, identity)
      },
    },
    // The caller going away (Ctrl-C) withdraws the prompt, unless another caller still waits.
    ctx.signal ? { signal: ctx.signal } : {},
  )
}
