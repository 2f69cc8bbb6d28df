import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { parseArgs } from '../clients/cli/parse-args.js'
import { runCli } from '../clients/cli/run-cli.js'

/**
 * The process entry point (bin/ehagent.js): the only place that reads process.argv and the
 * environment (ARCHITECTURE.md); everything else receives what it needs.
 */
async function main(): Promise<void> {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
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
    version: pkg.version,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    stopSignal,
  })
  process.exitCode = code
  // The agent's timers are unref'd; sockets are closed by then. Exit now rather than linger.
  setImmediate(() => process.exit(code))
}

void main()
