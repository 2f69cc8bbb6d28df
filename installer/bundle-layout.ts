/**
 * Where `npm run build` puts the bundled programs (installer/build/bundle-programs.ts), relative
 * to the package root: what bin/ehagent.js runs, what the native messaging host's wrapper runs,
 * and what the packages carry. bin/ehagent.js, plain JavaScript, names the same file.
 */
export const BUNDLE_DIR = ['dist', 'bundle'] as const

/** Each bundled program: its file name in {@link BUNDLE_DIR} (without `.js`) and its source entry point. */
export const BUNDLE_ENTRIES = {
  /** The `ehagent` command (bin/ehagent.js imports it and calls `main`). */
  ehagent: { source: 'clients/cli/main.ts' },
  /** The browser extension's native messaging host, a program of its own that Chrome starts. */
  'native-host': { source: 'clients/browser-extension/host/main.ts' },
} as const

export type BundledProgram = keyof typeof BUNDLE_ENTRIES

/** The path segments of a bundled program's file, from the package root. */
export function bundledProgramPath(program: BundledProgram): string[] {
  return [...BUNDLE_DIR, `${program}.js`]
}

/** A native addon of the agent: its C source and where `npm run build` puts it, from the package root. */
export interface NativeAddon {
  /** The module name compiled in (NODE_GYP_MODULE_NAME). */
  readonly name: string
  readonly source: readonly string[]
  readonly built: readonly string[]
}

/**
 * The agent's native addons, each one C file with one job. Linux only; the packages carry them in
 * dist/native/, and the agent runs without them, only slower or bigger (each loader says how).
 */
export const NATIVE_ADDONS = {
  /** glibc's malloc_trim (agent/memory/malloc-trim.ts). */
  mallocTrim: { name: 'malloc_trim', source: ['agent', 'memory', 'native', 'malloc-trim.c'], built: ['dist', 'native', 'malloc-trim.node'] },
  /** A TCP socket's owner by its 4-tuple, from the kernel's sock_diag (agent/callers/linux/sock-diag.ts). */
  sockDiag: { name: 'sock_diag', source: ['agent', 'callers', 'linux', 'native', 'sock-diag.c'], built: ['dist', 'native', 'sock-diag.node'] },
  /** libuv's threadpool threads at a lower priority than the event loop (agent/platform/thread-pool-priority.ts). */
  threadPoolPriority: {
    name: 'thread_pool_priority',
    source: ['agent', 'platform', 'native', 'thread-pool-priority.c'],
    built: ['dist', 'native', 'thread-pool-priority.node'],
  },
} as const satisfies Record<string, NativeAddon>
