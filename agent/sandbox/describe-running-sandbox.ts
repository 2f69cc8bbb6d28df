import { SANDBOX_MANIFEST_PATH } from '../../protocol/sandbox-manifest.js'
import { describeSandboxPki } from './pki/describe-sandbox-pki.js'
import type { RunningSandbox } from './server.js'

/**
 * The ready line a parent process waits for (`ehagent sandbox --json`): one line of JSON on
 * stdout once the port is listening, with where the sandbox is and where its manifest is.
 */
export function formatReadyLine(running: RunningSandbox, pid: number, fault: string | undefined): string {
  const e = running.environment
  return (
    JSON.stringify({
      ready: true,
      url: running.url,
      port: running.port,
      pid,
      manifest: running.url + SANDBOX_MANIFEST_PATH,
      demo: running.state.options.demoPerson !== undefined,
      environment: e,
      faults: fault ?? null,
      keystores: Object.values(running.state.pki.keystores).map((k) => ({ id: k.id, holder: k.holder, p12Path: k.p12Path, password: k.password, alias: k.alias })),
    }) + '\n'
  )
}

/**
 * What `ehagent sandbox` prints for a person: the endpoints, the manifest, and where the test
 * keystores and their public passwords are.
 */
export function describeRunningSandbox(running: RunningSandbox, fault: string | undefined): string {
  const e = running.environment
  const demo = running.state.options.demoPerson
  return [
    `ehealth-agent sandbox (simulated eHealth) on ${running.url}`,
    `  WS-Trust STS   ${e.stsWsTrust}`,
    `  SAML-P STS     ${e.stsSamlP}`,
    `  IDP SSO page   ${e.idpSso}`,
    `  HOK service    ${e.services.hokEcho}`,
    `  X.509 service  ${e.services.x509Echo}`,
    `  Manifest       ${running.url}${SANDBOX_MANIFEST_PATH}  (what an agent needs: ehagent start --env sandbox --sandbox-url ${running.url})`,
    fault ? `  Faults         ${fault}` : '',
    demo ? `  Demo           IAM Connect sign-ins are approved as the demo ${demo}, without pages` : '',
    '',
    describeSandboxPki(running.state.pki),
    '',
    'Stop with Ctrl-C.',
    '',
  ]
    .filter((line, i, all) => line !== '' || all[i - 1] !== '')
    .join('\n')
}
