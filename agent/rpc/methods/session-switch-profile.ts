import { summarizeSession } from '../../session/summarize-session.js'
import { defineMethod } from '../method-context.js'
import { loginWith } from './session-login.js'

/** `session.switchProfile {profile}`: a global logout, then a new login with that profile (eHealth I.AM IDP v1.0). */
export const sessionSwitchProfile = defineMethod({
  name: 'session.switchProfile',
  async handle(params, ctx) {
    await ctx.agent.session.logout('switch-profile')
    await loginWith(ctx, params.profile, undefined, params.mandateService)
    return summarizeSession(ctx.agent.session, ctx.agent.environment.label)
  },
})
