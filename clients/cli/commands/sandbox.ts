import { resolvePaths } from '../../../protocol/discovery/resolve-paths.js'
import { describeSandboxPki } from '../../../agent/sandbox/pki/describe-sandbox-pki.js'
import { parseFaultSpec } from '../../../agent/sandbox/parse-fault-spec.js'
import { startSandbox } from '../../../agent/sandbox/server.js'
import { optionPort, optionString, wantsJson, type Command } from '../cli-context.js'
import { EXIT_CODES } from '../exit-codes.js'

/**
 * `ehagent sandbox [--port N] [--state-dir DIR] [--fault SPEC]`: serve the embedded eHealth
 * sandbox alone on 127.0.0.1, for integrators testing their own client, and print what it serves
 * and where its test keystores and passwords are.
 */
export const sandbox: Command = async (ctx) => {
  const paths = resolvePaths(optionString(ctx, 'state-dir'), ctx.pathContext)
  const running = await startSandbox({ stateDir: paths.sandboxDir, port: optionPort(ctx) ?? 4753 })
  const fault = optionString(ctx, 'fault')
  if (fault) parseFaultSpec(fault, running.state.faults)
  const e = running.environment
  if (wantsJson(ctx)) {
    ctx.stdout.write(JSON.stringify({ url: running.url, environment: e, faults: fault ?? null, keystores: Object.values(running.state.pki.keystores).map((k) => ({ id: k.id, holder: k.holder, p12Path: k.p12Path, password: k.password, alias: k.alias })) }) + '\n')
    await ctx.stopSignal
    await running.close()
    return EXIT_CODES.ok
  }
  ctx.stdout.write(
    [
      `ehealth-agent sandbox (simulated eHealth) on ${running.url}`,
      `  WS-Trust STS   ${e.stsWsTrust}`,
      `  SAML-P STS     ${e.stsSamlP}`,
      `  IDP SSO page   ${e.idpSso}`,
      `  HOK service    ${e.services.hokEcho}`,
      `  X.509 service  ${e.services.x509Echo}`,
      fault ? `  Faults         ${fault}` : '',
      '',
      describeSandboxPki(running.state.pki),
      '',
      'Stop with Ctrl-C.',
      '',
    ].join('\n'),
  )
  await ctx.stopSignal
  await running.close()
  return EXIT_CODES.ok
}
