import type { SamlAssertion } from '../../protocol/saml/parse-assertion.js'

/**
 * The signed-in person or organization, for the tray ("signed in as Jan Peeters") and the status
 * page: the certified given name and surname when the token has them, else the CN of the
 * subject, else the subject as it is.
 */
export function holderName(assertion: SamlAssertion): string {
  const value = (suffix: string) => assertion.attributes.find((a) => a.name.endsWith(suffix))?.values[0]?.trim()
  const given = value(':givenname')
  const surname = value(':surname')
  if (given || surname) return [given, surname].filter(Boolean).join(' ')
  const subject = assertion.nameIdentifier.value
  const cn = /(?:^|,\s*)CN=("(?:[^"\\]|\\.)*"|[^,]*)/i.exec(subject)?.[1]
  if (cn) return cn.replace(/^"|"$/g, '').replace(/\\(.)/g, '$1').trim()
  return subject
}
