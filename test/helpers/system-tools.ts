import { execFile, execFileSync } from 'node:child_process'

/**
 * System commands the socket-level tests drive (curl, runuser, useradd): shared by the guards'
 * socket tests (agent/http) and the security suite (test/security).
 */

/** The second Linux user the T5 tests create to call from another account on the same loopback. */
export const OTHER_USER = 'ehagent-test-other'

/** Runs a command without blocking the event loop (the server under test may live in this process). */
export function run(file: string, args: string[], timeoutMs = 15_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: '/', timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0
      resolve({ code, stdout: String(stdout), stderr: String(stderr) })
    })
  })
}

/** curl's answer: the body, then the status code on the last line (`-w`). `as`: run it as that user. */
export async function curl(args: string[], as?: string): Promise<{ status: number; body: string }> {
  // -q: no ~/.curlrc, so nothing of the environment changes the request.
  const curlArgs = ['-q', '-sS', '--max-time', '10', '-o', '-', '-w', '\n%{http_code}', ...args]
  const result = as === undefined ? await run('curl', curlArgs) : await run('runuser', ['-u', as, '--', 'curl', ...curlArgs])
  if (result.code !== 0) throw new Error(`curl failed (${result.code}): ${result.stderr}`)
  const cut = result.stdout.lastIndexOf('\n')
  return { status: Number(result.stdout.slice(cut + 1)), body: result.stdout.slice(0, cut) }
}

/** Creates the system user if it does not exist (idempotent, also under a concurrent run); its uid. */
export function ensureUser(name: string): number {
  const uid = () => Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim())
  try {
    return uid()
  } catch {
    try {
      execFileSync('useradd', ['--system', '--no-create-home', name], { stdio: 'pipe' })
    } catch (error) {
      // 9: the name was taken meanwhile (another run created it), which is what we wanted. A
      // concurrent useradd may also fail on the passwd lock (10) after creating the user for us.
      const status = (error as { status?: number }).status
      if (status !== 9) {
        try {
          return uid()
        } catch {
          throw new Error(`useradd ${name} failed (${String(status)}): ${String((error as { stderr?: unknown }).stderr ?? error)}`)
        }
      }
    }
    return uid()
  }
}
