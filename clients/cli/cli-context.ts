import type { PathContext } from '../../agent/paths.js'
import type { ParsedArgs } from './parse-args.js'

/** What every command gets: its arguments, the machine facts main.ts gathered, and its streams. */
export interface CliContext {
  args: ParsedArgs
  pathContext: PathContext
  version: string
  stdin: NodeJS.ReadStream
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
  stopSignal: Promise<void>
}

/** A command returns its exit code. */
export type Command = (ctx: CliContext) => Promise<number>

export function optionString(ctx: CliContext, name: string): string | undefined {
  const v = ctx.args.options[name]
  return typeof v === 'string' ? v : undefined
}

export function optionPort(ctx: CliContext): number | undefined {
  const v = optionString(ctx, 'port')
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`--port must be a port number (1-65535), not "${v}"`)
  return n
}

/** A mistake on the command line: printed with the usage hint, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}
