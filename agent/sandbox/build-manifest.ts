import { sandboxEnvironment } from '../../protocol/environments.js'
import { SANDBOX_MANIFEST_FORMAT, SANDBOX_MANIFEST_SCHEMA, SANDBOX_MANIFEST_VERSION, type SandboxManifest } from '../../protocol/sandbox-manifest.js'
import { IAM_CONNECT_REALM_PATH } from './oidc/iam-connect-paths.js'
import { SANDBOX_KEYSTORE_PASSWORD } from './pki/create-sandbox-pki.js'
import { MANIFEST_NOTICE } from './pki/manifest.js'
import type { SandboxState } from './sandbox-state.js'
import { SANDBOX_EID_PIN } from './softhsm.js'

/** The keystore an agent signs in with when its settings name none: the demo doctor's. */
const DEFAULT_KEYSTORE = 'doctor'

/**
 * What this sandbox publishes at `GET /sandbox/manifest` (protocol/sandbox-manifest.ts): its
 * endpoints at `baseUrl`, the STS certificate and the test CAs to trust, the keystores it issued
 * (with their public demo password, as `ehagent sandbox` prints them), and, with `--demo`, the
 * demo user and secrets. Checked against the schema before it leaves, so a sandbox change that
 * breaks the contract fails here rather than in the agent.
 */
export function buildSandboxManifest(state: SandboxState, baseUrl: string): SandboxManifest {
  const { pki } = state
  const environment = sandboxEnvironment(baseUrl)
  const demoPerson = state.options.demoPerson
  return SANDBOX_MANIFEST_SCHEMA.parse({
    format: SANDBOX_MANIFEST_FORMAT,
    version: SANDBOX_MANIFEST_VERSION,
    url: baseUrl,
    notice: MANIFEST_NOTICE,
    environment: {
      stsWsTrust: environment.stsWsTrust,
      stsSamlP: environment.stsSamlP,
      idpSso: environment.idpSso,
      iamConnectIssuer: baseUrl + IAM_CONNECT_REALM_PATH,
      services: environment.services,
    },
    trust: {
      stsCertificates: [pki.sts.certificatePem],
      caCertificates: [pki.ehealthCa, pki.belgiumRootCa, pki.citizenCa].map((ca) => ({ name: ca.name, pem: ca.certificatePem })),
    },
    keystores: Object.values(pki.keystores).map((k) => ({
      id: k.id,
      kind: k.kind,
      holder: k.holder,
      ...(k.ssin ? { ssin: k.ssin } : {}),
      p12Path: k.p12Path,
      alias: k.alias,
      password: k.password,
    })),
    defaultKeystore: DEFAULT_KEYSTORE,
    ...(demoPerson ? { demo: { person: demoPerson, keystorePassword: SANDBOX_KEYSTORE_PASSWORD, eidPin: SANDBOX_EID_PIN } } : {}),
  })
}
