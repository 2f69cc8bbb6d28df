import { EventEmitter } from 'node:events'
import type { Socket } from 'node:net'
import { AuditLog } from '../audit.js'
import { choosePeerIdentifier } from '../callers/choose-peer-identifier.js'
import { identifyEarly } from '../callers/identify-early.js'
import type { Prompter } from '../consent/prompter.js'
import { forwardNotices } from '../consent/forward-notices.js'
import type { WebPrompter } from '../consent/web-prompter.js'
import { watchKeyLogin } from '../consent/watch-key-login.js'
import type { ResolvedEnvironment } from '../environment/resolve-environment.js'
import type { Hono } from 'hono'
import { createRpcEndpoint, type RpcEndpoint } from '../http/rpc-endpoint.js'
import { createRandomIds } from '../random-ids.js'
import { lookupPeerUid } from '../http/peer-uid.js'
import { KeyRing } from '../keys/key-ring.js'
import type { KeySource } from '../keys/key-source.js'
import { createPkcs11KeySource } from '../keys/pkcs11-key-source.js'
import { createPkcs12KeySource } from '../keys/pkcs12-key-source.js'
import { createHttpClient, type HttpClient } from '../net/http-client.js'
import { readExtraCa } from '../net/read-extra-ca.js'
import { describeProxyPlan, proxyLayers, resolveProxyPlan } from '../net/resolve-proxy.js'
import { createSessionKeySource } from '../keys/session-key-source.js'
import { newLocalCredential } from '../pairing/local-credential.js'
import { PairedClients } from '../pairing/paired-clients.js'
import { PolicyState } from '../policy/policy-state.js'
import { selectPlatform } from '../platform/select-platform.js'
import { RateLimiter } from '../pairing/rate-limiter.js'
import type { AgentServices } from '../rpc/method-context.js'
import { iamConnectIssuerFor } from '../session/iam-connect/iam-connect-issuers.js'
import { openSystemBrowser } from '../session/iam-connect/open-system-browser.js'
import { Session, type SessionEvent } from '../session/session.js'
import { createSoapPoster } from '../sts-client.js'
import type { TrayController } from '../tray/tray-controller.js'
import { chooseLanguage, isLanguage, languageFromLocale, type Language } from '../ui/i18n/language.js'
import { UiAccess } from '../ui/ui-access.js'
import type { UiRoutes } from '../ui/ui-routes.js'
import { recordSessionEvent } from './record-session-event.js'
import type { StartAgentOptions } from './start-agent-options.js'

/** The agent's parts, connected, before anything listens. */
export interface WiredAgent {
  services: AgentServices
  keys: KeyRing
  audit: AuditLog
  session: Session
  /** The API's guard, credential check and JSON-RPC answer (the listener's direct path uses them). */
  rpc: RpcEndpoint
  /** The hono app (the API again, the event stream, the pages), built when first needed. */
  buildApp(): Promise<Hono>
  /** The one client for eHealth traffic (keep-alive pools; closed on stop). */
  http: HttpClient
  /** The proxy in effect, masked (`direct (…)` without one), for the banner. */
  proxyDescription: string | undefined
  /** Given to the same user's CLI through the credential file, once the port is ours. */
  credential: string
  uiAccess: UiAccess
  /** The pages' language, as the settings and the system locale decide it now. */
  language(): Language
  webPrompter: WebPrompter | undefined
  /** Session changes, for the tray and the event stream. */
  subscribe(listener: (event: SessionEvent | undefined) => void): void
  /** The tray, once it started: it shows notices and refreshes after a settings change. */
  setTray(tray: TrayController | undefined): void
  /** A refused malformed request, for the privacy log (the HTTP adapter reports them). */
  onMalformed(): void
  /** A connection from a peer that is not loopback, closed unanswered by the listener (threat T12). */
  onForeignPeer(peer: string): void
  /** A socket was accepted: the program behind it is looked up from now (agent/callers). */
  onConnection(socket: Socket): void
}

/**
 * Build and connect the agent's parts: key sources, STS client, session, privacy log, paired
 * clients, the HTTP app and its pages. Reads what it needs (the extra CAs, the paired clients)
 * but starts nothing and writes nothing: a failure here leaves nothing behind, and the key
 * sources and the HTTP client it made are closed by the caller's undo list.
 */
export async function wireAgent(opts: StartAgentOptions, resolved: ResolvedEnvironment, prompterIn: Prompter, iamConnectOpenUrl: ((url: string) => Promise<void>) | undefined): Promise<WiredAgent> {
  const { config, paths, clock } = opts
  const { environment, trust } = resolved
  const keystorePath = config.login.keystore ?? resolved.defaultKeystore

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

  // Proxy: the admin policy, --proxy, then the settings, then HTTPS_PROXY/HTTP_PROXY/NO_PROXY (agent/net/resolve-proxy.ts).
  // The admin policy's proxy first (read at start: a proxy change in the policy applies at the next start).
  const fixed = opts.policy?.state
  const policyProxy = fixed?.policy.proxy !== undefined ? { proxy: fixed.policy.proxy, noProxy: fixed.policy.noProxy, source: fixed.source } : undefined
  const layers = proxyLayers({ policy: policyProxy, commandLine: opts.network?.commandLine, settings: config, environment: opts.network?.environment ?? {} })
  const plan = resolveProxyPlan(layers)
  const proxyDescription = plan.https || plan.http ? describeProxyPlan(plan, layers) : undefined
  const extraCa = config.extraCaFile ? await readExtraCa(config.extraCaFile) : []
  const http = createHttpClient({ proxy: plan, extraCaPem: extraCa, ...(opts.network?.proxyLoopback ? { proxyLoopback: true } : {}) })
  if (proxyDescription) {
    const local = environment.id === 'sandbox' && !opts.network?.proxyLoopback
    opts.log(local ? `proxy ${proxyDescription}: not used for the sandbox, which runs on this machine` : `eHealth traffic goes through the proxy ${proxyDescription}`)
  }
  const post = createSoapPoster({
    transport: http.request,
    sleep: (ms) => clock.sleep(ms),
    now: () => clock.now().getTime(),
    random: Math.random,
    userAgent: `ehealth-agent/${opts.version}`,
    onRetry: (r) => opts.log(`eHealth did not answer (${r.reason}); retrying in ${(r.delayMs / 1000).toFixed(1)} s`),
  })
  const newId = createRandomIds()
  const audit = new AuditLog({
    dir: paths.auditDir,
    clock: () => clock.now(),
    limits: { retentionMonths: config.privacyLog.retentionMonths, budgetBytes: config.privacyLog.maxDiskMiB * 1024 * 1024, warnPercent: config.privacyLog.warnAtPercent },
    schedule: (ms, fn) => clock.setTimer(ms, fn),
  })
  audit.onError = (err) => opts.log(`the privacy log could not be written: ${(err as Error).message}`)
  let trayController: TrayController | undefined
  // Nearly full, full, failing and back: in the agent's log with where the files are, and in the tray.
  audit.onStateChange = (status) => {
    opts.log(status.message ? `privacy log (${paths.auditDir}): ${status.message}` : `privacy log: ${status.state} again`)
    trayController?.refresh()
  }
  const sessionEvents = new EventEmitter()
  // The tray shows the notices too ("renewal needed", errors), whatever Prompter asks the user.
  const prompter = forwardNotices(prompterIn, (notice) => trayController?.notice(notice))
  /** The key IAM Connect sign-ins bind the token to when there is no keystore; made on first use. */
  let sessionKey: KeySource | undefined
  const session = new Session({
    exchange: {
      post,
      stsUrl: environment.stsWsTrust,
      protocol: config.stsProtocol,
      samlpUrl: environment.stsSamlP,
      trustedSigners: trust.pinned,
      signerChain: trust.chain,
      now: () => clock.now(),
      newId,
    },
    clock,
    prompter,
    environment: environment.label,
    lifetimeMs: config.tokenLifetimeMinutes * 60_000,
    random: Math.random,
    // Locked at every logout and after every failed sign-in, whichever of them a sign-in used.
    keySources: () => [keystore, eid, sessionKey].filter((k): k is KeySource => k !== undefined),
    onEvent: (event) => {
      sessionEvents.emit('change', event)
      recordSessionEvent(audit, event)
    },
  })
  const clients = await PairedClients.open(paths.clientsFile, () => clock.now())
  // The pages are always at http://127.0.0.1:<port>/ui: one origin, so one cookie jar entry.
  const uiAccess = new UiAccess({ clock, origin: `http://127.0.0.1:${config.port}` })
  // The settings page changes this list; the next request of the extension sees the change.
  let allowedWebOrigins: readonly string[] = [...config.allowedWebOrigins]
  const policy = opts.policy?.state ?? PolicyState.none()
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
    policy,
    settingsFile: paths.configFile,
    // The admin policy's websites, when it names them, replace the settings' (read at each request).
    allowedWebOrigins: () => policy.policy.allowedWebOrigins ?? allowedWebOrigins,
    iamConnect: {
      issuer: resolved.iamConnectIssuer ?? iamConnectIssuerFor(environment),
      openUrl: iamConnectOpenUrl ?? openSystemBrowser(),
      fetch: http.fetch,
      // Without a keystore the token is bound to a key generated for this session.
      holderOfKey: () => keystore ?? (sessionKey ??= createSessionKeySource({ now: () => clock.now().getTime() })),
    },
    adminLink: (page) => ({ url: uiAccess.link({ kind: 'admin', page }), expiresAt: new Date(clock.now().getTime() + uiAccess.linkLifetimeMs) }),
  }

  // Written to its file only once the port is ours: a second start must not retire the credential
  // of the agent already running there.
  const credential = newLocalCredential()
  const platform = opts.platform ?? selectPlatform(process.platform)
  const peerUid = platform.id === 'linux' && opts.uid !== undefined ? { peerUid: { agentUid: opts.uid, lookup: lookupPeerUid } } : {}
  // The program behind every connection of the API, once per connection, started when it is accepted.
  const identifyPeer = identifyEarly(opts.identifyPeer ?? choosePeerIdentifier(platform.id))
  const onRejected = (info: { reason: string; path: string }) => audit.record({ event: 'rejected', method: info.path, outcome: 'rejected', errorCode: info.reason })
  const rpc = createRpcEndpoint({
    services,
    clients,
    // Generous enough for batch signing by practice software; a runaway client is still stopped.
    rateLimiter: new RateLimiter({ ratePerSecond: 500, burst: 1000, clock: () => Date.now() }),
    localCredential: credential,
    guards: {
      port: config.port,
      allowedOrigins: config.allowedExtensionIds.map((id) => `chrome-extension://${id}`),
      policyOrigins: () => {
        const origins = services.policy.policy.allowedExtensionOrigins
        return origins ? { origins, source: services.policy.source } : undefined
      },
      maxBodyBytes: 80 * 1024 * 1024,
      ...peerUid,
      identifyPeer,
      onRejected,
    },
  })
  const systemLanguage = languageFromLocale(opts.desktop?.locale)
  const settingsLanguage = isLanguage(config.language) ? config.language : undefined
  let uiRoutes: UiRoutes | undefined
  // The hono app with the pages and the event stream, built at the first request that needs it
  // (the listener answers POST /rpc and GET /health itself): their modules are not loaded before.
  const buildApp = async (): Promise<Hono> => {
    const [{ createAgentApp }, { createUiRoutes }, { uiGuards }] = await Promise.all([import('../http/app.js'), import('../ui/ui-routes.js'), import('../ui/ui-guards.js')])
    const routes = createUiRoutes({
      access: uiAccess,
      desk: webPrompter?.desk,
      services,
      configFile: paths.configFile,
      port: config.port,
      systemLanguage,
      settingsLanguage,
      timeZone: opts.desktop?.timeZone,
      onSettingsSaved: (saved) => {
        allowedWebOrigins = [...saved.allowedWebOrigins]
        trayController?.refresh()
      },
    })
    uiRoutes = routes
    return createAgentApp({
      services,
      rpc,
      onSessionChange: (listener) => {
        sessionEvents.on('change', listener)
        return () => sessionEvents.off('change', listener)
      },
      ui: {
        routes: routes.routes,
        // The largest form is the SSO token import (an .ehtoken file, at most 1 MiB of token).
        guard: uiGuards({ port: config.port, maxBodyBytes: 2 * 1024 * 1024, ...peerUid, onRejected, renderRefusal: routes.renderRefusal }),
      },
    })
  }

  return {
    services,
    keys,
    audit,
    session,
    rpc,
    buildApp,
    http,
    proxyDescription,
    credential,
    uiAccess,
    // Until the pages exist, the settings of the start (only the settings page changes them).
    language: () => uiRoutes?.language() ?? chooseLanguage(undefined, settingsLanguage, systemLanguage),
    webPrompter,
    subscribe: (listener) => sessionEvents.on('change', listener),
    setTray: (tray) => (trayController = tray),
    onMalformed: () => audit.record({ event: 'rejected', outcome: 'rejected', errorCode: 'malformed-request' }),
    onForeignPeer: () => audit.record({ event: 'rejected', outcome: 'rejected', errorCode: 'non-loopback-peer' }),
    onConnection: (socket) => identifyPeer.connected(socket),
  }
}
