import { createPrivateKey, type KeyObject } from 'node:crypto'
import forge from 'node-forge'
import { AgentError } from '../../protocol/errors.js'
import { AUTHENTICATION_ALIAS } from './authentication-alias.js'

/**
 * Decrypt one entry of a PKCS#12 keystore (RFC 7292) with node-forge and hand its key to
 * node:crypto at once, so no forge object outlives this call.
 *
 * The eHealth keystore holds the authentication key under the alias `authentication` and the
 * encryption keys under their certificates' decimal serial numbers; only the former signs
 * (protocol §7). Aliases are PKCS#9 friendlyName attributes on the bags (RFC 7292 §4.2).
 */

export { AUTHENTICATION_ALIAS }

export interface Pkcs12Entry {
  privateKey: KeyObject
  certificateDer: Buffer
}

export function openPkcs12(bytes: Uint8Array, password: string, alias: string = AUTHENTICATION_ALIAS): Pkcs12Entry {
  const pfx = decryptPfx(bytes, password)
  const wanted = alias.toLowerCase()
  const bags = pfx.safeContents.flatMap((contents) => contents.safeBags)
  const keyBag = bags.find((bag) => isKeyBag(bag) && friendlyNamesOf(bag).some((name) => name.toLowerCase() === wanted))
  if (!keyBag) {
    const aliases = [...new Set(bags.filter(isKeyBag).flatMap(friendlyNamesOf))]
    throw new AgentError('ERR_KEY_NOT_FOUND', `the keystore has no entry "${alias}"`, { alias, aliases })
  }
  const certBag = findCertificateBag(bags, keyBag, wanted)
  if (!certBag?.cert) {
    throw new AgentError('ERR_KEY_NOT_FOUND', `the keystore has no certificate for the entry "${alias}"`, { alias })
  }
  const certificateDer = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(certBag.cert)).getBytes(), 'binary')
  return { privateKey: toKeyObject(keyBag), certificateDer }
}

function decryptPfx(bytes: Uint8Array, password: string): forge.pkcs12.Pkcs12Pfx {
  let asn1: forge.asn1.Asn1
  try {
    asn1 = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(bytes).toString('binary')))
  } catch (cause) {
    throw new AgentError('ERR_KEY_SOURCE', 'the keystore file is not a PKCS#12 keystore', { detail: 'not PKCS#12 (DER)' }, { cause })
  }
  try {
    // strict=false: Java keytool writes BER lengths forge's strict mode refuses.
    return forge.pkcs12.pkcs12FromAsn1(asn1, false, password)
  } catch (cause) {
    // With a MAC (every Java and OpenSSL keystore) a wrong password fails the MAC check; without
    // one it fails while decoding decrypted garbage. Both mean: wrong password. Only a bag type
    // forge cannot read is a different problem.
    if (cause instanceof Error && /unsupported/i.test(cause.message)) {
      throw new AgentError('ERR_KEY_SOURCE', 'the keystore holds content this agent cannot read', { detail: 'unsupported PKCS#12 content' }, { cause })
    }
    throw new AgentError('ERR_PASSWORD_INCORRECT', undefined, {}, { cause })
  }
}

function isKeyBag(bag: forge.pkcs12.Bag): boolean {
  return bag.type === forge.pki.oids.pkcs8ShroudedKeyBag || bag.type === forge.pki.oids.keyBag
}

function friendlyNamesOf(bag: forge.pkcs12.Bag): string[] {
  const names: unknown = (bag.attributes as Record<string, unknown>).friendlyName
  return Array.isArray(names) ? names.filter((name): name is string => typeof name === 'string') : []
}

function localKeyIdsOf(bag: forge.pkcs12.Bag): string[] {
  const ids: unknown = (bag.attributes as Record<string, unknown>).localKeyId
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : []
}

/** The key's certificate: same localKeyId (RFC 7292 §4.2; what Java and OpenSSL write), else same alias. */
function findCertificateBag(bags: forge.pkcs12.Bag[], keyBag: forge.pkcs12.Bag, wanted: string): forge.pkcs12.Bag | undefined {
  const certBags = bags.filter((bag) => bag.type === forge.pki.oids.certBag)
  const keyIds = localKeyIdsOf(keyBag)
  return (
    certBags.find((bag) => localKeyIdsOf(bag).some((id) => keyIds.includes(id))) ??
    certBags.find((bag) => friendlyNamesOf(bag).some((name) => name.toLowerCase() === wanted))
  )
}

/** PKCS#8 DER → KeyObject; the DER copy is zeroed, the forge key is left to the caller's scope. */
function toKeyObject(bag: forge.pkcs12.Bag): KeyObject {
  // forge decodes RSA keys into bag.key; other key types stay as PrivateKeyInfo ASN.1 in bag.asn1.
  const privateKeyInfo = bag.key
    ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key))
    : bag.asn1
  const der = Buffer.from(forge.asn1.toDer(privateKeyInfo).getBytes(), 'binary')
  try {
    const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
    if (key.asymmetricKeyType !== 'rsa') {
      throw new AgentError('ERR_KEY_SOURCE', `the keystore key is ${key.asymmetricKeyType ?? 'unknown'}, only RSA is supported`, { detail: 'unsupported key type' })
    }
    return key
  } finally {
    der.fill(0)
  }
}
