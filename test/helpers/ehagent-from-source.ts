/**
 * The `ehagent` command run from the TypeScript sources (`node --import tsx
 * test/helpers/ehagent-from-source.ts start …`), for tests that need the real agent in a process
 * of its own (its RSS, its sockets, its survival) without depending on a fresh `npm run build`.
 * The same wiring as agent/main.ts (which reads package.json relative to dist/ and so only runs
 * compiled), plus one test hook: with `node --expose-gc`, SIGUSR2 runs a full garbage collection
 * and prints `ehagent-test-memory {process.memoryUsage()}` on stderr, so a memory reading is not
 * at the mercy of when V8 last collected.
 */
import { homedir } from 'node:os'
import { parseArgs } from '../../clients/cli/parse-args.js'
import { runCli } from '../../clients/cli/run-cli.js'

const gc = (globalThis as { gc?: () => void }).gc
if (gc) {
  process.on('SIGUSR2', () => {
    gc()
    // One line the test reads back: the heap after the collection.
    process.stderr.write(`ehagent-test-memory ${JSON.stringify(process.memoryUsage())}\n`)
  })
}

const stopSignal = new Promise<void>((resolve) => {
  process.once('SIGINT', resolve)
  process.once('SIGTERM', resolve)
})
const code = await runCli({
  args: parseArgs(process.argv.slice(2)),
  pathContext: {
    platform: process.platform,
    home: homedir(),
    uid: process.getuid?.() ?? 0,
    env: {
      XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME,
      XDG_STATE_HOME: process.env.XDG_STATE_HOME,
      XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR,
      APPDATA: process.env.APPDATA,
      LOCALAPPDATA: process.env.LOCALAPPDATA,
    },
  },
  version: 'test',
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  stopSignal,
})
process.exitCode = code
setImmediate(() => process.exit(code))
