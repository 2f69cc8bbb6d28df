import { listProfiles } from '../../../protocol/sts/profiles.js'
import { defineMethod } from '../method-context.js'

/** `profiles.list`: the profiles one can sign in with (seed 002: citizen, qualities, organizations, mandate). */
export const profilesList = defineMethod({
  name: 'profiles.list',
  async handle() {
    return { profiles: listProfiles().map((p) => ({ id: p.id, label: p.label, kind: p.kind })) }
  },
})
