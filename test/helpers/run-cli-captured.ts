import { PassThrough } from 'node:stream'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { PathContext } from '../../protocol/discovery/resolve-paths.js'
import type { MachineFacts } from '../../clients/cli/cli-context.js'
import { runCli } from '../../clients/cli/run-cli.js'
import type { ToolRunner } from '../../installer/run-tool.js'
import type { WaitForAgent } from '../../clients/cli/wait-for-agent.js'

/** `ehagent` from source, for the children a command starts (`start --env sandbox` starts `ehagent sandbox`). */
export const EHAGENT_FROM_SOURCE = [process.execPath, '--import', 'tsx', join(dirname(fileURLToPath(import.meta.url)), 'ehagent-from-source.ts')] as const

/** What one in-process `ehagent` run printed and returned. */
export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

/**
 * Run `ehagent ARGS` in this process with a made-up machine (a throw-away HOME, no display) and
 * captured streams: the commands see only what the context gives them, as with clients/cli/main.ts.
 */
export async function runCliCaptured(
  argv: string[],
  options: {
    home: string
    env?: PathContext['env']
    machine?: Partial<MachineFacts>
    runTool?: ToolRunner
    stdin?: string
    openUrl?: (url: string) => Promise<void>
    waitForAgent?: WaitForAgent
    now?: () => Date
    timeZone?: string
  } = { home: '/nonexistent' },
): Promise<CliRun> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', (d: Buffer) => (out += d.toString('utf8')))
  stderr.on('data', (d: Buffer) => (err += d.toString('utf8')))
  const stdin = new PassThrough()
  stdin.end(options.stdin ?? '')
  const code = await runCli({
    argv,
    pathContext: { platform: 'linux', home: options.home, uid: process.getuid?.() ?? 0, env: options.env ?? {} },
    machine: {
      nodePath: process.execPath,
      nodeVersion: process.versions.node,
      packageRoot: resolve('.'),
      display: {},
      userName: 'tester',
      ...options.machine,
    },
    version: 'test',
    selfCommand: EHAGENT_FROM_SOURCE,
    stdin: stdin as unknown as NodeJS.ReadStream,
    stdout,
    stderr,
    stopSignal: new Promise(() => undefined),
    ...(options.runTool ? { runTool: options.runTool } : {}),
    ...(options.openUrl ? { openUrl: options.openUrl } : {}),
    ...(options.waitForAgent ? { waitForAgent: options.waitForAgent } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
  })
  return { code, stdout: out, stderr: err }
}
