/**
 * A caller as the user sees it: in prompts (PromptContext) and in the privacy log. The program
 * comes from the operating system (agent/callers), the name from the pairing, the website from the
 * browser; each is shown for what it is.
 */
import type { AuditRecord, ProgramSummary } from '../../protocol/rpc/methods.js'
import type { CallerProgram } from '../callers/caller-program.js'
import type { PromptContext } from '../consent/prompter.js'
import type { Caller } from './method-context.js'

/** What a prompt shows of `caller`. */
export function promptContextOf(caller: Caller): PromptContext {
  const context: PromptContext = { client: caller.name }
  const process = caller.program ? { pid: caller.program.pid, executable: caller.program.executable, ...(caller.program.user ? { user: caller.program.user } : {}) } : caller.process
  if (process) context.process = process
  if (caller.program) context.program = caller.program
  if (caller.origin !== undefined) context.origin = caller.origin
  return context
}

/** The privacy-log fields of `caller`: `client` (as paired), `program` (as the OS says), `origin`. */
export function auditCallerOf(caller: Caller): Pick<AuditRecord, 'client' | 'program' | 'origin'> {
  const out: Pick<AuditRecord, 'client' | 'program' | 'origin'> = { client: { id: caller.id, name: caller.name } }
  if (caller.program) out.program = summarizeProgram(caller.program)
  if (caller.origin !== undefined) out.origin = caller.origin
  return out
}

/** The fields of a program that are shown and logged. */
export function summarizeProgram(program: CallerProgram): ProgramSummary {
  const out: ProgramSummary = { name: program.name, executable: program.executable, pid: program.pid }
  if (program.user !== undefined) out.user = program.user
  if (program.commandLine !== undefined) out.commandLine = program.commandLine
  return out
}

/**
 * What the local credential's caller is called: the program that uses it (`curl`, `python3.11`),
 * so curl shows as curl, not as "this user"; the agent's own CLI as `ehagent`.
 */
export function localCallerName(program: CallerProgram | undefined): string {
  if (!program) return 'ehagent (this user)'
  if (/(^|[\\/ ])ehagent(\.js)?$/.test(program.commandLine ?? '')) return 'ehagent'
  return program.name
}
