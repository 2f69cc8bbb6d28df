import { isAgentError } from '../../protocol/errors.js'
import { listSettingLocks } from '../../protocol/policy/policy-locks.js'
import type { AgentPolicy, PolicyInEffect } from '../../protocol/policy/policy-schema.js'
import { makeCheck, type DoctorCheck } from './doctor-check.js'
import type { DoctorEnvironment } from './doctor-environment.js'

/**
 * The admin policy in effect: its file or registry key and what it fixes, or that there is none.
 * A policy that is not valid fails: the agent will not start on it.
 */
export async function checkPolicy(env: DoctorEnvironment): Promise<{ check: DoctorCheck; policy?: AgentPolicy; source?: string }> {
  if (!env.readPolicy) return { check: makeCheck('policy', 'warn', 'the admin policy was not checked') }
  let read: PolicyInEffect
  try {
    read = await env.readPolicy()
  } catch (err) {
    if (!isAgentError(err)) throw err
    const source = typeof err.data.source === 'string' ? err.data.source : 'the admin policy'
    return { check: makeCheck('policy', 'fail', err.message, `the agent does not start until ${source} is corrected (field ${String(err.data.field ?? '(root)')}); ask your administrator`) }
  }
  if (!read.present) return { check: makeCheck('policy', 'ok', `no admin policy: ${read.origin.location} does not exist`), policy: {} }
  const fixed = [...listSettingLocks(read.policy).map((l) => l.setting), ...(['allowedPrograms', 'minimumUsePolicy'] as const).filter((f) => read.policy[f] !== undefined)]
  const what = fixed.length > 0 ? `it fixes ${fixed.join(', ')}` : 'it fixes nothing'
  return { check: makeCheck('policy', 'ok', `admin policy in effect: ${read.origin.location} (${what})`), policy: read.policy, source: read.origin.location }
}
