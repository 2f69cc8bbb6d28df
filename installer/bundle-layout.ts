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

/**
 * The agent's native addon (agent/memory/native/malloc-trim.c): its source and where
 * `npm run build` puts it, from the package root. Linux only; the packages carry it in dist/.
 */
export const NATIVE_ADDON = {
  source: ['agent', 'memory', 'native', 'malloc-trim.c'],
  built: ['dist', 'native', 'malloc-trim.node'],
} as const
