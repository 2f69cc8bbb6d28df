import { execFile } from 'node:child_process'

/** Runs a tool and gives its standard output; rejects on a non-zero exit or after `timeoutMs`. */
export type RunTool = (file: string, args: readonly string[], options?: { timeoutMs?: number }) => Promise<string>

/** The real one: no shell (arguments are never interpreted), bounded output and time. */
export const runSystemTool: RunTool = (file, args, options = {}) =>
  new Promise((resolve, reject) => {
    execFile(file, [...args], { timeout: options.timeoutMs ?? 5000, maxBuffer: 8 * 1024 * 1024, windowsHide: true, encoding: 'utf8' }, (err, stdout) => {
      if (err) reject(err)
      else resolve(stdout)
    })
  })
