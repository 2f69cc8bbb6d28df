import { execFile } from 'node:child_process'

/** What running a system tool gave: its exit code, or `missing` when it is not installed. */
export interface ToolResult {
  code: number
  stdout: string
  stderr: string
  /** The command was not found (ENOENT): e.g. update-desktop-database without desktop-file-utils. */
  missing: boolean
}

/** Runs one system tool (systemctl, update-mime-database, launchctl, schtasks, reg…). Injected. */
export type ToolRunner = (command: string, args: readonly string[]) => Promise<ToolResult>

/** The real runner: no shell, a time limit, and a missing tool reported rather than thrown. */
export function createToolRunner(options: { timeoutMs?: number } = {}): ToolRunner {
  const timeout = options.timeoutMs ?? 30_000
  return (command, args) =>
    new Promise((resolve) => {
      execFile(command, [...args], { timeout, maxBuffer: 4 * 1024 * 1024, windowsHide: true }, (error, stdout, stderr) => {
        const errno = (error as NodeJS.ErrnoException | null)?.code
        resolve({
          code: error ? (typeof errno === 'number' ? errno : 1) : 0,
          stdout: String(stdout),
          stderr: String(stderr),
          missing: errno === 'ENOENT',
        })
      })
    })
}
