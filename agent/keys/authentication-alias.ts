/**
 * The alias of the eHealth authentication entry of a PKCS#12 keystore (protocol §7: TC, ICURE
 * and EG all use it). A file of its own so that naming it does not load the keystore reader
 * (open-pkcs12.ts, and node-forge with it) before the first sign-in.
 */
export const AUTHENTICATION_ALIAS = 'authentication'
