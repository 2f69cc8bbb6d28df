/**
 * Guards for strings the STS builders write into XML.
 *
 * @module
 */
import { AgentError } from '../errors.js'
import { isXmlText } from '../xsd/index.js'

/**
 * Refuse (with `ERR_INVALID_PARAMS`, naming `what`) a value that is not a non-empty string of
 * XML 1.0 characters. Markup characters are fine: the builders escape them.
 *
 * @example
 * ```ts
 * checkXmlText('RC-1', 'context') // ok
 * checkXmlText('a\u0000b', 'context') // throws ERR_INVALID_PARAMS
 * ```
 */
export function checkXmlText(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw invalidParam(what, `${what} must be a non-empty string`)
  }
  // XML 1.0 §2.2: escaping cannot save a NUL, a C0 control or a lone surrogate.
  if (!isXmlText(value)) throw invalidParam(what, `${what} contains characters XML cannot carry`)
}

/**
 * Refuse a value that is not a URI-like token: non-empty, XML characters, no whitespace.
 * A claim URI with a stray space would be a different claim to the STS.
 *
 * @example
 * ```ts
 * checkUri('urn:be:fgov:person:ssin', 'claim URI') // ok
 * checkUri('urn:be:fgov:person:ssin ', 'claim URI') // throws ERR_INVALID_PARAMS
 * ```
 */
export function checkUri(value: unknown, what: string): asserts value is string {
  checkXmlText(value, what)
  if (/\s/.test(value)) throw invalidParam(what, `${what} "${value.slice(0, 120)}" contains whitespace`)
}

/**
 * An `ERR_INVALID_PARAMS` error with one issue.
 *
 * @example
 * ```ts
 * throw invalidParam('context', 'context must be a non-empty string')
 * ```
 */
export function invalidParam(path: string, message: string): AgentError {
  return new AgentError('ERR_INVALID_PARAMS', message, { issues: [{ path, message }] })
}
