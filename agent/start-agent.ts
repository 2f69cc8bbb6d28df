import { chmod, mkdir, rmdir } from 'node:fs/promises'
import { applyPolicy } from '../protocol/policy/policy-locks.js'
import { PolicyState } from './policy/policy-state.js'
import { watchPolicy } from './policy/watch-policy.js'
import { createDemoPrompter, followSandboxRedirects } from './environment/demo-answers.js'
import { resolveEnvironment } from './environment/resolve-environment.js'
import { closeAgent } from './start/close-agent.js'
import { listenAgent } from './start/listen-agent.js'
import { obtainFullCollection } from './memory/full-collection.js'
import { loadMallocTrim } from './memory/malloc-trim.js'
import { lowerThreadPoolPriorityAtStart } from './platform/thread-pool-priority.js'
import { trimWhenIdle } from './memory/trim-when-idle.js'
import type { RunningAgent, StartAgentOptions, StartStep } from './start/start-agent-options.js'
import { startDesktopTray } from './start/start-desktop-tray.js'
import { UndoStack } from './start/undo-stack.js'
import { wireAgent } from './start/wire-agent.js'

export type { RunningAgent, StartAgentOptions, StartStep } from './start/start-agent-options.js'

/**
 * Start the agent, in three parts: the environment (the sandbox child, when it is the sandbox)
 * and the wiring of its services (start/wire-agent.ts: nothing listens, nothing is written),
 * then listening (start/listen-agent.ts: servers, socket, credential, discovery file), and the
 * tray. Everything started is recorded as it starts; a failure at any step undoes it all, newest
 * first (no port held, no file left, no sandbox child running), and `close()` runs the same list
 * (start/close-agent.ts).
 */
export async function startAgent(options: StartAgentOptions): Promise<RunningAgent> {
  // What the admin's policy fixes is written over the user's settings, in memory only.
  const policy = options.policy ?? { state: PolicyState.none() }
  const opts: StartAgentOptions = { ...options, policy, config: applyPolicy(options.config, policy.state.policy) }
  const { paths } = opts
  const undo = new UndoStack()
  const step = async (name: StartStep) => {
    await opts.onStep?.(name)
  }
  try {
    await step('runtime-dir')
    const created = await mkdir(paths.runtimeDir, { recursive: true, mode: 0o700 })
    if (created !== undefined) undo.push('the runtime directory', () => rmdir(paths.runtimeDir).catch(() => undefined))
    await chmod(paths.runtimeDir, 0o700)
    if (opts.threadPool) await lowerThreadPoolPriorityAtStart(opts.threadPool.size)

    await step('environment')
    const resolved = await resolveEnvironment({ config: opts.config, sandbox: opts.sandbox, sandboxDir: paths.sandboxDir, demo: opts.demo === true, log: opts.log }, undo)

    await step('wiring')
    const demo = opts.demo ? resolved.sandbox?.manifest.demo : undefined
    const prompter = demo ? createDemoPrompter(demo) : opts.prompter
    const wired = await wireAgent(opts, resolved, prompter, opts.iamConnectOpenUrl ?? (demo ? followSandboxRedirects() : undefined))
    undo.push('the key sources, the privacy log and the eHealth HTTP client', async () => {
      await wired.audit.close()
      await wired.keys.close()
      await wired.http.close()
    })
    // Takes over files of earlier versions and of a crash, prunes by age, measures the budget.
    // A log that cannot be opened does not stop the agent: it says so in agent.status and the
    // doctor, and each use of the token fails with ERR_AUDIT_UNAVAILABLE until it can be written.
    await wired.audit.open().catch((err: unknown) => opts.log(`the privacy log could not be opened: ${(err as Error).message}`))

    const url = await listenAgent(opts, wired, resolved.environment.id, undo, step)
    const collect = obtainFullCollection()
    const mallocTrim = loadMallocTrim()
    if (collect || mallocTrim) {
      // After a burst of calls, the memory of the load is given back once the agent is idle: V8's
      // by a full collection, then what that freed inside malloc's heap by malloc_trim.
      const giveBack = () => {
        collect?.()
        mallocTrim?.()
      }
      const stopTrim = trimWhenIdle({ answered: () => wired.rpc.answered(), collect: giveBack, intervalMs: 5000, minRequests: 200, rounds: 3, setTimer: (ms, fn) => opts.clock.setTimer(ms, fn) })
      undo.push('the idle memory trim', async () => stopTrim())
    }
    if (policy.reread) {
      const stop = watchPolicy({
        state: policy.state,
        read: policy.reread,
        intervalMs: policy.pollMs ?? 2000,
        setInterval: (fn, ms) => {
          const timer = setInterval(fn, ms)
          timer.unref()
          return { clear: () => clearInterval(timer) }
        },
        log: opts.log,
      })
      undo.push('the policy watch', async () => stop())
    }

    await step('desktop')
    wired.webPrompter?.connect((promptId) => wired.uiAccess.link({ kind: 'prompt', promptId }))
    let requestQuit!: () => void
    const quitRequested = new Promise<void>((resolve) => (requestQuit = resolve))
    const tray = startDesktopTray(opts, {
      services: wired.services,
      runtimeDir: paths.runtimeDir,
      language: () => wired.language(),
      adminLink: (page) => wired.uiAccess.link({ kind: 'admin', page }),
      onQuit: () => requestQuit(),
      subscribe: wired.subscribe,
      webPrompter: wired.webPrompter,
    })
      .catch((err: unknown) => {
        opts.log(`tray icon: off — ${(err as Error).message}`)
        return undefined
      })
      .then((controller) => {
        wired.setTray(controller)
        return controller
      })

    return {
      url,
      port: opts.config.port,
      services: wired.services,
      sandbox: resolved.sandbox,
      credential: wired.credential,
      credentialFile: paths.credentialFile,
      proxy: wired.proxyDescription,
      ui: { link: (grant) => wired.uiAccess.link(grant) },
      tray,
      quitRequested,
      close: () => closeAgent(wired, tray, undo),
    }
  } catch (err) {
    await undo.unwind().catch((undoErr: unknown) => opts.log(`while undoing a failed start: ${(undoErr as Error).message}`))
    throw err
  }
}
