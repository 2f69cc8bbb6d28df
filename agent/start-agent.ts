import { randomBytes, X509Certificate } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { getRequestListener, RequestError } from '@hono/node-server'
import { ENVIRONMENTS, type Environment } from '../protocol/environments.js'
import { formatDiscoveryFile, type DiscoveryFile } from '../protocol/discovery/discovery-file.js'
import { encodeError } from '../protocol/rpc/encode-response.js'
import { AgentError } from '../protocol/errors.js'
import { AuditLog } from './audit.js'
import type { AgentConfig } from './config.js'
import type { Clock } from './clock.js'
import type { DesktopOptions } from './consent/choose-prompter.js'
import { forwardNotices } from './consent/forward-notices.js'
import type { Prompter } from './consent/prompter.js'
import { watchKeyLogin } from './consent/watch-key-login.js'
import { createAgentApp } from './http/app.js'
import { lookupPeerUid } from './http/peer-uid.js'
import { createHttpTransport } from './http-transport.js'
import { KeyRing } from './keys/key-ring.js'
import type { KeySource } from './keys/key-source.js'
import { createPkcs11KeySource } from './keys/pkcs11-key-source.js'
import { createPkcs12KeySource } from './keys/pkcs12-key-source.js'
import { newLocalCredential, writeLocalCredential } from './pairing/local-credential.js'
import { PairedClients } from './pairing/paired-clients.js'
import { RateLimiter } from './pairing/rate-limiter.js'
import type { AgentPaths } from '../protocol/discovery/resolve-paths.js'
import type { AgentServices } from './rpc/method-context.js'
import { startSandbox, type RunningSandbox } from './sandbox/server.js'
import { Session, type SessionEvent } from './session/session.js'
import { createSoapPoster } from './sts-client.js'
import { iamConnectIssuerFor } from './session/iam-connect/iam-connect-issuers.js'
import { openSystemBrowser } from './session/iam-connect/open-system-browser.js'
import { createSessionKeySource } from './keys/session-key-source.js'
import { TrayController } from './tray/tray-controller.js'
import { offeredProfiles } from './tray/tray-menu.js'
import { isLanguage, languageFromLocale, type Language } from './ui/i18n/language.js'
import { UiAccess, type AdminPage, type UiGrant } from './ui/ui-access.js'
import { uiGuards } from './ui/ui-guards.js'
import { createUiRoutes } from './ui/ui-routes.js'

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
  /**
   * The desktop: the web prompter whose prompts the pages show, the tray icon, the system locale
   * (agent/consent/choose-prompter.ts makes it). Absent: the pages are still served (for links
   * made with `RunningAgent.ui.link`), in English unless the settings say otherwise; no tray.
   */
  desktop?: DesktopOptions
  /** How an IAM Connect sign-in reaches the user: the system browser by default; the demo's page walker. */
  iamConnectOpenUrl?: (url: string) => Promise<void>
  /** Key sources to use instead of those the settings name (tests; a host that embeds the agent). */
  keySources?: { keystore?: KeySource; eid?: KeySource }
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
  /** The agent's pages: a fresh one-time link to one (e.g. `ehagent settings` could open it). */
  ui: { link(grant: UiGrant): string }
  /** The tray icon once it started, or undefined when there is none (see the log line). */
  tray: Promise<TrayController | undefined>
  /** Resolves when the user chose Quit in the tray: stop the agent then. */
  quitRequested: Promise<void>
  close(): Promise<void>
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

  const injected = opts.keySources
  let keystore: KeySource | undefined = injected ? injected.keystore : keystorePath ? createPkcs12KeySource({ path: keystorePath }) : undefined
  const wantsEid = config.login.method === 'eid' || config.login.method === 'eid+keystore' || config.login.pkcs11Module !== undefined
  let eid: KeySource | undefined = injected
    ? injected.eid
    : wantsEid
      ? createPkcs11KeySource({
          ...(config.login.pkcs11Module ? { modulePath: config.login.pkcs11Module } : {}),
          ...(config.login.pkcs11TokenLabel ? { token: { label: config.login.pkcs11TokenLabel } } : {}),
        })
      : undefined
  const webPrompter = opts.desktop?.webPrompter
  if (webPrompter) {
    // The sign-in page learns from the key source itself whether the PIN it took was right.
    const report = webPrompter.reportLogin.bind(webPrompter)
    if (keystore) keystore = watchKeyLogin(keystore, report)
    if (eid) eid = watchKeyLogin(eid, report)
  }
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
  let trayController: TrayController | undefined
  // The tray shows the notices too ("renewal needed", errors), whatever Prompter asks the user.
  const prompter = forwardNotices(opts.prompter, (notice) => trayController?.notice(notice))
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
    prompter,
    environment: environment.label,
    lifetimeMs: config.tokenLifetimeMinutes * 60_000,
    random: Math.random,
    onEvent: (event) => {
      sessionEvents.emit('change', event)
      recordSessionEvent(audit, event)
    },
  })
  const clients = await PairedClients.open(paths.clientsFile, () => clock.now())
  let sessionKey: KeySource | undefined
  const services: AgentServices = {
    version: opts.version,
    pid: process.pid,
    environment,
    session,
    keys,
    prompter,
    audit,
    clients,
    post,
    clock,
    newId,
    defaultProfile: config.defaultProfile,
    serviceAllowlist: config.serviceAllowlist,
    iamConnect: {
      issuer: iamConnectIssuerFor(environment),
      openUrl: opts.iamConnectOpenUrl ?? openSystemBrowser(),
      // Without a keystore the token is bound to a key generated for this session (issue 4).
      holderOfKey: () => keystore ?? (sessionKey ??= createSessionKeySource({ now: () => clock.now().getTime() })),
    },
  }

  // Written to its file only once the port is ours: a second start must not retire the credential
  // of the agent already running there.
  const credential = newLocalCredential()
  const peerUid = process.platform === 'linux' && opts.uid !== undefined ? { peerUid: { agentUid: opts.uid, lookup: lookupPeerUid } } : {}
  const onRejected = (info: { reason: string; path: string }) => audit.record({ event: 'rejected', method: info.path, outcome: 'rejected', errorCode: info.reason })
  // The pages are always at http://127.0.0.1:<port>/ui: one origin, so one cookie jar entry.
  const uiAccess = new UiAccess({ clock, origin: `http://127.0.0.1:${config.port}` })
  const uiRoutes = createUiRoutes({
    access: uiAccess,
    desk: webPrompter?.desk,
    services,
    configFile: paths.configFile,
    port: config.port,
    systemLanguage: languageFromLocale(opts.desktop?.locale),
    settingsLanguage: isLanguage(config.language) ? config.language : undefined,
    timeZone: opts.desktop?.timeZone,
    onSettingsSaved: () => trayController?.refresh(),
  })
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
      ...peerUid,
      onRejected,
    },
    ui: {
      routes: uiRoutes.routes,
      // The largest form is the SSO token import (an .ehtoken file, at most 1 MiB of token).
      guard: uiGuards({ port: config.port, maxBodyBytes: 2 * 1024 * 1024, ...peerUid, onRejected, renderRefusal: uiRoutes.renderRefusal }),
    },
  })

  const onMalformed = () => audit.record({ event: 'rejected', outcome: 'rejected', errorCode: 'malformed-request' })
  const servers: Server[] = []
  try {
    servers.push(await listen(app.fetch, { hostname: '127.0.0.1', port: config.port }, onMalformed))
  } catch (err) {
    // Port taken: leave nothing running (the embedded sandbox) and touch no file of the other agent.
    await keys.close().catch(() => undefined)
    await sandbox?.close()
    throw err
  }
  if (opts.ipv6 !== false) {
    try {
      servers.push(await listen(app.fetch, { hostname: '::1', port: config.port }, onMalformed))
    } catch {
      opts.log('IPv6 loopback (::1) is not available; listening on 127.0.0.1 only')
    }
  }
  await rm(paths.socketPath, { force: true })
  const socketServer = await listen(app.fetch, { path: paths.socketPath }, onMalformed)
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
  await writeLocalCredential(paths.credentialFile, credential)
  await writeFile(paths.discoveryFile, formatDiscoveryFile(discovery), { mode: 0o600 })

  webPrompter?.connect((promptId) => uiAccess.link({ kind: 'prompt', promptId }))
  let requestQuit!: () => void
  const quitRequested = new Promise<void>((resolve) => (requestQuit = resolve))
  const tray = startDesktopTray(opts, {
    services,
    runtimeDir: paths.runtimeDir,
    language: () => uiRoutes.language(),
    adminLink: (page) => uiAccess.link({ kind: 'admin', page }),
    onQuit: () => requestQuit(),
    subscribe: (listener) => sessionEvents.on('change', listener),
  })
    .catch((err: unknown) => {
      opts.log(`tray icon: off — ${(err as Error).message}`)
      return undefined
    })
    .then((controller) => (trayController = controller))

  return {
    url,
    port: config.port,
    services,
    sandbox,
    credential,
    credentialFile: paths.credentialFile,
    ui: { link: (grant) => uiAccess.link(grant) },
    tray,
    quitRequested,
    async close() {
      await (await tray)?.stop()
      webPrompter?.disconnect()
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

/**
 * The tray icon, when the desktop asks for one. Never fails the start: a tray that cannot start
 * (no display, no tray host, helper missing or silent) is one clear log line, and the agent goes
 * on with the browser and terminal prompts.
 */
async function startDesktopTray(
  opts: StartAgentOptions,
  parts: {
    services: AgentServices
    runtimeDir: string
    language: () => Language
    adminLink: (page: AdminPage) => string
    onQuit: () => void
    subscribe: (listener: (event: SessionEvent | undefined) => void) => void
  },
): Promise<TrayController | undefined> {
  const desktop = opts.desktop
  if (!desktop) return undefined
  if (!desktop.tray.enabled) {
    opts.log(`tray icon: off — ${desktop.tray.reason}`)
    return undefined
  }
  const { enabled: _enabled, ...helper } = desktop.tray
  const started = await TrayController.start({
    services: parts.services,
    language: parts.language,
    profiles: offeredProfiles(opts.config.defaultProfile),
    platform: process.platform,
    runtimeDir: parts.runtimeDir,
    helper,
    timeZone: desktop.timeZone,
    openUrl: desktop.openUrl,
    adminLink: parts.adminLink,
    onQuit: parts.onQuit,
    log: opts.log,
  })
  if ('reason' in started) {
    opts.log(`tray icon: off — ${started.reason}; sign-in prompts open in the browser`)
    return undefined
  }
  parts.subscribe((event) => started.tray.sessionChanged(event))
  return started.tray
}

type FetchHandler = Parameters<typeof getRequestListener>[0]

/** Listen on a TCP address or a Unix socket; a port in use becomes a clear error. */
function listen(fetch: FetchHandler, where: { hostname: string; port: number } | { path: string }, onMalformed: () => void): Promise<Server> {
  return new Promise((resolve, reject) => {
    // requireHostHeader: false — Node would answer a request without Host with a bare 400 of its
    // own; let it reach refuseMalformed like the other requests that name no host.
    const server = createServer({ requireHostHeader: false }, getRequestListener(fetch, { errorHandler: (err) => refuseMalformed(err, onMalformed) }))
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

/**
 * The HTTP adapter refuses a request it cannot turn into a URL (no Host, a Host that is no host
 * name, a backslash in the path) before the app and its guards see it, with a bare 400. It is
 * answered as the guards answer instead: a JSON-RPC error, recorded as a refusal (threat T18).
 */
function refuseMalformed(err: unknown, onMalformed: () => void): Response {
  const malformed = err instanceof RequestError
  if (malformed) onMalformed()
  const error = malformed
    ? new AgentError('ERR_INVALID_REQUEST', 'the request line or Host header is malformed', { reason: 'malformed-request' })
    : new AgentError('ERR_INTERNAL')
  return new Response(JSON.stringify(encodeError(null, error)), {
    status: malformed ? 400 : 500,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  })
}
