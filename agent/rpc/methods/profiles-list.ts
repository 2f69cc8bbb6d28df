import { listProfiles } from '../../../protocol/sts/profiles.js'
import { defineMethod } from '../method-context.js'

/**
 * `profiles.list`: the profiles one can sign in with (eHealth I.AM IDP v1.0: citizen, qualities,
 * organizations, mandate).
 */
export const profilesList = defineMethod({
  name: 'profiles.list',
  async handle() {
    return { profiles: listProfiles().map((p) => ({ id: p.id, label: p.label, kind: p.kind })) }
  },
})
