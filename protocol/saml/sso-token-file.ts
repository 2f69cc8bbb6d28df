/**
 * The `.ehtoken` file: an STS token as the IDP's fat-client SSO page hands it to the browser
 * (I.AM fat-client SSO spec v1.0 §5.2, steps 4-5), for the agent to import.
 *
 * The real eHealth download format is not public, so this one is ours,
 * shared by the sandbox IDP (which writes it) and the agent (which reads it):
 *
 * ```xml
 * <?xml version="1.0" encoding="UTF-8"?>
 * <ehtoken:SessionToken xmlns:ehtoken="urn:ehealth-agent:sso-token:v1" version="1"
 *     environment="sandbox" profile="doctor" issued="2025-01-10T09:00:01.123Z">
 * <ehtoken:Assertion><Assertion xmlns="urn:oasis:names:tc:SAML:1.0:assertion" …>…</Assertion></ehtoken:Assertion>
 * </ehtoken:SessionToken>
 * ```
 *
 * The assertion is carried as XML, verbatim: it is signed by the STS and is later copied into
 * WS-Security headers, so it is never escaped, re-serialized or re-encoded. The wrapper's
 * attributes are labels for the importer (which environment's trust to check it against, which
 * profile to show); they are not signed and prove nothing: the importer still runs
 * `checkAssertion` (trusted STS signature, validity window, HOK certificate = its own).
 *
 * @module
 */
import { ENVIRONMENT_IDS, isEnvironmentId, type EnvironmentId } from '../environments.js'
import { DEFAULT_XML_LIMITS, childElements, extractElementText, parseXml, type ParsedXml } from '../xml/index.js'
import { SAML_NAMESPACES } from './names.js'
import { readDateTime, samlInvalid } from './read-xml.js'
import { cannotBuild, writeDateTime } from './write-xml.js'

/**
 * The fixed names of the `.ehtoken` format: its XML namespace and version, the HTTP content type
 * the IDP serves it with, and the file extension.
 *
 * @example
 * ```ts
 * new Response(file, { headers: { 'Content-Type': SSO_TOKEN_FILE.contentType } })
 * ```
 */
export const SSO_TOKEN_FILE = {
  namespace: 'urn:ehealth-agent:sso-token:v1',
  version: '1',
  contentType: 'application/vnd.ehealth-agent.sso-token+xml',
  extension: '.ehtoken',
} as const

/** The content of an `.ehtoken` file. */
export interface SsoTokenFile {
  /** The saml:Assertion as a standalone document, exactly as the STS signed it. */
  assertionXml: string
  /** The environment whose STS issued the token (its trust anchors check it). */
  environment: EnvironmentId
  /** The profile the user chose at the IDP, a profile id such as `doctor` or `org:hospital`. */
  profile: string
  /** When the IDP obtained the token. Informational: the assertion's Conditions decide validity. */
  issued: Date
}

const NS = SSO_TOKEN_FILE.namespace
const SAML = SAML_NAMESPACES.assertion
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/'
const ATTRIBUTES = ['version', 'environment', 'profile', 'issued'] as const
// The profile ids of protocol/sts/profiles.ts: `citizen`, `doctor`, `org:hospital`, `mandate`.
// Shape only: which profiles exist is the importer's business, not the file format's.
const PROFILE = /^[a-z][a-z0-9]{0,31}(?::[a-z][a-z0-9]{0,31})?$/
const ELEMENT = 1
const TEXT = 3
// An STS assertion is a few kilobytes; a file a hundred times larger is not a token.
const FILE_LIMITS = { ...DEFAULT_XML_LIMITS, maxLength: 1024 * 1024 }

/**
 * Write an `.ehtoken` file. The assertion must be one saml:Assertion document (an XML declaration
 * around it is dropped); its element text is inserted unchanged.
 *
 * @throws AgentError `ERR_SAML_INVALID` when the assertion is not a saml:Assertion, the
 * environment is unknown, the profile is not a profile id, or `issued` is not a valid date.
 *
 * @example
 * ```ts
 * const file = buildSsoTokenFile({ assertionXml, environment: 'sandbox', profile: 'doctor', issued: now })
 * // served as SSO_TOKEN_FILE.contentType, attachment; filename=ssoTokenFileName('doctor')
 * ```
 */
export function buildSsoTokenFile(input: SsoTokenFile): string {
  if (!isEnvironmentId(input.environment)) throw cannotBuild(`environment must be one of ${ENVIRONMENT_IDS.join(', ')}`)
  if (typeof input.profile !== 'string' || !PROFILE.test(input.profile)) throw cannotBuild('profile is not a profile id such as "doctor" or "org:hospital"')
  const issued = writeDateTime(input.issued, 'issued')
  let parsed: ParsedXml
  try {
    parsed = parseXml(input.assertionXml, DEFAULT_XML_LIMITS, 1)
  } catch {
    throw cannotBuild('assertionXml is not well-formed XML')
  }
  if (parsed.root.namespaceURI !== SAML || parsed.root.localName !== 'Assertion') throw cannotBuild('assertionXml is not a saml:Assertion')
  // The element's own characters: an XML declaration cannot appear inside another document.
  const span = parsed.spans[0]!
  const assertion = input.assertionXml.slice(span.start, span.end)
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<ehtoken:SessionToken xmlns:ehtoken="${NS}" version="${SSO_TOKEN_FILE.version}" environment="${input.environment}"` +
    ` profile="${input.profile}" issued="${issued}">\n` +
    `<ehtoken:Assertion>${assertion}</ehtoken:Assertion>\n` +
    `</ehtoken:SessionToken>\n`
  )
}

/**
 * Read an `.ehtoken` file. The returned `assertionXml` is the exact text of the saml:Assertion
 * in the file (plus, only if it relies on them, namespace declarations it inherits from the
 * wrapper), ready for `checkAssertion`; nothing about the assertion is checked here.
 *
 * Anything but the format above is refused: another root or namespace, another `version`, an
 * unknown environment, a malformed profile or date, an attribute or element the format does not
 * have, text or comments between its elements, no assertion or more than one. The hardened
 * parser's limits apply (no DTD, depth), with a 1 MiB size limit.
 *
 * @throws AgentError `ERR_SAML_INVALID` (with `data.detail`) for a file that is not an `.ehtoken`;
 * `ERR_XML_*` for input that is not acceptable XML at all.
 *
 * @example
 * ```ts
 * const file = parseSsoTokenFile(await readFile(path, 'utf8'))
 * if (file.environment !== current.id) throw new Error('token from another environment')
 * const token = checkAssertion(file.assertionXml, { trustedSigners, now, expectedHokCertificateBase64 })
 * ```
 */
export function parseSsoTokenFile(text: string): SsoTokenFile {
  const { root } = parseXml(text, FILE_LIMITS, 1)
  if (root.namespaceURI !== NS || root.localName !== 'SessionToken') throw samlInvalid('the document is not an .ehtoken file (ehtoken:SessionToken)')
  checkAttributes(root, ATTRIBUTES)
  const version = root.getAttribute('version')
  if (version !== SSO_TOKEN_FILE.version) throw samlInvalid(`unsupported .ehtoken version "${(version ?? '').slice(0, 20)}"`)
  const environment = root.getAttribute('environment') ?? ''
  if (!isEnvironmentId(environment)) throw samlInvalid(`unknown environment "${environment.slice(0, 40)}" in the .ehtoken file`)
  const profile = root.getAttribute('profile') ?? ''
  if (!PROFILE.test(profile)) throw samlInvalid('the profile of the .ehtoken file is not a profile id')
  const issued = readDateTime(root, 'issued')

  const wrapper = onlyElementChild(root, 'ehtoken:SessionToken')
  if (wrapper.namespaceURI !== NS || wrapper.localName !== 'Assertion') throw samlInvalid('ehtoken:SessionToken must contain one ehtoken:Assertion')
  checkAttributes(wrapper, [])
  const assertion = onlyElementChild(wrapper, 'ehtoken:Assertion')
  if (assertion.namespaceURI !== SAML || assertion.localName !== 'Assertion') throw samlInvalid('ehtoken:Assertion must contain one saml:Assertion')
  return { assertionXml: extractElementText(assertion, text), environment, profile, issued }
}

/**
 * The file name the IDP offers for a token: `session-<profile>.ehtoken`, the `:` of an
 * organization profile written `-` (Windows file names cannot hold it).
 *
 * @example
 * ```ts
 * ssoTokenFileName('doctor') // 'session-doctor.ehtoken'
 * ssoTokenFileName('org:hospital') // 'session-org-hospital.ehtoken'
 * ```
 */
export function ssoTokenFileName(profile: string): string {
  if (typeof profile !== 'string' || !PROFILE.test(profile)) throw cannotBuild('profile is not a profile id such as "doctor" or "org:hospital"')
  return `session-${profile.replace(':', '-')}${SSO_TOKEN_FILE.extension}`
}

/** Only namespace declarations and the named unqualified attributes. */
function checkAttributes(el: Element, allowed: readonly string[]): void {
  const attrs = el.attributes
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs[i]!
    if (a.namespaceURI === XMLNS_NS) continue
    if (a.namespaceURI || !allowed.includes(a.localName ?? a.name)) throw samlInvalid(`unexpected attribute ${a.name.slice(0, 60)} on ${el.nodeName}`)
  }
}

/** The one child element of `el`; any other content but whitespace is refused. */
function onlyElementChild(el: Element, what: string): Element {
  const elements = childElements(el)
  if (elements.length !== 1) throw samlInvalid(`${what} must contain exactly one element, found ${elements.length}`)
  const kids = el.childNodes
  for (let i = 0; i < kids.length; i++) {
    const n = kids[i]!
    if (n.nodeType === ELEMENT) continue
    if (n.nodeType === TEXT && !/\S/.test((n as CharacterData).data)) continue
    throw samlInvalid(`${what} holds content other than its element`)
  }
  return elements[0]!
}
