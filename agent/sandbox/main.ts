/**
 * The sandbox's entry point: a program of its own that stands in for eHealth, run as its own
 * process (`ehagent sandbox`, which the CLI loads on demand; `ehagent start --env sandbox`
 * starts that command as a child). The daemon never imports it: an agent learns what it needs
 * from `GET /sandbox/manifest`.
 *
 * {@link runSandbox} gets its command line, streams and stop signal from its caller (the CLI's
 * entry point read them); {@link main} reads this process's own, for `node agent/sandbox/main.js`.
 */
import { realpathSync } from 'node:fs'
import { homedir } from 'node:os'
import { pathToFileURL } from 'node:url'
import { pathEnvironment, resolvePaths, type PathContext } from '../../protocol/discovery/resolve-paths.js'
import { describeRunningSandbox, formatReadyLine } from './describe-running-sandbox.js'
import { FaultInjector } from './fault-injector.js'
import { parseFaultSpec } from './parse-fault-spec.js'
import { readSandboxArgs } from './read-sandbox-args.js'
import { startSandbox } from './server.js'

/** What the sandbox program runs with. */
export interface SandboxProgram {
  /** The options after `sandbox` (`--port 0 --json …`). */
  argv: readonly string[]
  /** For the default state directory (per-user, as the agent's). */
  pathContext: PathContext
  pid: number
  stdin: NodeJS.ReadableStream
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
  stopSignal: Promise<void>
  /** A usage mistake, as the caller reports them (exit code 2). */
  usageError: (message: string) => Error
}

/**
 * Serve the sandbox on 127.0.0.1 until stopped; returns the exit code. With `--json` stdout gets
 * exactly one line, the ready line, once the port listens; otherwise a description for a person.
 */
export async function runSandbox(program: SandboxProgram): Promise<number> {
  const args = readSandboxArgs(program.argv, program.usageError)
  // Checked before anything listens, so a bad spec starts nothing.
  if (args.fault) parseFaultSpec(args.fault, new FaultInjector())
  const sandboxDir = args.sandboxDir ?? resolvePaths(args.stateDir, program.pathContext).sandboxDir
  let stopped = false
  const stops = [program.stopSignal]
  if (args.exitWithStdin) {
    // The parent holds the other end of this pipe; it closes when the parent exits, even when it
    // is killed outright, so the sandbox never outlives the agent that started it. Watched from
    // the start: a parent that goes while the test PKI is being generated is noticed too.
    stops.push(new Promise<void>((resolve) => {
      program.stdin.on('end', resolve)
      program.stdin.on('close', resolve)
      program.stdin.on('error', () => resolve())
      program.stdin.resume()
    }))
  }
  const stop = Promise.race(stops).then(() => void (stopped = true))
  const running = await startSandbox({ stateDir: sandboxDir, port: args.port, options: args.demo ? { demoPerson: 'doctor' } : {} })
  if (!stopped) {
    if (args.fault) parseFaultSpec(args.fault, running.state.faults)
    program.stdout.write(args.json ? formatReadyLine(running, program.pid, args.fault) : describeRunningSandbox(running, args.fault))
    await stop
  }
  await running.close()
  return 0
}

/** Run as `node agent/sandbox/main.js [options]`: this process's own argv, environment and signals. */
export async function main(): Promise<number> {
  const stopSignal = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  try {
    return await runSandbox({
      argv: process.argv.slice(2),
      pathContext: { platform: process.platform, home: homedir(), uid: process.getuid?.() ?? 0, env: pathEnvironment(process.env) },
      pid: process.pid,
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      stopSignal,
      usageError: (message) => Object.assign(new Error(message), { usage: true }),
    })
  } catch (err) {
    process.stderr.write(`ehealth-agent sandbox: ${(err as Error).message}\n`)
    return (err as { usage?: boolean }).usage ? 2 : 1
  }
}

/**
 * Whether node was started with this file as its script (not loaded by the CLI or a test). In the
 * bundle bin/ehagent.js runs, this code sits in a chunk of dist/bundle/ that is never node's
 * script (bin/ehagent.js is), so there it is false, as when the CLI loads the compiled file.
 */
function isStartedDirectly(): boolean {
  const script = process.argv[1]
  if (!script) return false
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href
  } catch {
    return false
  }
}

if (isStartedDirectly()) process.exit(await main())
