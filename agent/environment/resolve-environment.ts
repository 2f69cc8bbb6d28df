import { X509Certificate } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { ENVIRONMENTS, sandboxEnvironment, type Environment } from '../../protocol/environments.js'
import { AgentError } from '../../protocol/errors.js'
import type { SandboxManifest } from '../../protocol/sandbox-manifest.js'
import type { AgentConfig } from '../config.js'
import type { UndoStack } from '../start/undo-stack.js'
import { fetchSandboxManifest } from './fetch-sandbox-manifest.js'
import { startSandboxChild } from './sandbox-child.js'

/**
 * Where the sandbox comes from when the environment is `sandbox`: one already running at `url`
 * (`--sandbox-url`), or `ehagent sandbox` started as a child of the agent with `command` (how to
 * run `ehagent` again; see {@link startSandboxChild}).
 */
export type SandboxSource = { url: string } | { command: readonly string[]; readyTimeoutMs?: number }

/** The sandbox an agent uses, as its manifest describes it. */
export interface SandboxLink {
  url: string
  manifest: SandboxManifest
  /** The child process the agent started and stops with it; undefined for a sandbox already running. */
  pid: number | undefined
}

/** The environment the agent talks to, and what it trusts there. */
export interface ResolvedEnvironment {
  environment: Environment
  /** STS certificates whose assertions the agent accepts. */
  trustedSigners: X509Certificate[]
  /** The IAM Connect issuer the environment publishes (the sandbox's manifest), if it does. */
  iamConnectIssuer: string | undefined
  /** The keystore to use when the settings name none (the sandbox's demo keystore). */
  defaultKeystore: string | undefined
  sandbox: SandboxLink | undefined
}

export interface ResolveEnvironmentOptions {
  config: AgentConfig
  sandbox: SandboxSource | undefined
  /** The sandbox child's directory (its test PKI). */
  sandboxDir: string
  /** The agent runs with --demo: the sandbox must publish the demo secrets. */
  demo: boolean
  log: (line: string) => void
}

/**
 * The real environments come from protocol/environments.ts and the STS certificates the settings
 * name. The sandbox is a separate program: it is started as a child (or found at its URL), and
 * everything about it comes from its manifest; a sandbox child is recorded in `undo`, so a later
 * failure, or the agent's stop, stops it.
 */
export async function resolveEnvironment(options: ResolveEnvironmentOptions, undo: UndoStack): Promise<ResolvedEnvironment> {
  const { config } = options
  if (config.environment !== 'sandbox') {
    if (options.sandbox) throw new AgentError('ERR_CONFIG_INVALID', `a sandbox URL was given for the ${config.environment} environment`, { detail: 'use --sandbox-url with --env sandbox only' })
    const environment = ENVIRONMENTS[config.environment]
    const trustedSigners = await Promise.all(config.trustedStsCertificates.map(async (f) => new X509Certificate(await readFile(f))))
    if (trustedSigners.length === 0) {
      throw new AgentError('ERR_CONFIG_INVALID', `no trusted STS certificate is configured for ${environment.label}`, {
        detail: 'set trustedStsCertificates in the settings to the PEM file(s) of the eHealth STS signing certificate',
      })
    }
    return { environment, trustedSigners, iamConnectIssuer: undefined, defaultKeystore: undefined, sandbox: undefined }
  }

  const source = options.sandbox
  if (!source) {
    throw new AgentError('ERR_CONFIG_INVALID', 'the sandbox environment needs a sandbox', { detail: 'start the agent with `ehagent start --env sandbox`, or give --sandbox-url' })
  }
  let url: string
  let pid: number | undefined
  if ('url' in source) {
    url = source.url
  } else {
    options.log('starting the eHealth sandbox (ehagent sandbox) as a child process…')
    const child = await startSandboxChild({
      command: source.command,
      sandboxDir: options.sandboxDir,
      demo: options.demo,
      log: options.log,
      ...(source.readyTimeoutMs !== undefined ? { readyTimeoutMs: source.readyTimeoutMs } : {}),
    })
    undo.push('sandbox child process', () => child.stop())
    options.log(`the sandbox runs at ${child.url} (pid ${child.pid})`)
    url = child.url
    pid = child.pid
  }
  const { manifest, stsCertificates } = await fetchSandboxManifest(url)
  if (options.demo && !manifest.demo) {
    throw new AgentError('ERR_CONFIG_INVALID', `the sandbox at ${manifest.url} was not started with --demo, so it publishes no demo secrets`, {
      detail: 'start it with `ehagent sandbox --demo`, or start the agent without --demo',
    })
  }
  const e = manifest.environment
  const environment: Environment = { ...sandboxEnvironment(manifest.url), stsWsTrust: e.stsWsTrust, stsSamlP: e.stsSamlP, idpSso: e.idpSso, services: { ...e.services } }
  const keystore = manifest.keystores.find((k) => k.id === manifest.defaultKeystore)
  return {
    environment,
    trustedSigners: stsCertificates,
    iamConnectIssuer: e.iamConnectIssuer,
    defaultKeystore: keystore?.p12Path,
    sandbox: { url: manifest.url, manifest, pid },
  }
}
