import { makeCheck, type DoctorCheck } from './doctor-check.js'
import type { DoctorEnvironment } from './doctor-environment.js'

const ID = 'memory-trim'

/**
 * The agent's malloc_trim addon (agent/memory/malloc-trim.ts): on Linux, without it the agent
 * keeps what glibc keeps after a burst of calls (measured: about 15 MB more) until it restarts.
 * Nothing else depends on it, so missing is a warning that says how to add it; elsewhere it is not
 * used.
 */
export function checkMemoryTrim(env: DoctorEnvironment): DoctorCheck {
  if (env.platform !== 'linux') return makeCheck(ID, 'ok', `not used on ${env.platform} (it calls glibc's malloc_trim)`)
  if (env.probeMallocTrim()) return makeCheck(ID, 'ok', 'the malloc_trim addon loads: memory a burst of calls freed goes back to the system once the agent is idle')
  return makeCheck(
    ID,
    'warn',
    'dist/native/malloc-trim.node is missing or does not load: after a burst of calls the agent keeps about 15 MB more than it needs until it restarts',
    'reinstall the package; from a clone: apt-get install gcc, then npm run build',
  )
}
