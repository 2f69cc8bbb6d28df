import type { ToolRunner } from '../../installer/run-tool.js'
import { createToolRunner } from '../../installer/run-tool.js'

/**
 * A ToolRunner for installer tests: the database tools that only write under the directory they
 * are given (update-mime-database, update-desktop-database) run for real; everything that would
 * reach the real session (systemctl --user, launchctl, schtasks, reg) is recorded and answered
 * with success, never run.
 */
export function createTestToolRunner(): { run: ToolRunner; calls: string[] } {
  const real = createToolRunner()
  const calls: string[] = []
  const run: ToolRunner = async (command, args) => {
    calls.push([command, ...args].join(' '))
    if (command === 'update-mime-database' || command === 'update-desktop-database') return real(command, args)
    return { code: 0, stdout: '', stderr: '', missing: false }
  }
  return { run, calls }
}
