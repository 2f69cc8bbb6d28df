import { readFile } from 'node:fs/promises'
import { connectToAgent } from '../../js/discover-agent.js'
import { optionPort, optionString, UsageError, type CliContext, type Command } from '../cli-context.js'
import { EXIT_CODES } from '../exit-codes.js'

async function connect(ctx: CliContext) {
  const port = optionPort(ctx)
  const stateDir = optionString(ctx, 'state-dir')
  return connectToAgent({ ...(stateDir ? { stateDir } : {}), ...(port ? { port } : {}), context: ctx.pathContext })
}

function print(ctx: CliContext, value: unknown, text: string): void {
  ctx.stdout.write(ctx.args.options.json === true ? JSON.stringify(value, null, 2) + '\n' : text + '\n')
}

/** `ehagent status [--json]`: is the agent up, which environment, signed in as whom until when. */
export const status: Command = async (ctx) => {
  const agent = await connect(ctx)
  const s = await agent.call('agent.status')
  const t = s.session.token
  print(
    ctx,
    s,
    [
      `ehealth-agent ${s.version} (pid ${s.pid}), environment ${s.environment}`,
      t ? `signed in as ${t.subject} (${t.profile.label}) until ${t.notOnOrAfter}; renewal at ${t.renewAt}` : 'signed out',
    ].join('\n'),
  )
  return EXIT_CODES.ok
}

/** `ehagent login [--profile P] [--method keystore|eid+keystore|eid]`: sign in (the agent asks for the PIN/password). */
export const login: Command = async (ctx) => {
  const agent = await connect(ctx)
  const profile = optionString(ctx, 'profile')
  const method = optionString(ctx, 'method')
  if (method !== undefined && !['keystore', 'eid+keystore', 'eid'].includes(method)) throw new UsageError('--method must be keystore, eid+keystore or eid')
  ctx.stderr.write('signing in… the agent asks for the PIN or password in its own window or terminal\n')
  const s = await agent.call('session.login', { ...(profile ? { profile } : {}), ...(method ? { method: method as 'keystore' } : {}) })
  print(ctx, s, s.token ? `signed in as ${s.token.subject} (${s.token.profile.label}) until ${s.token.notOnOrAfter}` : 'signed out')
  return EXIT_CODES.ok
}

/** `ehagent logout`: global logout. */
export const logout: Command = async (ctx) => {
  const agent = await connect(ctx)
  const s = await agent.call('session.logout')
  print(ctx, s, 'signed out')
  return EXIT_CODES.ok
}

/** `ehagent sign FILE [--x509] [--algorithm rsa-sha1]`: the signed envelope on stdout, signing in first if needed. */
export const sign: Command = async (ctx) => {
  const file = ctx.args.positional[0]
  if (!file) throw new UsageError('ehagent sign needs the envelope file: ehagent sign request.xml > signed.xml')
  const envelope = file === '-' ? await readStdin(ctx) : await readFile(file, 'utf8')
  const agent = await connect(ctx)
  const status = await agent.call('session.status')
  if (status.state === 'signed-out') {
    ctx.stderr.write('not signed in: signing in first… (the agent asks for the PIN or password)\n')
    const profile = optionString(ctx, 'profile')
    await agent.call('session.login', profile ? { profile } : {})
  }
  const algorithm = optionString(ctx, 'algorithm')
  if (algorithm !== undefined && algorithm !== 'rsa-sha256' && algorithm !== 'rsa-sha1') throw new UsageError('--algorithm must be rsa-sha256 or rsa-sha1')
  const signed = await agent.call('soap.sign', {
    envelope,
    ...(ctx.args.options.x509 === true ? { profile: 'x509' as const } : {}),
    ...(algorithm ? { algorithm } : {}),
  })
  if (ctx.args.options.json === true) print(ctx, signed, '')
  else ctx.stdout.write(signed.envelope)
  return EXIT_CODES.ok
}

/** `ehagent audit [--limit N] [--method M] [--json]`: the privacy log, newest first. */
export const audit: Command = async (ctx) => {
  const agent = await connect(ctx)
  const limit = optionString(ctx, 'limit')
  const method = optionString(ctx, 'method')
  const { records } = await agent.call('audit.list', { ...(limit ? { limit: Number(limit) } : {}), ...(method ? { method } : {}) })
  print(
    ctx,
    records,
    records.map((r) => `${r.time}  ${r.event.padEnd(12)} ${r.outcome.padEnd(8)} ${r.client?.name ?? ''} ${r.service?.operation ?? ''} ${r.token?.assertionId ?? ''}`).join('\n') || '(empty)',
  )
  return EXIT_CODES.ok
}

async function readStdin(ctx: CliContext): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of ctx.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
