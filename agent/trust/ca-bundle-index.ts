/**
 * The CA certificates the agent ships per real environment (files under ca-bundles/, sources in
 * ca-bundles/PROVENANCE.md), each with its DER SHA-256 fingerprint: the loader refuses a file that
 * does not hold the certificate listed here, so a swapped or damaged file is named at start-up
 * rather than trusted.
 */
import type { EnvironmentId } from '../../protocol/environments.js'

/** One certificate of a bundle. */
export interface CaBundleEntry {
  /** File name under `ca-bundles/<environment>/`. */
  file: string
  /** `X509Certificate.fingerprint256` of the certificate the file must hold. */
  sha256: string
}

const ZETES_001 = [
  { file: 'zetes-ehealth-issuing-ca-001.pem', sha256: '58:78:2D:D3:7C:99:7F:21:AF:20:E9:52:DE:87:15:C6:3B:CD:9D:2C:D3:EB:8A:C5:16:68:70:5F:FA:3B:1C:D2' },
  { file: 'zetes-root-ca-001.pem', sha256: 'D3:1C:02:42:4A:0D:23:87:74:33:A2:45:0C:DE:61:A1:C2:7D:C0:06:87:10:34:04:37:7C:4D:2A:47:1F:14:4F' },
] as const
const ZETES_002 = [
  { file: 'zetes-ehealth-issuing-ca-002.pem', sha256: '14:6F:90:E3:D3:8F:86:AD:91:AF:DD:35:BE:BF:5A:9E:F8:AD:26:CF:9C:0C:4B:5B:33:1A:38:A6:B4:72:76:E6' },
  { file: 'zetes-root-ca-002.pem', sha256: 'E6:5A:85:12:65:BD:24:47:34:4B:0B:89:5A:EB:9B:0C:0B:5E:27:B2:1F:04:01:1A:0E:53:E2:49:E3:12:6E:C7' },
] as const
const QUOVADIS_G2 = [
  { file: 'quovadis-trust-anchor-issuing-ca-g2.pem', sha256: 'B9:0D:AA:13:0B:12:E2:75:FF:CF:4F:EE:76:4B:C5:AF:0E:93:40:18:E5:9E:CA:F4:FC:72:00:A8:55:02:41:82' },
  { file: 'quovadis-trust-anchor-root-ca-g2.pem', sha256: 'A7:7B:97:3B:FF:1B:F6:F8:13:53:D2:2B:90:6F:D3:1E:5E:08:1A:54:78:FC:3C:30:FC:96:CC:57:86:3D:B7:77' },
] as const

/** The bundle of each real environment (ca-bundles/PROVENANCE.md says why each CA is there). */
export const CA_BUNDLE_INDEX: Readonly<Record<Exclude<EnvironmentId, 'sandbox'>, readonly CaBundleEntry[]>> = {
  prod: [...ZETES_001, ...ZETES_002],
  acc: [...ZETES_001, ...ZETES_002, ...QUOVADIS_G2],
  int: [...QUOVADIS_G2, ...ZETES_001, ...ZETES_002],
}
