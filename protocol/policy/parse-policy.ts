import { AgentError } from '../errors.js'
import { POLICY_SCHEMA, type AgentPolicy, type PolicyOrigin } from './policy-schema.js'

/**
 * Check a policy (already decoded from JSON or from the registry) against the schema. A policy
 * that does not match is ERR_POLICY_INVALID naming the field (its path) and the file or key, so
 * the admin can fix it; the agent does not run on a guess.
 */
export function checkPolicy(value: unknown, origin: PolicyOrigin): AgentPolicy {
  const parsed = POLICY_SCHEMA.safeParse(value)
  if (parsed.success) return parsed.data
  const issues = parsed.error.issues.map((i) => ({ field: describeIssuePath(i), message: i.message }))
  const first = issues[0]!
  throw new AgentError('ERR_POLICY_INVALID', `the admin policy ${origin.location} is not valid: ${first.field}: ${first.message}`, {
    source: origin.location,
    field: first.field,
    detail: first.message,
    issues,
  })
}

/** Decode and check a policy file's text (JSON). */
export function parsePolicyJson(text: string, origin: PolicyOrigin): AgentPolicy {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new AgentError('ERR_POLICY_INVALID', `the admin policy ${origin.location} is not valid: it is not valid JSON (${(err as Error).message})`, {
      source: origin.location,
      field: '(root)',
      detail: 'not valid JSON',
    })
  }
  return checkPolicy(json, origin)
}

/** The field an issue is about: `allowedPrograms.2`; zod puts an unknown key's name in `keys`. */
function describeIssuePath(issue: { path: PropertyKey[]; code: string; keys?: string[] }): string {
  const path = issue.path.map(String)
  if (issue.code === 'unrecognized_keys' && issue.keys && issue.keys.length > 0) path.push(issue.keys[0]!)
  return path.join('.') || '(root)'
}
