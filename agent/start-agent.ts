import { randomBytes, X509Certificate } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import type { Server } from 'node:http'
import { createAdaptorServer } from '@hono/node-server'
import { ENVIRONMENTS, type Environment } from '../protocol/environments.js'
import { AgentError } from '../protocol/rpc/errors.js'
import { AuditLog } from './audit.js'
import type { AgentConfig } from './config.js'
import type { Clock } from './clock.js'
import type { Prompter } from './consent/prompter.js'
import { createAgentApp } from './http/app.js'
import { lookupPeerUid } from './http/peer-uid.js'
import { createHttpTransport } from './http-transport.js'
import { KeyRing } from './keys/key-ring.js'
import type { KeySource } from './keys/key-source.js'
import { createPkcs11KeySource } from './keys/pkcs11-key-source.js'
import { createPkcs12KeySource } from './keys/pkcs12-key-source.js'
import { writeLocalCredential } from './pairing/local-credential.js'
import { PairedClients } from './pairing/paired-clients.js'
import { RateLimiter } from './pairing/rate-limiter.js'
import type { AgentPaths } from './paths.js'
import type { AgentServices } from './rpc/method-context.js'
import { startSandbox, type RunningSandbox } from './sandbox/server.js'
import { Session } from './session/session.js'
import { createSoapPoster } from './sts-client.js'

/** Everything start-up needs, resolved by agent/main.ts (the only reader of argv and env). */
export interface StartAgentOptions {
  paths: AgentPaths
  config: AgentConfig
  version: string
  clock: Clock
  prompter: Prompter
  /** Prints progress and the banner. */
  log: (line: string) => void
  /** Linux peer-uid check (threat T5); the agent's uid. */
  uid?: number
  /** Listen on ::1 too (default true). */
  ipv6?: boolean
}

/** A running agent. */
export interface RunningAgent {
  url: string
  port: number
  services: AgentServices
  sandbox: RunningSandbox | undefined
  credential: string
  /** Where the same user's CLI finds the credential. */
  credentialFile: string
  close(): Promise<void>
}

/** What the discovery file tells local clients (threat T6: in the user's private runtime dir). */
export interface DiscoveryFile {
  port: number
  pid: number
  version: string
  environment: string
  url: string
  socket: string
  credentialFile: string
  startedAt: string
}

/**
 * Wire the agent once and start it: environment (and the embedded sandbox when asked), key
 * sources, session, privacy log, paired clients, the HTTP app on 127.0.0.1 (and ::1) plus a
 * per-user Unix socket, the local credential and the discovery file.
 */
export async function startAgent(opts: StartAgentOptions): Promise<RunningAgent> {
  const { config, paths, clock } = opts
  await mkdir(paths.runtimeDir, { recursive: true, mode: 0o700 })
  await chmod(paths.runtimeDir, 0o700)

  let sandbox: RunningSandbox | undefined
  let environment: Environment
  let trustedSigners: X509Certificate[]
  let keystorePath = config.login.keystore
  if (config.environment === 'sandbox') {
    opts.log('starting the embedded eHealth sandbox…')
    sandbox = await startSandbox({ stateDir: paths.sandboxDir, port: 0 })
    environment = sandbox.environment
    trustedSigners = [new X509Certificate(sandbox.state.pki.sts.certificatePem)]
    keystorePath ??= sandbox.state.pki.keystores.doctor.p12Path
  } else {
    environment = ENVIRONMENTS[config.environment]
    trustedSigners = await Promise.all(config.trustedStsCertificates.map(async (f) => new X509Certificate(await readFile(f))))
    if (trustedSigners.length === 0) {
      throw new AgentError('ERR_CONFIG_INVALID', `no trusted STS certificate is configured for ${environment.label}`, {
        detail: 'set trustedStsCertificates in the settings to the PEM file(s) of the eHealth STS signing certificate',
      })
    }
  }

  const keystore: KeySource | undefined = keystorePath ? createPkcs12KeySource({ path: keystorePath }) : undefined
  const wantsEid = config.login.method === 'eid' || config.login.method === 'eid+keystore' || config.login.pkcs11Module !== undefined
  const eid: KeySource | undefined = wantsEid
    ? createPkcs11KeySource({
        ...(config.login.pkcs11Module ? { modulePath: config.login.pkcs11Module } : {}),
        ...(config.login.pkcs11TokenLabel ? { token: { label: config.login.pkcs11TokenLabel } } : {}),
      })
    : undefined
  const keys = new KeyRing({ ...(keystore ? { keystore } : {}), ...(eid ? { eid } : {}) })

  const extraCa = config.caBundle ? [await readFile(config.caBundle, 'utf8')] : []
  const post = createSoapPoster({
    transport: createHttpTransport({ extraCaPem: extraCa }),
    sleep: (ms) => clock.sleep(ms),
    random: Math.random,
    userAgent: `ehealth-agent/${opts.version}`,
    onRetry: (r) => opts.log(`eHealth did not answer (${r.reason}); retrying in ${(r.delayMs / 1000).toFixed(1)} s`),
  })
  const newId = () => randomBytes(16).toString('hex')
  const audit = new AuditLog({ dir: paths.auditDir, clock: () => clock.now() })
  audit.onError = (err) => opts.log(`the privacy log could not be written: ${(err as Error).message}`)
  const sessionEvents = new EventEmitter()
  const session = new Session({
    exchange: {
      post,
      stsUrl: environment.stsWsTrust,
      protocol: config.stsProtocol,
      samlpUrl: environment.stsSamlP,
      trustedSigners,
      now: () => clock.now(),
      newId,
    },
    clock,
    prompter: opts.prompter,
    environment: environment.label,
    lifetimeMs: config.tokenLifetimeMinutes * 60_000,
    random: Math.random,
    onEvent: (event) => {
      sessionEvents.emit('change')
      recordSessionEvent(audit, event)
    },
  })
  const clients = await PairedClients.open(paths.clientsFile, () => clock.now())
  const services: AgentServices = {
    version: opts.version,
    pid: process.pid,
    environment,
    session,
    keys,
    prompter: opts.prompter,
    audit,
    clients,
    post,
    clock,
    newId,
    defaultProfile: config.defaultProfile,
    serviceAllowlist: config.serviceAllowlist,
  }

  const credential = await writeLocalCredential(paths.credentialFile)
  const app = createAgentApp({
    services,
    clients,
    // Generous enough for batch signing by practice software; a runaway client is still stopped.
    rateLimiter: new RateLimiter({ ratePerSecond: 500, burst: 1000, clock: () => Date.now() }),
    localCredential: credential,
    onSessionChange: (listener) => {
      sessionEvents.on('change', listener)
      return () => sessionEvents.off('change', listener)
    },
    guards: {
      port: config.port,
      allowedOrigins: config.allowedExtensionIds.map((id) => `chrome-extension://${id}`),
      maxBodyBytes: 80 * 1024 * 1024,
      ...(process.platform === 'linux' && opts.uid !== undefined ? { peerUid: { agentUid: opts.uid, lookup: lookupPeerUid } } : {}),
      onRejected: (info) => audit.record({ event: 'rejected', method: info.path, outcome: 'rejected', errorCode: info.reason }),
    },
  })

  const servers: Server[] = []
  servers.push(await listen(app.fetch, { hostname: '127.0.0.1', port: config.port }))
  if (opts.ipv6 !== false) {
    try {
      servers.push(await listen(app.fetch, { hostname: '::1', port: config.port }))
    } catch {
      opts.log('IPv6 loopback (::1) is not available; listening on 127.0.0.1 only')
    }
  }
  await rm(paths.socketPath, { force: true })
  const socketServer = await listen(app.fetch, { path: paths.socketPath })
  await chmod(paths.socketPath, 0o600)
  servers.push(socketServer)

  const url = `http://127.0.0.1:${config.port}`
  const discovery: DiscoveryFile = {
    port: config.port,
    pid: process.pid,
    version: opts.version,
    environment: environment.id,
    url,
    socket: paths.socketPath,
    credentialFile: paths.credentialFile,
    startedAt: clock.now().toISOString(),
  }
  await writeFile(paths.discoveryFile, JSON.stringify(discovery, null, 2) + '\n', { mode: 0o600 })

  return {
    url,
    port: config.port,
    services,
    sandbox,
    credential,
    credentialFile: paths.credentialFile,
    async close() {
      await session.logout('user').catch(() => undefined)
      for (const s of servers) {
        ;(s as Server & { closeAllConnections?: () => void }).closeAllConnections?.()
        await new Promise<void>((r) => s.close(() => r()))
      }
      await rm(paths.discoveryFile, { force: true })
      await rm(paths.socketPath, { force: true })
      await audit.flush()
      await keys.close()
      await sandbox?.close()
    },
  }
}

type FetchHandler = Parameters<typeof createAdaptorServer>[0]['fetch']

/** Listen on a TCP address or a Unix socket; a port in use becomes a clear error. */
function listen(fetch: FetchHandler, where: { hostname: string; port: number } | { path: string }): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createAdaptorServer({ fetch }) as Server
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' && 'port' in where) {
        reject(new AgentError('ERR_CONFIG_INVALID', `port ${where.port} on ${where.hostname} is already in use`, { port: where.port, detail: 'port in use' }))
      } else reject(err)
    })
    if ('path' in where) server.listen(where.path, () => resolve(server))
    else server.listen(where.port, where.hostname, () => resolve(server))
  })
}

function recordSessionEvent(audit: AuditLog, event: Parameters<NonNullable<ConstructorParameters<typeof Session>[0]['onEvent']>>[0]): void {
  switch (event.type) {
    case 'login':
      audit.record({
        event: 'login',
        client: { name: event.client.client },
        token: { assertionId: event.token.assertion.assertionId, subject: event.token.assertion.nameIdentifier.value, profile: event.token.profile.id },
        outcome: 'ok',
      })
      break
    case 'renewal':
      audit.record({ event: 'renewal', token: { assertionId: event.token.assertion.assertionId, subject: event.token.assertion.nameIdentifier.value }, outcome: 'ok' })
      break
    case 'renewal-failed':
      audit.record({ event: 'renewal', outcome: 'error', errorCode: event.error.code })
      break
    case 'logout':
      audit.record({ event: 'logout', ...(event.assertionId ? { token: { assertionId: event.assertionId, subject: '' } } : {}), outcome: 'ok' })
      break
  }
}
