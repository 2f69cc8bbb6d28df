/**
 * The JSON-RPC 2.0 API of ehealth-agent as data: message shapes, the server's decoder and
 * encoders, the client's encoder and decoder, and AgentError with its code table.
 * Browser-safe: clients import only this folder.
 *
 * @module
 */
export { decodeRequestBody, DEFAULT_DECODE_OPTIONS } from './decode-request.js'
export type { DecodedBody, DecodedItem, DecodeRequestOptions } from './decode-request.js'
export { decodeError, decodeResponse } from './decode-response.js'
export type { DecodedResponse } from './decode-response.js'
export { encodeRequest } from './encode-request.js'
export { encodeError, encodeReply, encodeSuccess } from './encode-response.js'
export { AgentError, codeForRpcNumber, ERROR_CODES, isAgentError } from '../errors.js'
export type { ErrorCode, ErrorData } from '../errors.js'
export { isNotification, JSONRPC_VERSION } from './json-rpc.js'
export type {
  JsonRpcErrorData,
  JsonRpcErrorObject,
  JsonRpcErrorResponse,
  JsonRpcId,
  JsonRpcNotification,
  JsonRpcParams,
  JsonRpcRequest,
  JsonRpcResponse,
  JsonRpcSuccess,
} from './json-rpc.js'
export { FORBIDDEN_PARAM_PATTERN, METHOD_NAMES, METHOD_PARAMS } from './methods.js'
export type { AuditRecord, ClientSummary, MethodName, MethodParams, MethodResults, ProgramSummary, SessionStatus, TokenSummary, UsePolicy } from './methods.js'
export { displayPairingCode, formatPairingCode, PAIRING_CODE_CONTEXT, PAIRING_NONCE_PATTERN, pairingCodeInput } from './pairing-code.js'
