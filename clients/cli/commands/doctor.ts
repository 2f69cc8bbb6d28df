import { accessSync, constants, existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { createHttpTransport } from '../../../agent/http-transport.js'
import { probeEidSupport } from '../../../agent/keys/load-pkcs11js.js'
import { pkcs11jsBinding } from '../../../agent/keys/pkcs11-key-source.js'
import { resolvePaths } from '../../../protocol/discovery/resolve-paths.js'
import { readMachineFacts, optionPort, optionString, wantsJson, type CliContext, type Command } from '../cli-context.js'
import type { DoctorEnvironment } from '../doctor/doctor-environment.js'
import { formatDoctorReport } from '../doctor/format-doctor-report.js'
import { runDoctor } from '../doctor/run-doctor.js'
import { EXIT_CODES } from '../exit-codes.js'
import { printResult } from '../print-result.js'
import { readHiddenLine } from '../read-hidden-line.js'

/** systray2's helper binary per OS (node_modules/systray2/traybin). */
const TRAY_HELPERS: Record<string, string> = { linux: 'tray_linux_release', darwin: 'tray_darwin_release', win32: 'tray_windows_release.exe' }

/**
 * `ehagent doctor [--json] [--state-dir DIR] [--port N]`: check what the agent needs on this
 * machine and say how to fix what is wrong. Exit code 1 when a check failed (warnings pass).
 * In a terminal it asks for the keystore password to check it; with --json it never asks.
 */
export const doctor: Command = async (ctx) => {
  const checks = await runDoctor(createDoctorEnvironment(ctx))
  const failed = checks.filter((c) => c.status === 'fail').length
  printResult(ctx, { checks, failed, warnings: checks.filter((c) => c.status === 'warn').length }, formatDoctorReport(checks))
  return failed ? EXIT_CODES.error : EXIT_CODES.ok
}

/** The real machine, as the doctor's checks see it. */
function createDoctorEnvironment(ctx: CliContext): DoctorEnvironment {
  const machine = readMachineFacts(ctx)
  const interactive = !wantsJson(ctx) && ctx.stdin.isTTY === true && ctx.stderr.isTTY === true
  const port = optionPort(ctx)
  return {
    platform: ctx.pathContext.platform,
    nodeVersion: machine.nodeVersion,
    paths: resolvePaths(optionString(ctx, 'state-dir'), ctx.pathContext),
    ...(port !== undefined ? { port } : {}),
    display: machine.display,
    trayHelper: findTrayHelper(machine.packageRoot, ctx.pathContext.platform),
    ...(interactive ? { askSecret: (question: string) => readHiddenLine({ input: ctx.stdin, output: ctx.stderr }, question) } : {}),
    createTransport: (extraCaPem) => createHttpTransport({ extraCaPem, maxResponseBytes: 1024 * 1024 }),
    fileExists: (path) => existsSync(path),
    isExecutable: (path) => canAccess(path, constants.X_OK),
    isWritable: (path) => canAccess(path, constants.W_OK),
    readFile: (path) => readFile(path),
    pkcs11: pkcs11jsBinding,
    probeEidSupport: () => probeEidSupport(),
    now: () => Date.now(),
    isPortFree,
    isProcessAlive: (pid) => {
      try {
        process.kill(pid, 0)
        return true
      } catch (err) {
        // EPERM: it exists, it is just not ours to signal.
        return (err as NodeJS.ErrnoException).code === 'EPERM'
      }
    },
  }
}

function findTrayHelper(packageRoot: string, platform: string): string | undefined {
  const name = TRAY_HELPERS[platform]
  if (!name) return undefined
  try {
    const manifest = createRequire(join(packageRoot, 'package.json')).resolve('systray2/package.json')
    return join(dirname(manifest), 'traybin', name)
  } catch {
    return undefined
  }
}

function canAccess(path: string, mode: number): boolean {
  try {
    accessSync(path, mode)
    return true
  } catch {
    return false
  }
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}
