/**
 * Shared strictness for the STS parsers: from text or an Element to the element to read, and
 * child lookups that refuse ambiguity (two RequestedSecurityToken elements is not "take the first").
 *
 * @module
 */
import { AgentError, isAgentError } from '../errors.js'
import { childElements, parseXml } from '../xml/index.js'
import { STS_NS } from './namespaces.js'

/** The element to read and, when known, the exact text its document was parsed from. */
export interface MessageSource {
  element: Element
  documentText: string | undefined
}

/**
 * Parse `source` when it is text (hardened parser; any failure becomes `ERR_REMOTE_PROTOCOL`
 * naming `what`), or take the Element as given.
 *
 * @example
 * ```ts
 * const { element, documentText } = readMessage('<wst:RequestSecurityTokenResponse …/>', undefined, 'the STS answer')
 * ```
 */
export function readMessage(source: string | Element, documentText: string | undefined, what: string): MessageSource {
  if (typeof source !== 'string') {
    if (!source || typeof source !== 'object' || (source as Node).nodeType !== 1) {
      throw remoteProtocol(`${what} is neither XML text nor an element`)
    }
    return { element: source, documentText }
  }
  try {
    const { root, text } = parseXml(source)
    return { element: root, documentText: text }
  } catch (err) {
    if (!isAgentError(err)) throw err
    throw new AgentError(
      'ERR_REMOTE_PROTOCOL',
      `${what} is not usable XML: ${err.message}`,
      { detail: err.message, xmlCode: err.code },
      { cause: err },
    )
  }
}

/**
 * The one child `ns:localName` of `parent`; none or several is `ERR_REMOTE_PROTOCOL`.
 *
 * @example
 * ```ts
 * const rst = onlyChild(rstr, STS_NS.wst, 'RequestedSecurityToken')
 * ```
 */
export function onlyChild(parent: Element, ns: string, localName: string): Element {
  const found = childElements(parent, ns, localName)
  if (found.length !== 1) {
    throw remoteProtocol(`${parent.localName} must contain exactly one ${localName}, found ${found.length}`)
  }
  return found[0]!
}

/**
 * The child `ns:localName` of `parent` if there is one; several is `ERR_REMOTE_PROTOCOL`.
 *
 * @example
 * ```ts
 * const lifetime = optionalChild(rst, STS_NS.wst, 'Lifetime')
 * ```
 */
export function optionalChild(parent: Element, ns: string, localName: string): Element | undefined {
  const found = childElements(parent, ns, localName)
  if (found.length > 1) throw remoteProtocol(`${parent.localName} contains ${found.length} ${localName} elements`)
  return found[0]
}

/**
 * Refuse `el` unless it is `{ns}localName`.
 *
 * @example
 * ```ts
 * expectElement(root, STS_NS.wst, 'RequestSecurityToken', 'an RST')
 * ```
 */
export function expectElement(el: Element, ns: string, localName: string, what: string): void {
  if (el.namespaceURI !== ns || el.localName !== localName) {
    throw remoteProtocol(`expected ${what} ({${ns}}${localName}), found {${el.namespaceURI ?? ''}}${el.localName}`)
  }
}

/**
 * The `Context` attribute: unqualified as EC, EG and JS write it, or wst-qualified as TC's
 * `setAttributeNS` does (`STSServiceWsTrustImpl`). Both present and different is refused.
 *
 * @example
 * ```ts
 * readContext(rstr) // 'context-2b1e…' or undefined
 * ```
 */
export function readContext(el: Element): string | undefined {
  const plain = el.hasAttribute('Context') ? el.getAttribute('Context')! : undefined
  const qualified = el.hasAttributeNS(STS_NS.wst, 'Context') ? el.getAttributeNS(STS_NS.wst, 'Context')! : undefined
  if (plain !== undefined && qualified !== undefined && plain !== qualified) {
    throw remoteProtocol(`${el.localName} carries two different Context attributes`)
  }
  return plain ?? qualified
}

/**
 * An `ERR_REMOTE_PROTOCOL` error whose `data.detail` repeats the message.
 *
 * @example
 * ```ts
 * throw remoteProtocol('the RSTR has neither a token nor a challenge')
 * ```
 */
export function remoteProtocol(detail: string): AgentError {
  return new AgentError('ERR_REMOTE_PROTOCOL', `the STS message is not what WS-Trust expects: ${detail}`, { detail })
}
