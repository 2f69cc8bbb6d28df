import type { RunningAgent } from '../../../agent/start-agent.js'
import { wantsJson, type CliContext } from '../cli-context.js'

/**
 * What a newcomer needs to see the agent work: where it is, who the demo user is, a curl line.
 * With --json, one JSON line a supervising script can read instead (never the credential itself).
 */
export function printBanner(ctx: CliContext, agent: RunningAgent, demo: boolean, stateDir: string | undefined): void {
  if (wantsJson(ctx)) {
    const sandbox = agent.sandbox
      ? { url: agent.sandbox.url, idpSso: agent.sandbox.environment.idpSso, keystore: agent.sandbox.state.pki.keystores.doctor.p12Path }
      : undefined
    ctx.stdout.write(
      JSON.stringify({ url: agent.url, port: agent.port, environment: agent.services.environment.id, credentialFile: agent.credentialFile, demo, ...(sandbox ? { sandbox } : {}) }) + '\n',
    )
    return
  }
  const lines: string[] = ['', `ehealth-agent ${ctx.version} is running`, `  API          ${agent.url}/rpc  (JSON-RPC 2.0, loopback only)`]
  lines.push(`  Environment  ${agent.services.environment.label}`)
  if (agent.sandbox) {
    const ks = agent.sandbox.state.pki.keystores.doctor
    lines.push(`  Sandbox      ${agent.sandbox.url}  (simulated eHealth; IDP page ${agent.sandbox.environment.idpSso})`)
    lines.push(`  Demo user    ${ks.holder}, doctor, SSIN ${ks.ssin}`)
    lines.push(`  Keystore     ${ks.p12Path}`)
    lines.push(`  Password     ${ks.password}   (demo eID PIN: 1234)`)
    lines.push(demo ? '  Prompts      answered automatically (--demo)' : '  Prompts      asked here, in this terminal, when an application signs in')
  }
  const sd = stateDir ? ` --state-dir ${stateDir}` : ''
  lines.push(
    '',
    'Try it from another terminal:',
    `  npx ehagent status${sd}`,
    `  curl -s ${agent.url}/rpc -H 'Content-Type: application/json' \\`,
    `    -H "Authorization: Bearer $(cat '${agent.credentialFile}')" \\`,
    `    -d '{"jsonrpc":"2.0","id":1,"method":"session.status"}'`,
    '',
    'Stop with Ctrl-C.',
    '',
  )
  ctx.stdout.write(lines.join('\n'))
}
