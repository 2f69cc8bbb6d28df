import { AgentError, ERROR_CODES, type ErrorCode } from '../../../protocol/errors.js'
import {
  DEFAULT_SANDBOX_PORT,
  parseSandboxControlAnswer,
  SANDBOX_CONTROL_ERROR_SCHEMA,
  SANDBOX_CONTROL_PATHS,
  SANDBOX_FAULT_STATE_SCHEMA,
  SANDBOX_STATS_SCHEMA,
  type SandboxFaultState,
  type SandboxStats,
} from '../../../protocol/sandbox-control.js'
import { optionString, UsageError, type CliContext } from '../cli-context.js'
import { EXIT_CODES } from '../exit-codes.js'
import { printResult } from '../print-result.js'

/**
 * `ehagent sandbox fault SPEC [--port S]`, `ehagent sandbox fault clear [--port S]` and
 * `ehagent sandbox stats [--port S] [--json]`: change a running sandbox's faults without
 * restarting it, and read how many requests each endpoint received, through its control
 * endpoint on 127.0.0.1 (protocol/sandbox-control.ts). Nothing of the sandbox is loaded here.
 */
export async function sandboxControl(ctx: CliContext, subcommand: 'fault' | 'stats', args: readonly string[]): Promise<number> {
  const base = `http://127.0.0.1:${readPort(ctx)}`
  if (subcommand === 'stats') {
    if (args.length > 0) throw new UsageError(`sandbox stats takes no argument, not "${args[0]}"`)
    const stats = parseSandboxControlAnswer(SANDBOX_STATS_SCHEMA, await send(base, 'GET', SANDBOX_CONTROL_PATHS.stats))
    printResult(ctx, stats, describeStats(stats))
    return EXIT_CODES.ok
  }
  if (args.length !== 1) throw new UsageError('sandbox fault takes one argument: a fault spec (e.g. /IAM/SecurityTokenService/v1:http=503x3), or "clear"')
  const state =
    args[0] === 'clear'
      ? parseSandboxControlAnswer(SANDBOX_FAULT_STATE_SCHEMA, await send(base, 'POST', SANDBOX_CONTROL_PATHS.clearFaults, {}))
      : parseSandboxControlAnswer(SANDBOX_FAULT_STATE_SCHEMA, await send(base, 'POST', SANDBOX_CONTROL_PATHS.faults, { spec: args[0] }))
  printResult(ctx, state, describeFaults(state))
  return EXIT_CODES.ok
}

function readPort(ctx: CliContext): number {
  const value = optionString(ctx, 'port')
  if (value === undefined) return DEFAULT_SANDBOX_PORT
  const n = Number(value)
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) throw new UsageError(`--port must be the sandbox's port (1-65535), not "${value}"`)
  return n
}

/** One request to the control endpoint; its JSON answer, or its error as an AgentError. */
async function send(base: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  let res: Response
  try {
    res = await fetch(base + path, {
      method,
      ...(body !== undefined ? { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(10_000),
    })
  } catch (cause) {
    // Exit 4, as for the agent: the local program this command talks to is not running.
    const port = new URL(base).port
    throw new AgentError('ERR_AGENT_UNREACHABLE', `no sandbox answers at ${base}: start one with \`ehagent sandbox --port ${port}\``, {
      detail: 'sandbox not reachable',
      hint: `start the sandbox with \`ehagent sandbox --port ${port}\`, or give the running one's port with --port`,
    }, { cause })
  }
  let json: unknown
  try {
    json = await res.json()
  } catch {
    throw new AgentError('ERR_REMOTE_PROTOCOL', `${base} answered HTTP ${res.status} without JSON: is it an ehealth-agent sandbox?`)
  }
  if (!res.ok) {
    const error = SANDBOX_CONTROL_ERROR_SCHEMA.safeParse(json)
    if (error.success) {
      const code = error.data.error.code
      throw new AgentError(isKnownCode(code) ? code : 'ERR_REMOTE_PROTOCOL', error.data.error.message)
    }
    throw new AgentError('ERR_REMOTE_PROTOCOL', `${base} answered HTTP ${res.status}`)
  }
  return json
}

function isKnownCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code)
}

function describeFaults(state: SandboxFaultState): string {
  const lines = state.rules.map((r) => `  ${r.path || '(every endpoint)'}  ${r.fault}  ${r.remaining === null ? 'until cleared' : `next ${r.remaining}`}`)
  if (state.clockSkewSeconds !== 0) lines.push(`  STS clock skew  ${state.clockSkewSeconds} s`)
  if (state.tokenLifetimeSeconds !== null) lines.push(`  token lifetime  ${state.tokenLifetimeSeconds} s`)
  if (state.retryAfterSeconds !== null) lines.push(`  Retry-After     ${state.retryAfterSeconds} s`)
  return lines.length === 0 ? 'no faults' : `faults now:\n${lines.join('\n')}`
}

function describeStats(stats: SandboxStats): string {
  const width = Math.max(0, ...Object.keys(stats.requests).map((p) => p.length))
  const lines = Object.entries(stats.requests).map(([path, n]) => `  ${path.padEnd(width)}  ${n}`)
  return [`requests since ${stats.since}: ${stats.total}`, ...lines].join('\n')
}
