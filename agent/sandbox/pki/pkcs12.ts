/**
 * eHealth PKCS#12 keystores as the real ones are used (TC `SessionManagerImpl`, EC
 * `EHealthKeyStore`, egelke/eHI `EHealthP12.cs`): one password protects both the store and the key,
 * and the authentication key and its certificate carry the friendly name (alias) `authentication`,
 * which TC, ICURE and EG look up by name.
 */
import { createPrivateKey } from 'node:crypto'
import forge from 'node-forge'
import { certifiedKey, type CertifiedKey } from './issue-certificate.js'

export const EHEALTH_KEYSTORE_ALIAS = 'authentication'

/**
 * DER bytes of a keystore holding `key` under `alias`, followed by the CA certificates of `chain`.
 * AES-256 (PBES2) for the key bag, which OpenSSL 3, Java and .NET read without legacy providers.
 */
export function buildPkcs12(key: CertifiedKey, chain: readonly CertifiedKey[], password: string, alias = EHEALTH_KEYSTORE_ALIAS): Buffer {
  const asn1 = forge.pkcs12.toPkcs12Asn1(
    forge.pki.privateKeyFromPem(key.privateKeyPem),
    [key.certificatePem, ...chain.map((c) => c.certificatePem)].map((pem) => forge.pki.certificateFromPem(pem)),
    password,
    { algorithm: 'aes256', friendlyName: alias, generateLocalKeyId: true, count: 2048 },
  )
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary')
}

/** The key and certificate stored under `alias`; throws when the password is wrong or the alias is absent. */
export function readPkcs12(der: Buffer, password: string, alias = EHEALTH_KEYSTORE_ALIAS): CertifiedKey {
  const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der.toString('binary')), true, password)
  // forge files bags found by friendlyName under the key `friendlyName`, whatever their type.
  const bags = p12.getBags({ friendlyName: alias }).friendlyName ?? []
  const keyBag = bags.find((b) => b.type === forge.pki.oids.pkcs8ShroudedKeyBag || b.type === forge.pki.oids.keyBag)
  const certBag = bags.find((b) => b.type === forge.pki.oids.certBag)
  if (!keyBag?.key || !certBag?.cert) throw new Error(`the keystore has no key and certificate under the alias "${alias}"`)
  const keyPem = forge.pki.privateKeyInfoToPem(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(keyBag.key)))
  return certifiedKey(createPrivateKey(keyPem), forge.pki.certificateToPem(certBag.cert))
}
