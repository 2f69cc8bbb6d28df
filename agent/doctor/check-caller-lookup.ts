import { makeCheck, type DoctorCheck } from './doctor-check.js'
import type { DoctorEnvironment } from './doctor-environment.js'

const ID = 'caller-lookup'

/**
 * The agent's sock_diag addon (agent/callers/linux/sock-diag.ts): on Linux, without it each new connection's
 * socket is looked for in /proc/net/tcp, which walks the kernel's whole socket table (measured:
 * about 3 ms more per new connection, before its first answer). The answer is the same either
 * way, so missing is a warning that says how to add it; elsewhere it is not used.
 */
export function checkCallerLookup(env: DoctorEnvironment): DoctorCheck {
  if (env.platform !== 'linux') return makeCheck(ID, 'ok', `not used on ${env.platform} (sock_diag is Linux's)`)
  if (env.probeSockDiag()) return makeCheck(ID, 'ok', "the sock_diag addon loads: a new connection's socket is found by one kernel lookup")
  return makeCheck(
    ID,
    'warn',
    "dist/native/sock-diag.node is missing or does not load: each new connection's socket is looked for in /proc/net/tcp, about 3 ms more before its first answer",
    'reinstall the package; from a clone: apt-get install gcc, then npm run build',
  )
}
