/**
 * The JavaScript client of ehealth-agent.
 *
 * @module
 */
export { AgentClient } from './agent-client.js'
export type { AgentClientOptions } from './agent-client.js'
export { connectToAgent } from './discover-agent.js'
export type { ConnectOptions } from './discover-agent.js'
export { AgentError, isAgentError } from '../../protocol/errors.js'
export type { ErrorCode } from '../../protocol/errors.js'
export type { MethodName, MethodParams, MethodResults } from '../../protocol/rpc/methods.js'
