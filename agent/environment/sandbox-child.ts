import { spawn, type ChildProcess } from 'node:child_process'
import { isLoopbackHttpUrl } from '../../protocol/sandbox-manifest.js'
import { AgentError } from '../../protocol/errors.js'

/** Options of {@link startSandboxChild}. */
export interface SandboxChildOptions {
  /**
   * How to run `ehagent` again: the Node binary, the flags it needs and the entry script
   * (`[node, …/bin/ehagent.js]`; from source, `[node, --import, tsx, …]`). Resolved by the entry
   * point, which knows how it was started.
   */
  command: readonly string[]
  /** The sandbox's directory (its test PKI), passed as `--sandbox-dir`. */
  sandboxDir: string
  /** `ehagent sandbox --demo`: the sandbox acts for the demo user. */
  demo: boolean
  /** How long the child may take to print its ready line; default 60 s (a first start generates its test PKI). */
  readyTimeoutMs?: number
  /** Where the child's own messages and its unexpected exit are reported. */
  log: (line: string) => void
}

/** A sandbox running as a child process of the agent. */
export interface SandboxChild {
  url: string
  pid: number
  /** Stop it (SIGTERM, then SIGKILL after a grace period) and wait until it has exited. */
  stop(): Promise<void>
  /** Whether it has exited (stopped, or died). */
  exited(): boolean
}

/** Enough of the child's stderr to say why it failed, without keeping all it ever wrote. */
const STDERR_TAIL_BYTES = 4096
const STOP_GRACE_MS = 5000

/**
 * Start `ehagent sandbox` as a child process and wait for its ready line: one line of JSON on
 * stdout with its URL, printed once its port listens. The child gets a pipe as stdin and stops
 * when it closes (`--exit-with-stdin`), so it does not outlive the agent even when the agent is
 * killed outright; on POSIX it runs in a process group of its own, so a Ctrl-C in the terminal
 * reaches the agent only, and the agent stops the child itself. If the child exits before it is
 * ready, or is not ready by the deadline, it is stopped and the error names what it printed on
 * stderr. If it dies while the agent runs, that is logged.
 */
export function startSandboxChild(options: SandboxChildOptions): Promise<SandboxChild> {
  const [file, ...leading] = options.command
  if (!file) return Promise.reject(new AgentError('ERR_CONFIG_INVALID', 'no command to start the sandbox with', { detail: 'start the agent with --sandbox-url, or through ehagent' }))
  const args = [...leading, 'sandbox', '--json', '--port', '0', '--sandbox-dir', options.sandboxDir, '--exit-with-stdin', ...(options.demo ? ['--demo'] : [])]
  const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: process.platform !== 'win32', windowsHide: true })
  let stderrTail = ''
  let ready = false
  let stopping = false
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal }
      resolve()
    })
    // A command that could not be run (ENOENT, EACCES) has no process, and no 'exit' may follow.
    child.once('error', () => {
      if (child.pid !== undefined) return
      exit ??= { code: null, signal: null }
      resolve()
    })
  })
  child.stdin!.on('error', () => undefined) // EPIPE once the child is gone: nothing to tell it any more
  child.stderr!.setEncoding('utf8')
  child.stderr!.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_BYTES)
    if (ready) for (const line of chunk.split('\n').filter(Boolean)) options.log(`sandbox: ${line}`)
  })

  const stop = async (): Promise<void> => {
    stopping = true
    if (exit) return
    child.stdin!.end()
    signal(child, 'SIGTERM')
    const timer = setTimeout(() => signal(child, 'SIGKILL'), STOP_GRACE_MS)
    await exited
    clearTimeout(timer)
  }

  return new Promise<SandboxChild>((resolve, reject) => {
    const timeoutMs = options.readyTimeoutMs ?? 60_000
    let settled = false
    const fail = (message: string) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      void stop().then(() => reject(new AgentError('ERR_UNAVAILABLE', message, { detail: describeStderr(stderrTail) })))
    }
    const timer = setTimeout(() => fail(`the sandbox did not start within ${Math.round(timeoutMs / 1000)} s${describeStderrInline(stderrTail)}`), timeoutMs)
    child.once('error', (err) => fail(`the sandbox could not be started (${file}): ${err.message}`))
    child.once('exit', (code, sig) => {
      if (!ready) fail(`the sandbox exited before it was ready (${sig ? `signal ${sig}` : `exit code ${code}`})${describeStderrInline(stderrTail)}`)
      else if (!stopping) {
        options.log(
          `the sandbox (pid ${child.pid}) stopped unexpectedly (${sig ? `signal ${sig}` : `exit code ${code}`}); calls to the simulated eHealth fail until the agent is restarted${describeStderrInline(stderrTail)}`,
        )
      }
    })
    let stdout = ''
    child.stdout!.setEncoding('utf8')
    child.stdout!.on('data', (chunk: string) => {
      if (ready) return
      stdout += chunk
      const newline = stdout.indexOf('\n')
      if (newline === -1) {
        if (stdout.length > 64 * 1024) fail('the sandbox printed no ready line')
        return
      }
      const url = readReadyLine(stdout.slice(0, newline))
      if (!url) return fail(`the sandbox's first line is not its ready line: ${JSON.stringify(stdout.slice(0, Math.min(newline, 200)))}`)
      if (settled) return
      ready = settled = true
      clearTimeout(timer)
      resolve({ url, pid: child.pid!, stop, exited: () => exit !== undefined })
    })
  })
}

/** The URL of a ready line (`{"ready":true,"url":"http://127.0.0.1:…",…}`), if it is one. */
function readReadyLine(line: string): string | undefined {
  try {
    const value = JSON.parse(line) as { ready?: unknown; url?: unknown }
    return value.ready === true && typeof value.url === 'string' && isLoopbackHttpUrl(value.url) ? value.url : undefined
  } catch {
    return undefined
  }
}

function signal(child: ChildProcess, name: NodeJS.Signals): void {
  try {
    child.kill(name)
  } catch {
    // already gone
  }
}

function describeStderr(tail: string): string {
  return tail.trim() || '(it printed nothing on stderr)'
}

function describeStderrInline(tail: string): string {
  const text = tail.trim()
  return text ? `; it said on stderr:\n${text}` : ' (it printed nothing on stderr)'
}
