import type { AgentConfig } from '../config.js'
import { TOKEN_FLAGS, type Pkcs11TokenInfo } from '../keys/pkcs11-binding.js'
import { makeCheck, type DoctorCheck } from './doctor-check.js'
import type { DoctorEnvironment } from './doctor-environment.js'
import { needsEid } from './choose-login-method.js'

const ID = 'tokens'

/**
 * Card readers with a card in them, through the PKCS#11 module (C_GetSlotList with tokens
 * present, C_GetTokenInfo; PKCS#11 v2.40 §5.5): which token, and whether its PIN is locked or on
 * its last try (threat T11: better to learn that here than at the PIN prompt). No PIN is asked.
 */
export function checkTokens(env: DoctorEnvironment, config: AgentConfig | undefined, modulePath: string | undefined): DoctorCheck {
  if (!config || !modulePath) return makeCheck(ID, 'warn', 'not checked: no PKCS#11 module (see the pkcs11-module check)', 'install the eID middleware to use the eID card')
  let present: Pkcs11TokenInfo[]
  try {
    const module = env.pkcs11.open(modulePath)
    try {
      present = module.listSlots().map((slot) => module.getTokenInfo(slot))
    } finally {
      module.release()
    }
  } catch (err) {
    return makeCheck(ID, 'fail', `the PKCS#11 module ${modulePath} could not be used: ${(err as Error).message}`, 'reinstall the eID middleware (and restart pcscd on Linux: systemctl restart pcscd)')
  }
  // An uninitialised token (a blank card, SoftHSM's spare slot) holds no keys: not a candidate.
  const infos = present.filter((t) => t.flags & TOKEN_FLAGS.CKF_TOKEN_INITIALIZED)
  const wanted = config.login.pkcs11TokenLabel
  const usable = wanted ? infos.filter((t) => t.label.trim() === wanted.trim()) : infos
  const names = infos.map((t) => `${t.label || '(no label)'}${t.serialNumber ? ` (serial ${t.serialNumber})` : ''}`).join(', ')
  if (usable.length === 0) {
    const detail = infos.length === 0 ? 'no card in any reader' : `no token labelled "${wanted}" (present: ${names})`
    return makeCheck(ID, needsEid(config) ? 'fail' : 'warn', detail, 'insert the eID card in the reader (check the reader with the eID Viewer), then run `ehagent doctor` again')
  }
  const token = usable[0]!
  if (token.flags & TOKEN_FLAGS.CKF_USER_PIN_LOCKED) return makeCheck(ID, 'fail', `the PIN of ${token.label} is locked`, 'unblock the card with its PUK at the municipality or with the eID software')
  if (token.flags & TOKEN_FLAGS.CKF_USER_PIN_FINAL_TRY) return makeCheck(ID, 'warn', `${token.label}: one PIN try left before the card locks`, 'type the PIN carefully at the next sign-in; the agent never retries it by itself')
  return makeCheck(ID, 'ok', `${infos.length} token${infos.length === 1 ? '' : 's'}: ${names}`)
}
