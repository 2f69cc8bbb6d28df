import { makeCheck, type DoctorCheck } from './doctor-check.js'
import type { DoctorEnvironment } from './doctor-environment.js'

const ID = 'caller-lookup'

/**
 * The agent's sock_diag addon (agent/callers/linux/sock-diag.ts): on Linux, without it, or with a
 * kernel that does not answer it, each new connection's socket is looked for in /proc/net/tcp,
 * which walks the kernel's whole socket table (measured: about 3 ms more per new connection,
 * before its first answer). The answer is the same either way, so that is a warning that says
 * what to do; elsewhere it is not used.
 */
export async function checkCallerLookup(env: DoctorEnvironment): Promise<DoctorCheck> {
  if (env.platform !== 'linux') return makeCheck(ID, 'ok', `not used on ${env.platform} (sock_diag is Linux's)`)
  const probe = await env.probeSockDiag()
  if (probe === 'answers') return makeCheck(ID, 'ok', "the sock_diag addon loads and the kernel answers it: a new connection's socket is found by one kernel lookup")
  if (probe === 'kernel-does-not-answer') {
    return makeCheck(
      ID,
      'warn',
      "the sock_diag addon loads but the kernel does not answer it (no tcp_diag module?): each new connection's socket is looked for in /proc/net/tcp, about 3 ms more before its first answer",
      'as root: modprobe tcp_diag (and list it in /etc/modules-load.d/ to keep it)',
    )
  }
  return makeCheck(
    ID,
    'warn',
    "dist/native/sock-diag.node is missing or does not load: each new connection's socket is looked for in /proc/net/tcp, about 3 ms more before its first answer",
    'reinstall the package; from a clone: apt-get install gcc, then npm run build',
  )
}
