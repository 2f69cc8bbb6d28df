import forge from 'node-forge'

/**
 * Build a PKCS#12 keystore (RFC 7292) with several aliased entries, as the eHealth keystore has
 * (`authentication` plus encryption keys named by serial number). forge's toPkcs12Asn1 writes one
 * key per file, so each entry is built on its own and their SafeContents are joined into one
 * AuthenticatedSafe under one MAC (RFC 7292 §5.1 and appendix B, HMAC-SHA1 as Java and forge do).
 */

export interface Pkcs12EntryInput {
  alias: string
  privateKeyPem: string
  /** The entry's certificate first, then its chain. */
  certificatePems: string[]
}

export interface BuildPkcs12Options {
  /** forge's key encryption; '3des' is what Java keytool's PKCS#12 traditionally writes. */
  algorithm?: 'aes128' | 'aes256' | '3des'
  useMac?: boolean
  count?: number
}

export function buildPkcs12(entries: Pkcs12EntryInput[], password: string, options: BuildPkcs12Options = {}): Buffer {
  const { asn1, pki } = forge
  const contentInfos: forge.asn1.Asn1[] = []
  entries.forEach((entry, index) => {
    const pfx = forge.pkcs12.toPkcs12Asn1(
      pki.privateKeyFromPem(entry.privateKeyPem),
      entry.certificatePems.map((pem) => pki.certificateFromPem(pem)),
      password,
      {
        algorithm: options.algorithm ?? 'aes256',
        useMac: false,
        count: options.count ?? 2048,
        friendlyName: entry.alias,
        // Distinct per entry, so each key pairs with its own certificate by localKeyId.
        localKeyId: (index + 1).toString(16).padStart(2, '0').repeat(4),
      },
    )
    // PFX ::= SEQUENCE { version, authSafe ContentInfo, macData? }; authSafe's content is the
    // DER of AuthenticatedSafe ::= SEQUENCE OF ContentInfo, inside [0] OCTET STRING.
    const authSafe = (pfx.value as forge.asn1.Asn1[])[1]!
    const octets = ((authSafe.value as forge.asn1.Asn1[])[1]!.value as forge.asn1.Asn1[])[0]!.value as string
    const safe = asn1.fromDer(octets)
    contentInfos.push(...(safe.value as forge.asn1.Asn1[]))
  })

  const safe = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, contentInfos)
  const safeDer = asn1.toDer(safe).getBytes()
  let macData: forge.asn1.Asn1 | undefined
  if (options.useMac ?? true) {
    const count = options.count ?? 2048
    const salt = forge.random.getBytesSync(8)
    const key = forge.pkcs12.generateKey(password, forge.util.createBuffer(salt), 3, count, 20)
    const hmac = forge.hmac.create()
    hmac.start('sha1', key.getBytes())
    hmac.update(safeDer)
    macData = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
          asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(pki.oids.sha1!).getBytes()),
          asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
        ]),
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, hmac.digest().getBytes()),
      ]),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, salt),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(count).getBytes()),
    ])
  }
  const pfx = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(3).getBytes()),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(pki.oids.data!).getBytes()),
      asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, safeDer)]),
    ]),
    ...(macData ? [macData] : []),
  ])
  return Buffer.from(asn1.toDer(pfx).getBytes(), 'binary')
}
