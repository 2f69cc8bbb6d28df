import type { RunningAgent } from './start-agent-options.js'

/** How the banner is printed. */
export interface BannerOptions {
  /** One line of JSON instead of text (`ehagent start --json`). */
  json: boolean
  version: string
  demo: boolean
  stateDir: string | undefined
}

/**
 * What a newcomer needs to see the agent work: where it is, who the demo user is, a curl line.
 * With --json, one JSON line a supervising script can read instead (never the credential itself).
 */
export function printBanner(out: NodeJS.WritableStream, agent: RunningAgent, options: BannerOptions): void {
  const link = agent.sandbox
  const manifest = link?.manifest
  const keystore = manifest?.keystores.find((k) => k.id === manifest.defaultKeystore)
  if (options.json) {
    const sandbox = link && manifest ? { url: link.url, idpSso: manifest.environment.idpSso, keystore: keystore?.p12Path, ...(link.pid !== undefined ? { pid: link.pid } : {}) } : undefined
    out.write(
      JSON.stringify({
        url: agent.url,
        port: agent.port,
        environment: agent.services.environment.id,
        credentialFile: agent.credentialFile,
        demo: options.demo,
        ...(agent.proxy ? { proxy: agent.proxy } : {}),
        ...(sandbox ? { sandbox } : {}),
      }) + '\n',
    )
    return
  }
  const lines: string[] = ['', `ehealth-agent ${options.version} is running`, `  API          ${agent.url}/rpc  (JSON-RPC 2.0, loopback only)`]
  lines.push(`  Environment  ${agent.services.environment.label}`)
  // Masked (agent/net/proxy-url.ts): the password never reaches a terminal or a log.
  if (agent.proxy) lines.push(`  Proxy        ${agent.proxy}`)
  if (link && manifest) {
    const where = link.pid !== undefined ? `started by the agent, pid ${link.pid}` : 'already running'
    lines.push(`  Sandbox      ${link.url}  (simulated eHealth, ${where}; IDP page ${manifest.environment.idpSso})`)
    if (keystore) {
      lines.push(`  Demo user    ${keystore.holder}${keystore.ssin ? `, SSIN ${keystore.ssin}` : ''}`)
      lines.push(`  Keystore     ${keystore.p12Path}`)
      lines.push(`  Password     ${keystore.password}${manifest.demo ? `   (demo eID PIN: ${manifest.demo.eidPin})` : ''}`)
    }
    lines.push(options.demo ? '  Prompts      answered automatically (--demo)' : '  Prompts      asked here, in this terminal, when an application signs in')
  }
  const sd = options.stateDir ? ` --state-dir ${options.stateDir}` : ''
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
  out.write(lines.join('\n'))
}
