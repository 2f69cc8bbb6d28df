import { defineMethod } from '../method-context.js'

/**
 * `audit.list {limit?, from?, to?, client?, event?, method?, outcome?}`: the privacy log (seed
 * 003), newest first, across the live file and the compressed older ones; `from`/`to` are
 * inclusive ISO 8601 times (`since` is the older name of `from`), `client` a client's id or
 * name. Stops reading as soon as `limit` records matched (default 100, at most 1000).
 */
export const auditList = defineMethod({
  name: 'audit.list',
  async handle(params, { agent }) {
    return { records: await agent.audit.list(params) }
  },
})
