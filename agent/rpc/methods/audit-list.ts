import { defineMethod } from '../method-context.js'

/** `audit.list {limit?, since?, method?}`: the privacy log, newest first (seed 003). */
export const auditList = defineMethod({
  name: 'audit.list',
  async handle(params, { agent }) {
    return { records: await agent.audit.list(params) }
  },
})
