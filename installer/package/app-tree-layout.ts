import { posix, win32 } from 'node:path'
import { buildAgentCommand, buildNativeHostCommand, type InstallContext } from '../install-context.js'

/**
 * Where things sit in the application tree, relative to its root. The tree is the repository's
 * `bin/` and `dist/` as `npm run build` left them, its production `node_modules/`, and these
 * additions; everything inside `dist/` is found through bin/ehagent.js or the installer's own
 * helpers (install-context.ts), never named here.
 */
export const APP_TREE = {
  /** The Node.js runtime (Windows: `runtime\\node.exe`) and its licence. */
  runtimeDir: 'runtime',
  /** The entry point every command goes through. */
  bin: 'bin/ehagent.js',
  /** The launcher: `ehagent` (sh) on Linux, `ehagent.cmd` on Windows. */
  launcher: { linux: 'ehagent', win32: 'ehagent.cmd' },
  /** The browser extension's native messaging host wrapper and (Windows) its manifest. */
  nativeHost: { linux: 'native-messaging-host', win32: 'native-messaging-host.bat' },
} as const

export type TreePlatform = 'linux' | 'win32'

/** The runtime binary's path in the tree. */
export function runtimePath(platform: TreePlatform): string {
  return `${APP_TREE.runtimeDir}/${platform === 'win32' ? 'node.exe' : 'node'}`
}

/**
 * The installer's view of a tree installed at `root` (an absolute path on the target OS): the
 * bundled runtime as the node, the tree's bin/ehagent.js as the program, as `ehagent install`
 * run from that tree would see itself.
 */
export function treeInstallContext(platform: TreePlatform, root: string): InstallContext {
  const p = platform === 'win32' ? win32 : posix
  return {
    platform,
    home: platform === 'win32' ? 'C:\\Users\\user' : '/home/user',
    env: {},
    nodePath: p.join(root, ...runtimePath(platform).split('/')),
    binPath: p.join(root, ...APP_TREE.bin.split('/')),
  }
}

/** The command line that runs the agent from a tree at `root`, with arguments. */
export function treeAgentCommand(platform: TreePlatform, root: string, ...args: string[]): string[] {
  return buildAgentCommand(treeInstallContext(platform, root), ...args)
}

/** The command line that runs the native messaging host from a tree at `root`. */
export function treeNativeHostCommand(platform: TreePlatform, root: string): string[] {
  return buildNativeHostCommand(treeInstallContext(platform, root))
}
