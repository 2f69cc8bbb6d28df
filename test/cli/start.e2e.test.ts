import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { getPriority, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, startTestAgent, type TestAgent } from '../helpers/start-test-agent.js'
import { runCliCaptured } from '../helpers/run-cli-captured.js'
import { sharedSandboxPki } from '../helpers/sandbox-pki.js'
import { libuvThreadPoolSize, POOL_THREAD_NICE } from '../../agent/platform/thread-pool-priority.js'
import { startAgentProcess, stopProcess } from '../bench/agent-process.js'

// `ehagent start`'s command-line contract (README, "The command line"): --demo only in the sandbox,
// and a port that is taken is reported, naming who holds it where possible, with a non-zero exit.
let t: TestAgent
let scratch: string

beforeAll(async () => {
  t = await startTestAgent()
  scratch = mkdtempSync(join(tmpdir(), 'cli-start-'))
  // `ehagent start --env sandbox` starts its sandbox child on <state-dir>/sandbox: give it the
  // shared test PKI, so it does not generate one (slow) before finding the port taken.
  cpSync(dirname((await sharedSandboxPki()).dir), join(t.stateDir, 'sandbox'), { recursive: true })
}, 120_000)
afterAll(async () => {
  await t?.agent.close()
  rmSync(scratch, { recursive: true, force: true })
})

describe('ehagent start', () => {
  it('refuses --demo outside the sandbox, before starting anything (usage error, exit 2)', async () => {
    for (const env of ['prod', 'acc', 'int']) {
      const run = await runCliCaptured(['start', '--env', env, '--demo', '--state-dir', join(scratch, env)], { home: scratch })
      expect(run.code).toBe(2)
      expect(run.stderr).toMatch(/--demo .* only for --env sandbox/)
    }
  })

  it('names the other agent holding the port (from its discovery file) and exits non-zero', async () => {
    // The sandbox starts before the port is tried: give it the shared keys (generating them is slow).
    cpSync(dirname((await sharedSandboxPki()).dir), join(t.stateDir, 'sandbox'), { recursive: true })
    const run = await runCliCaptured(['start', '--env', 'sandbox', '--demo', '--port', String(t.port), '--state-dir', t.stateDir], { home: scratch })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(`port ${t.port}`)
    expect(run.stderr).toContain(`Another ehealth-agent (pid ${process.pid}, sandbox) is already running on port ${t.port}`)
    // The failed start touched nothing of the running agent: its credential still works.
    expect((await runCliCaptured(['status', '--json', '--state-dir', t.stateDir, '--port', String(t.port)], { home: scratch })).code).toBe(0)
  })

  it('says another program holds the port when it is not an agent', async () => {
    const port = await freePort()
    const squatter: Server = createServer()
    await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', r))
    try {
      // A fresh state dir with the shared sandbox keys (generating them is slow).
      const stateDir = join(scratch, 'squatted')
      cpSync(dirname((await sharedSandboxPki()).dir), join(stateDir, 'sandbox'), { recursive: true })
      const run = await runCliCaptured(['start', '--env', 'sandbox', '--demo', '--port', String(port), '--state-dir', stateDir], { home: scratch })
      expect(run.code).toBe(1)
      expect(run.stderr).toContain(`Another program listens on port ${port}`)
    } finally {
      await new Promise<void>((r) => squatter.close(() => r()))
    }
  })

  it('--sandbox-url: a loopback http URL, for the sandbox environment only (usage errors, exit 2)', async () => {
    const remote = await runCliCaptured(['start', '--env', 'sandbox', '--sandbox-url', 'https://sandbox.example/', '--state-dir', join(scratch, 'remote')], { home: scratch })
    expect(remote.code).toBe(2)
    expect(remote.stderr).toMatch(/--sandbox-url must be the sandbox's http:\/\/ URL on this machine/)
    const prod = await runCliCaptured(['start', '--env', 'prod', '--sandbox-url', t.sandbox.url, '--state-dir', join(scratch, 'prod')], { home: scratch })
    expect(prod.code).toBe(2)
    expect(prod.stderr).toMatch(/--sandbox-url names a sandbox: it exists only for --env sandbox/)
  })

  it('--proxy: an HTTP proxy URL, else a usage error (exit 2) that does not echo its password', async () => {
    const socks = await runCliCaptured(['start', '--env', 'prod', '--proxy', 'socks5://alice:Hidden-Pw@proxy:1080', '--state-dir', join(scratch, 'socks')], { home: scratch })
    expect(socks.code).toBe(2)
    expect(socks.stderr).toMatch(/^ehagent start: --proxy: socks5 proxies are not supported, only HTTP ones; give http:\/\/host:port/)
    expect(socks.stderr).not.toContain('Hidden-Pw')
    const bare = await runCliCaptured(['start', '--env', 'prod', '--proxy'], { home: scratch })
    expect(bare.code).toBe(2)
    expect(bare.stderr).toMatch(/--proxy needs the proxy URL/)
  })

  it('--demo with a sandbox that was not started with --demo: refused, naming the fix, nothing left running', async () => {
    const port = await freePort()
    const run = await runCliCaptured(['start', '--env', 'sandbox', '--demo', '--sandbox-url', t.sandbox.url, '--port', String(port), '--state-dir', join(scratch, 'not-demo')], { home: scratch })
    expect(run.code).toBe(8)
    expect(run.stderr).toContain(`the sandbox at ${t.sandbox.url} was not started with --demo`)
    expect(run.stderr).toContain('ehagent sandbox --demo')
    expect((await fetch(`${t.sandbox.url}/sandbox/manifest`)).status).toBe(200)
  })

  it("runs libuv's threadpool below its event loop: the pool's threads at nice 5 and SCHED_BATCH, the loop's as it was (Linux /proc)", async () => {
    expect(process.platform, 'per-thread nice values are read from /proc: this test needs Linux').toBe('linux')
    const stateDir = join(scratch, 'pool-priority')
    cpSync(dirname((await sharedSandboxPki()).dir), join(stateDir, 'sandbox'), { recursive: true })
    // The daemon as the installed service runs it: node, its options, bin/ehagent.js start.
    const daemon = await startAgentProcess({ stateDir, port: await freePort() })
    try {
      // proc(5), /proc/<pid>/task/<tid>/stat: field 19 is the nice value, field 41 the policy (0 SCHED_OTHER, 3 SCHED_BATCH).
      const statOf = (tid: string) => readFileSync(`/proc/${daemon.pid}/task/${tid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')
      const threads = readdirSync(`/proc/${daemon.pid}/task`).map((tid) => ({ tid: Number(tid), nice: Number(statOf(tid)[16]), policy: Number(statOf(tid)[38]) }))
      // Relative to the runner's own nice value, which the daemon starts with.
      const base = getPriority()
      expect(base, 'the runner itself must run below nice 5 for this test').toBeLessThan(POOL_THREAD_NICE)
      expect(threads.find((x) => x.tid === daemon.pid)?.nice).toBe(base)
      expect(threads.filter((x) => x.nice === POOL_THREAD_NICE)).toHaveLength(libuvThreadPoolSize(process.env.UV_THREADPOOL_SIZE))
      expect(threads.filter((x) => x.nice !== POOL_THREAD_NICE).every((x) => x.nice === base)).toBe(true)
      expect(threads.filter((x) => x.policy === 3).map((x) => x.tid)).toEqual(threads.filter((x) => x.nice === POOL_THREAD_NICE).map((x) => x.tid))
      expect(threads.find((x) => x.tid === daemon.pid)?.policy).toBe(0)
    } finally {
      await stopProcess(daemon.child)
    }
  }, 120_000)
})
