import { X509Certificate } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { ENVIRONMENTS, sandboxEnvironment, type Environment } from '../../protocol/environments.js'
import { AgentError } from '../../protocol/errors.js'
import type { SandboxManifest } from '../../protocol/sandbox-manifest.js'
import type { StsSignerChain } from '../../protocol/saml/check-sts-signer.js'
import type { AgentConfig } from '../config.js'
import type { UndoStack } from '../start/undo-stack.js'
import { loadCaBundle, type BundledCa } from '../trust/load-ca-bundle.js'
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

/** Whose assertions the agent accepts: a signer of the environment's CAs named as its STS, or a pinned certificate. */
export interface StsTrust {
  chain: StsSignerChain
  /** The settings' `trustedStsCertificates`: accepted as they are, next to the chain. */
  pinned: X509Certificate[]
  /** The shipped CA files of a real environment (for doctor and the banner); empty for the sandbox. */
  bundle: BundledCa[]
}

/** The environment the agent talks to, and what it trusts there. */
export interface ResolvedEnvironment {
  environment: Environment
  trust: StsTrust
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
 * The real environments come from protocol/environments.ts and the CA bundle shipped for them
 * (agent/trust), plus any STS certificate the settings pin. The sandbox is a separate program: it is started as a child (or found at its URL), and
 * everything about it comes from its manifest; a sandbox child is recorded in `undo`, so a later
 * failure, or the agent's stop, stops it.
 */
export async function resolveEnvironment(options: ResolveEnvironmentOptions, undo: UndoStack): Promise<ResolvedEnvironment> {
  const { config } = options
  const pinned = await readPinnedCertificates(config.trustedStsCertificates)
  if (config.environment !== 'sandbox') {
    if (options.sandbox) throw new AgentError('ERR_CONFIG_INVALID', `a sandbox URL was given for the ${config.environment} environment`, { detail: 'use --sandbox-url with --env sandbox only' })
    const environment = ENVIRONMENTS[config.environment]
    // The shipped CA bundle and the STS's name are enough: no STS certificate to configure, and
    // a rotation of the STS signer under the same CAs needs nothing from the user.
    const bundle = await loadCaBundle(config.environment)
    const trust = { chain: { cas: bundle.map((b) => b.certificate), signerOu: environment.stsSignerOu }, pinned, bundle }
    return { environment, trust, iamConnectIssuer: undefined, defaultKeystore: undefined, sandbox: undefined }
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
  const { manifest } = await fetchSandboxManifest(url)
  if (options.demo && !manifest.demo) {
    throw new AgentError('ERR_CONFIG_INVALID', `the sandbox at ${manifest.url} was not started with --demo, so it publishes no demo secrets`, {
      detail: 'start it with `ehagent sandbox --demo`, or start the agent without --demo',
    })
  }
  const e = manifest.environment
  const environment: Environment = { ...sandboxEnvironment(manifest.url), stsWsTrust: e.stsWsTrust, stsSamlP: e.stsSamlP, idpSso: e.idpSso, services: { ...e.services } }
  const keystore = manifest.keystores.find((k) => k.id === manifest.defaultKeystore)
  // The sandbox's test CAs, as the shipped bundle for a real environment: its STS signer is
  // trusted by chain and name, so a rotated signer keeps working and a look-alike does not.
  const cas = manifest.trust.caCertificates.map((ca) => new X509Certificate(ca.pem))
  return {
    environment,
    trust: { chain: { cas, signerOu: environment.stsSignerOu }, pinned, bundle: [] },
    iamConnectIssuer: e.iamConnectIssuer,
    defaultKeystore: keystore?.p12Path,
    sandbox: { url: manifest.url, manifest, pid },
  }
}

/** The PEM files of `trustedStsCertificates`, each named when it cannot be read. */
async function readPinnedCertificates(files: readonly string[]): Promise<X509Certificate[]> {
  return Promise.all(
    files.map(async (file) => {
      try {
        return new X509Certificate(await readFile(file))
      } catch (err) {
        throw new AgentError('ERR_CONFIG_INVALID', `trustedStsCertificates: ${file} is not a readable PEM certificate (${(err as Error).message})`, {
          detail: 'fix or remove the entry in the settings; the shipped CA bundle needs no STS certificate',
        })
      }
    }),
  )
}
