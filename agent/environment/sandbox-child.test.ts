import { describe, expect, it } from 'vitest'
import { isAgentError } from '../../protocol/errors.js'
import { startSandboxChild, type SandboxChildOptions } from './sandbox-child.js'

// The agent's side of the sandbox child, against small stand-in programs (node -e) that behave
// as `ehagent sandbox` would, or fail as it might: the ready line, the deadline, an early death
// (its stderr named), a death later on (logged), and the stop.

/** `node -e SCRIPT -- sandbox --json …`: the script plays the sandbox; the arguments it gets are ignored. */
function child(script: string, extra: Partial<SandboxChildOptions> = {}): { options: SandboxChildOptions; logs: string[] } {
  const logs: string[] = []
  return { logs, options: { command: [process.execPath, '-e', script, '--'], sandboxDir: '/nonexistent', demo: false, log: (l) => logs.push(l), ...extra } }
}

const READY = `process.stdout.write(JSON.stringify({ ready: true, url: 'http://127.0.0.1:4999', port: 4999 }) + '\\n')`
const STAY = `setInterval(() => {}, 1000)`

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (err) {
    return err as Error
  }
  throw new Error('expected a rejection')
}

describe('startSandboxChild', () => {
  it('waits for the ready line, gives the URL and pid, and stop() ends the process', async () => {
    const { options } = child(`${READY}; ${STAY}`)
    const running = await startSandboxChild(options)
    expect(running.url).toBe('http://127.0.0.1:4999')
    expect(isAlive(running.pid)).toBe(true)
    await running.stop()
    expect(running.exited()).toBe(true)
    expect(isAlive(running.pid)).toBe(false)
  })

  it('passes the sandbox its options: --json, port 0, its directory, stdin watching, --demo', async () => {
    // This stand-in prints its own arguments as the URL's path, so the test can read them.
    const { options } = child(`process.stdout.write(JSON.stringify({ ready: true, url: 'http://127.0.0.1:4999/' + encodeURIComponent(process.argv.slice(1).join(' ')) }) + '\\n'); ${STAY}`, {
      sandboxDir: '/tmp/sandbox dir',
      demo: true,
    })
    const running = await startSandboxChild(options)
    await running.stop()
    expect(decodeURIComponent(new URL(running.url).pathname.slice(1))).toBe('sandbox --json --port 0 --sandbox-dir /tmp/sandbox dir --exit-with-stdin --demo')
  })

  it('a child that dies before it is ready: ERR_UNAVAILABLE naming its exit and what it said on stderr', async () => {
    const { options } = child(`process.stderr.write('cannot open the test PKI: EACCES\\n'); process.exit(3)`)
    const err = await rejection(startSandboxChild(options))
    expect(isAgentError(err) && err.code).toBe('ERR_UNAVAILABLE')
    expect(err.message).toMatch(/exited before it was ready \(exit code 3\)/)
    expect(err.message).toContain('cannot open the test PKI: EACCES')
  })

  it('a child that is not ready by the deadline is stopped, and the error says so', async () => {
    const { options } = child(`process.stderr.write('generating keys…\\n'); ${STAY}`, { readyTimeoutMs: 1500 })
    const err = await rejection(startSandboxChild(options))
    expect(err.message).toMatch(/did not start within 2 s/)
    expect(err.message).toContain('generating keys…')
  })

  it('a first line that is not a ready line (or names a non-loopback URL) is refused', async () => {
    const garbage = await rejection(startSandboxChild(child(`console.log('hello'); ${STAY}`).options))
    expect(garbage.message).toMatch(/first line is not its ready line: "hello"/)
    const remote = await rejection(startSandboxChild(child(`console.log(JSON.stringify({ ready: true, url: 'http://10.0.0.1:4753' })); ${STAY}`).options))
    expect(remote.message).toMatch(/not its ready line/)
  })

  it('a command that cannot be run is named', async () => {
    const err = await rejection(startSandboxChild({ command: ['/nonexistent/node'], sandboxDir: '/x', demo: false, log: () => undefined }))
    expect(err.message).toMatch(/could not be started \(\/nonexistent\/node\)/)
  })

  it('a child that dies while the agent runs is logged, with its last words', async () => {
    const { options, logs } = child(`${READY}; setTimeout(() => { process.stderr.write('out of memory\\n'); process.exit(9) }, 200)`)
    const running = await startSandboxChild(options)
    for (let i = 0; i < 100 && !running.exited(); i++) await new Promise((r) => setTimeout(r, 20))
    await new Promise((r) => setTimeout(r, 50))
    expect(logs).toContainEqual(expect.stringMatching(/^the sandbox \(pid \d+\) stopped unexpectedly \(exit code 9\); calls to the simulated eHealth fail/))
    expect(logs.join('\n')).toContain('out of memory')
    await running.stop() // nothing left to stop: returns at once
  })

  it('a stop is not reported as a death', async () => {
    const { options, logs } = child(`${READY}; ${STAY}`)
    const running = await startSandboxChild(options)
    await running.stop()
    expect(logs.filter((l) => /unexpectedly/.test(l))).toEqual([])
  })

  it('the child sees its stdin close when the agent goes (the pipe the sandbox watches with --exit-with-stdin)', async () => {
    // A stand-in that exits on stdin's end, as `ehagent sandbox --exit-with-stdin` does; stop()
    // closes the pipe before it signals, and a killed agent's pipe closes by itself.
    const { options } = child(`${READY}; process.stdin.on('end', () => process.exit(0)); process.stdin.resume(); process.on('SIGTERM', () => {})`)
    const running = await startSandboxChild(options)
    await running.stop()
    expect(running.exited()).toBe(true)
  })
})
