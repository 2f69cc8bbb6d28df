import { writeFile } from 'node:fs/promises'
import { displayPairingCode } from '../../../protocol/rpc/pairing-code.js'
import type { UsePolicy } from '../../../protocol/rpc/methods.js'
import { newPairingNonce } from '../../js/pairing-code.js'
import { optionString, UsageError, wantsJson, type Command } from '../cli-context.js'
import { connectAgent } from '../connect-agent.js'
import { EXIT_CODES } from '../exit-codes.js'
import { printResult } from '../print-result.js'
import { showProgress } from '../show-progress.js'

/**
 * `ehagent pair --name NAME [--methods a,b] [--services URL,URL] [--use-policy silent|notify|ask]
 * [--out FILE] [--json]`: pair an application or script that should not use your own local
 * credential: it gets its own name in the privacy log, its own scopes and can be revoked
 * (`ehagent clients revoke ID`). While the user approves in the agent, the pairing code is shown
 * here (stderr) and on the agent's page: they must match. The credential is shown once (or
 * written to FILE, owner-only) and is never shown again. It is bound to the program that asked:
 * this one (node), so use `--out` and pair from the application itself where it can.
 */
export const pair: Command = async (ctx) => {
  const name = optionString(ctx, 'name')
  if (!name) throw new UsageError('ehagent pair needs --name: ehagent pair --name "MediSoft 4.2"')
  const methods = parseListOption(optionString(ctx, 'methods'))
  const services = parseListOption(optionString(ctx, 'services'))
  const out = optionString(ctx, 'out')
  const usePolicy = parseUsePolicy(optionString(ctx, 'use-policy'))
  const agent = await connectAgent(ctx)
  const { nonce, code } = await newPairingNonce()
  ctx.stderr.write(`pairing code ${displayPairingCode(code)}: approve only if the agent shows the same code\n`)
  const paired = await showProgress(
    ctx,
    `pairing "${name}": approve it in the agent (its window or terminal)…`,
    agent.call('client.pair', {
      name,
      nonce,
      ...(usePolicy ? { usePolicy } : {}),
      ...(methods || services ? { scopes: { ...(methods ? { methods } : {}), ...(services ? { services } : {}) } } : {}),
    }),
  )
  if (out) {
    // Owner-only and created fresh (wx): the credential is as good as the user's session.
    await writeFile(out, paired.credential + '\n', { mode: 0o600, flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
      throw new UsageError(err.code === 'EEXIST' ? `${out} exists; choose a new file for the credential` : `cannot write ${out}: ${err.message}`)
    })
  }
  const shown = out
    ? { clientId: paired.clientId, credentialFile: out, scopes: paired.scopes, pairingCode: paired.pairingCode, usePolicy: paired.usePolicy, url: agent.url }
    : { ...paired, url: agent.url }
  printResult(
    ctx,
    shown,
    [
      `paired "${name}" as ${paired.clientId}`,
      `  agent       ${agent.url}/rpc`,
      out ? `  credential  written to ${out} (owner-only)` : `  credential  ${paired.credential}`,
      `  may call    ${paired.scopes.methods.join(', ')}`,
      `  services    ${paired.scopes.services.join(', ')}`,
      `  each use    ${paired.usePolicy}`,
      '',
      out ? 'Give the file to the application; revoke it with `ehagent clients revoke ' + paired.clientId + '`.' : 'This credential is shown once: store it where only the application can read it. Revoke it with `ehagent clients revoke ' + paired.clientId + '`.',
    ].join('\n'),
  )
  if (!out && !wantsJson(ctx)) ctx.stderr.write('(the credential is not stored by ehagent; it cannot be shown again)\n')
  return EXIT_CODES.ok
}

function parseUsePolicy(value: string | undefined): UsePolicy | undefined {
  if (value === undefined) return undefined
  if (value === 'silent' || value === 'notify' || value === 'ask') return value
  throw new UsageError(`--use-policy is silent, notify or ask, not "${value}"`)
}

function parseListOption(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined
  const items = value.split(',').map((s) => s.trim()).filter(Boolean)
  if (items.length === 0) throw new UsageError('an empty list; give comma-separated values')
  return items
}
