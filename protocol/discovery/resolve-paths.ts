import { join } from 'node:path'

/** Where the agent keeps its files. */
export interface AgentPaths {
  /** The settings (JSON). */
  configFile: string
  /** Paired applications (credential hashes only). */
  clientsFile: string
  /** The privacy log. */
  auditDir: string
  /** User-private runtime files: discovery file, local credential, Unix socket. */
  runtimeDir: string
  discoveryFile: string
  credentialFile: string
  socketPath: string
  /** The embedded sandbox's test PKI. */
  sandboxDir: string
}

/** What path resolution needs to know about the machine; gathered by agent/main.ts. */
export interface PathContext {
  platform: string
  home: string
  uid: number
  env: { XDG_CONFIG_HOME?: string; XDG_STATE_HOME?: string; XDG_RUNTIME_DIR?: string; APPDATA?: string; LOCALAPPDATA?: string }
}

/** The variables path resolution reads, picked out of an environment (and nothing else of it). */
export function pathEnvironment(env: Record<string, string | undefined>): PathContext['env'] {
  return {
    XDG_CONFIG_HOME: env.XDG_CONFIG_HOME,
    XDG_STATE_HOME: env.XDG_STATE_HOME,
    XDG_RUNTIME_DIR: env.XDG_RUNTIME_DIR,
    APPDATA: env.APPDATA,
    LOCALAPPDATA: env.LOCALAPPDATA,
  }
}

/**
 * The agent's directories: everything under `stateDir` when given (`--state-dir`, tests and
 * scripts), otherwise the per-user defaults of the platform (XDG on Linux, ~/Library on macOS,
 * %APPDATA% on Windows). The runtime directory is the user's private one ($XDG_RUNTIME_DIR),
 * so another user on the same machine cannot read the port file or the credential (threat T5).
 */
export function resolvePaths(stateDir: string | undefined, ctx: PathContext): AgentPaths {
  let config: string
  let state: string
  let runtime: string
  if (stateDir) {
    config = state = stateDir
    runtime = join(stateDir, 'run')
  } else if (ctx.platform === 'win32') {
    config = join(ctx.env.APPDATA ?? join(ctx.home, 'AppData', 'Roaming'), 'ehealth-agent')
    state = join(ctx.env.LOCALAPPDATA ?? join(ctx.home, 'AppData', 'Local'), 'ehealth-agent')
    runtime = join(state, 'run')
  } else if (ctx.platform === 'darwin') {
    config = state = join(ctx.home, 'Library', 'Application Support', 'ehealth-agent')
    runtime = join(config, 'run')
  } else {
    config = join(ctx.env.XDG_CONFIG_HOME || join(ctx.home, '.config'), 'ehealth-agent')
    state = join(ctx.env.XDG_STATE_HOME || join(ctx.home, '.local', 'state'), 'ehealth-agent')
    runtime = ctx.env.XDG_RUNTIME_DIR ? join(ctx.env.XDG_RUNTIME_DIR, 'ehealth-agent') : join(state, 'run')
  }
  return {
    configFile: join(config, 'config.json'),
    clientsFile: join(state, 'clients.json'),
    auditDir: join(state, 'audit'),
    runtimeDir: runtime,
    discoveryFile: join(runtime, 'agent.json'),
    credentialFile: join(runtime, 'credential'),
    socketPath: join(runtime, 'agent.sock'),
    sandboxDir: join(state, 'sandbox'),
  }
}
