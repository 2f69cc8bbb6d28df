/** What the host is told on its command line. */
export interface HostArguments {
  /** The extension that started the host, from the origin Chrome passes. */
  extensionId: string
  /** The agent's `--state-dir`, when the installer's wrapper was made with one. */
  stateDir?: string
}

/**
 * Read the host's arguments: `--state-dir DIR` (from the installer's wrapper script, which runs
 * the host as the agent's service runs the agent), then what Chrome appends: the calling
 * extension's origin `chrome-extension://<id>/`, and on Windows `--parent-window=<handle>`.
 * Chrome passes nothing else, so anything else is a mistake, said plainly.
 */
export function readHostArguments(argv: readonly string[]): HostArguments {
  let extensionId: string | undefined
  let stateDir: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const origin = /^chrome-extension:\/\/([a-p]{32})\/$/.exec(arg)
    if (origin) {
      extensionId = origin[1]
    } else if (arg === '--state-dir' && i + 1 < argv.length) {
      stateDir = argv[++i]
    } else if (arg.startsWith('--state-dir=')) {
      stateDir = arg.slice('--state-dir='.length)
    } else if (!arg.startsWith('--parent-window=')) {
      throw new Error(`unexpected argument ${JSON.stringify(arg)}`)
    }
  }
  if (extensionId === undefined) {
    throw new Error('no calling extension: this is a native messaging host, started by Chrome with the extension origin chrome-extension://<id>/')
  }
  if (stateDir === '') throw new Error('--state-dir needs a directory')
  return stateDir === undefined ? { extensionId } : { extensionId, stateDir }
}
