import type { ErrorCode } from '../../protocol/errors.js'

/**
 * Documented exit codes of `ehagent` (README): scripts can tell what went wrong without parsing
 * text.
 */
export const EXIT_CODES = {
  ok: 0,
  error: 1,
  usage: 2,
  notSignedIn: 3,
  agentNotRunning: 4,
  cancelled: 5,
  ehealthRefused: 6,
  invalidInput: 7,
  config: 8,
} as const

export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'ERR_NOT_LOGGED_IN':
    case 'ERR_TOKEN_EXPIRED':
    case 'ERR_UNAUTHORIZED':
    case 'ERR_PIN_INCORRECT':
    case 'ERR_PIN_LOCKED':
    case 'ERR_PASSWORD_INCORRECT':
      return EXIT_CODES.notSignedIn
    // Not ERR_NETWORK: that is eHealth out of reach, not the local agent.
    case 'ERR_AGENT_UNREACHABLE':
      return EXIT_CODES.agentNotRunning
    case 'ERR_USER_CANCELLED':
    case 'ERR_USER_TIMEOUT':
      return EXIT_CODES.cancelled
    case 'ERR_STS_REJECTED':
    case 'ERR_SERVICE_FAULT':
      return EXIT_CODES.ehealthRefused
    case 'ERR_INVALID_PARAMS':
    case 'ERR_SOAP_INVALID':
    case 'ERR_SOAP_ALREADY_SIGNED':
    case 'ERR_XML_MALFORMED':
    case 'ERR_XML_DTD_FORBIDDEN':
    case 'ERR_XML_TOO_LARGE':
    case 'ERR_XML_TOO_DEEP':
    case 'ERR_XML_DUPLICATE_ID':
    case 'ERR_SAML_INVALID':
      return EXIT_CODES.invalidInput
    case 'ERR_CONFIG_INVALID':
    case 'ERR_POLICY_INVALID':
    case 'ERR_SETTING_LOCKED':
      return EXIT_CODES.config
    default:
      return EXIT_CODES.error
  }
}
