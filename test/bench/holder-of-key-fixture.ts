import type { WsSecurityProfile } from '../../protocol/wssec/prepare-ws-security.js'
import { assertionInput, mintAssertion } from '../helpers/saml-fixtures.js'
import { createTestIdentity } from '../helpers/test-pki.js'

/**
 * A holder-of-key profile made for a measurement of the signing path: a test STS's SAML 1.1
 * assertion about a test certificate (whose key is `hok`), and an id source. The path copies the
 * assertion as it is, so its size, not its key, is what it costs. Used by the protocol-path
 * timing (protocol-path.ts) and by the `protocol-server` reference (reference-server-process.ts).
 */
export function holderOfKeyFixture() {
  const hok = createTestIdentity({ subject: [['CN', 'bench HOK'], ['C', 'BE']] })
  const sts = createTestIdentity({ subject: [['CN', 'bench STS'], ['C', 'BE']] })
  const input = assertionInput(new Date(), hok.certificateBase64)
  const profile: WsSecurityProfile = { kind: 'saml-hok', assertionXml: mintAssertion(sts, input), assertionId: input.assertionId }
  let n = 0
  const newId = (kind: string): string => `${kind}-${(++n).toString(16).padStart(12, '0')}`
  return { hok, profile, newId }
}
