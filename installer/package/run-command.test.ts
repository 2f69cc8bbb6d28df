import { describe, expect, it } from 'vitest'
import { runCommand } from './run-command.js'

/** A fresh node running `script`: the one tool every machine of this project has. */
const node = (script: string, options: Parameters<typeof runCommand>[2] = {}) => runCommand(process.execPath, ['-e', script], options)

describe('runCommand (the packager runs its build tools with it)', () => {
  it("returns the tool's stdout", async () => {
    expect(await node("process.stdout.write('built\\n')")).toBe('built\n')
  })

  it('gives the tool /dev/null as stdin, not a pipe to write to after it may have exited', async () => {
    // With a pipe, ending it after a tool had already exited raised an unhandled EPIPE that killed
    // the packager: seen once under load, too rare to provoke here, so the test holds the cause.
    expect(await node("process.stdout.write(require('fs').readlinkSync('/proc/self/fd/0'))")).toBe('/dev/null')
  })

  it('fails with the command, its exit code, the folder and the end of its output', async () => {
    const cwd = process.cwd()
    const failed = node("console.error('dpkg-deb: error: no control file'); process.exit(2)", { cwd })
    await expect(failed).rejects.toThrow(/ exited with 2 in .+:\ndpkg-deb: error: no control file$/)
    await expect(failed).rejects.toThrow(process.execPath)
  })

  it('takes the exit codes it is told are not a failure', async () => {
    expect(await node("process.stdout.write('1 check failed'); process.exit(1)", { okCodes: [0, 1] })).toBe('1 check failed')
  })

  it('kills a tool past its time limit and says so', async () => {
    await expect(node('setTimeout(() => {}, 60_000)', { timeoutMs: 200 })).rejects.toThrow(/was killed \(SIGKILL, over 0\.2 s\?\)/)
  })

  it('names the Debian package of a tool that is not installed', async () => {
    await expect(runCommand('dpkg-deb', [], { env: { PATH: '/nonexistent' } })).rejects.toThrow('dpkg-deb is not installed (apt-get install -y dpkg)')
  })
})
