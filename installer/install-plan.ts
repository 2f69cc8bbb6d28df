/** One thing `ehagent install` does, in order. */
export type InstallStep =
  /** Write a file (parents created); the same content every time, so installing twice is a no-op. */
  | { kind: 'file'; path: string; content: string | Uint8Array; mode?: number }
  /** A symbolic link, replaced if it exists (what `systemctl enable` would create). */
  | { kind: 'link'; path: string; target: string }
  /** Make sure a directory exists (recorded as ours when it did not). */
  | { kind: 'dir'; path: string }
  /** Remove a tree that a tool rebuilds (the macOS applet), before building it again. */
  | { kind: 'remove'; path: string }
  | ToolStep

/** A system tool to run. `required`: the install did not work without it (else it is a note). */
export interface ToolStep {
  kind: 'run'
  command: string
  args: string[]
  /** Why, in a few words, for the notes when it fails or is missing. */
  why: string
  required: boolean
}

/**
 * A database a tool derives from the files we install (shared-mime-info, the desktop entry
 * cache). On uninstall it is rebuilt, or removed whole when install created its directory and
 * nothing but derived data is left in it.
 */
export interface DerivedDatabase {
  dir: string
  /** Entries of `dir` that are sources (anything else there is derived): `packages` for MIME. */
  sources: 'mime-packages' | 'desktop-entries'
  refresh: ToolStep
}

/** Everything install and uninstall do on one platform: generated, pure, so it is tested as data. */
export interface InstallPlan {
  platform: string
  install: InstallStep[]
  /** Before removing files: stop the service. */
  beforeRemove: ToolStep[]
  /** Files, links and trees install created and uninstall removes. */
  remove: { path: string; tree?: boolean }[]
  databases: DerivedDatabase[]
  /** After removing files (e.g. `systemctl --user daemon-reload`). */
  afterRemove: ToolStep[]
  /** Where install records the directories it created. */
  manifestPath: string
  /** The user's data, which uninstall leaves and names. */
  dataLeft: { what: string; path: string }[]
  /** Said after install: how it starts, what to do next. */
  summary: string[]
  /** Where to read why the service did not start (a command, or the log file). */
  serviceLog: string
  /** The install starts the agent now (not `--no-start`): `ehagent install` then waits for it to answer. */
  startsAgent: boolean
}
