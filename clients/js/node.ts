/**
 * The JavaScript client of ehealth-agent for Node: everything of the browser-safe entry
 * (`./index.js`), plus {@link connectToAgent}, which finds the local agent through its discovery
 * file (protocol/discovery) and signs in with the same user's local credential.
 *
 * @example
 * ```ts
 * import { connectToAgent } from './clients/js/node.js'
 * const agent = await connectToAgent()
 * const { envelope } = await agent.call('soap.sign', { envelope: unsigned })
 * ```
 *
 * @module
 */
export * from './index.js'
export { connectToAgent } from './discover-agent.js'
export type { ConnectOptions } from './discover-agent.js'
