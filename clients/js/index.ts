/**
 * The JavaScript client of ehealth-agent, browser-safe: the fetch-based client and the typed
 * errors, nothing that needs Node (clients/js/browser-safe.test.ts checks it). In Node, import
 * `./node.js` instead: the same, plus finding the local agent and its credential.
 *
 * @module
 */
export { AgentClient } from './agent-client.js'
export type { AgentClientOptions } from './agent-client.js'
export { newPairingNonce, pairingCode } from './pairing-code.js'
export { displayPairingCode } from '../../protocol/rpc/pairing-code.js'
export { AgentError, isAgentError } from '../../protocol/errors.js'
export type { ErrorCode } from '../../protocol/errors.js'
export type { MethodName, MethodParams, MethodResults } from '../../protocol/rpc/methods.js'
