import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { AgentError } from '../../protocol/errors.js'
import { checkPolicy, parsePolicyJson } from '../../protocol/policy/parse-policy.js'
import { decodeRegistryPolicy, parseRegQueryOutput } from '../../protocol/policy/parse-reg-query.js'
import type { PolicyInEffect, PolicyOrigin } from '../../protocol/policy/policy-schema.js'
import type { PolicyLocation } from '../platform/platform.js'

/** Runs a program and gives its exit code and output (injected, so tests need no Windows). */
export type RunProgram = (file: string, args: readonly string[]) => Promise<{ code: number; stdout: string; stderr: string }>

/** Where a location's policy is shown as coming from. */
export function describePolicyOrigin(location: PolicyLocation): PolicyOrigin {
  return location.kind === 'file' ? { kind: 'file', location: location.path } : { kind: 'registry', location: location.key }
}

/**
 * Read the admin policy: absent (no file, no key) is no policy; present and not valid is
 * ERR_POLICY_INVALID naming the field and the place; present but unreadable is refused too (an
 * admin's policy the agent cannot read must not mean "no policy").
 */
export async function readPolicy(location: PolicyLocation, run: RunProgram = runProgram): Promise<PolicyInEffect> {
  const origin = describePolicyOrigin(location)
  if (location.kind === 'file') {
    let text: string
    try {
      text = await readFile(location.path, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { origin, present: false, policy: {} }
      throw unreadable(origin, (err as NodeJS.ErrnoException).code ?? (err as Error).message)
    }
    return { origin, present: true, policy: parsePolicyJson(text, origin) }
  }
  const result = await run(location.command.file, location.command.args)
  if (result.code !== 0) {
    // reg.exe exits 1 and says so on stderr when the key does not exist: no policy.
    if (/unable to find/i.test(result.stderr)) return { origin, present: false, policy: {} }
    throw unreadable(origin, result.stderr.trim().slice(0, 200) || `reg exited with ${result.code}`)
  }
  return { origin, present: true, policy: checkPolicy(decodeRegistryPolicy(parseRegQueryOutput(result.stdout, origin), origin), origin) }
}

function unreadable(origin: PolicyOrigin, detail: string): AgentError {
  return new AgentError('ERR_POLICY_INVALID', `the admin policy ${origin.location} cannot be read: ${detail}`, { source: origin.location, field: '(root)', detail })
}

const runProgram: RunProgram = (file, args) =>
  new Promise((resolve) => {
    execFile(file, [...args], { windowsHide: true, timeout: 10_000, maxBuffer: 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0
      resolve({ code, stdout: String(stdout), stderr: String(stderr) })
    })
  })
