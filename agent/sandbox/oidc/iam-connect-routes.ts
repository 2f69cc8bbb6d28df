import type { Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { getCookie, setCookie } from 'hono/cookie'
import type { SandboxRoutes } from '../app.js'
import { PEOPLE, PERSON_IDS, type PersonId } from '../directory-data.js'
import { findPersonById, profilesFor } from '../directory.js'
import { PAGE_CSP } from '../idp/layout.js'
import { checkCsrf, type IdpSession } from '../idp/session-store.js'
import { checkAuthorizationRequest, clientRedirect } from './authorization-request.js'
import { buildDiscoveryDocument } from './discovery-document.js'
import { AUTH_METHODS, IamConnectProvider, registerProvider, type AuthMethod, type IamConnectOptions, type PendingAuthorization } from './iam-connect-provider.js'
import { endpointOf, IAM_CONNECT_ENDPOINTS, IAM_CONNECT_REALM_PATH, issuerOf } from './iam-connect-paths.js'
import { readOwnJwt } from './jwt.js'
import { findClient, type OidcClient } from './oidc-clients.js'
import { renderConsentPage, renderErrorPage, renderLoginPage, renderProfilePage, renderSignedOutPage, type FormContext } from './pages.js'
import { readAccessToken } from './read-access-token.js'
import { handleTokenRequest } from './token-endpoint.js'

/** The browser session cookie of the provider's pages; its value is a random id and nothing else. */
export const IAM_CONNECT_COOKIE = 'ehiam_session'

const REALM = IAM_CONNECT_REALM_PATH
const E = IAM_CONNECT_ENDPOINTS
const ACTIONS = REALM + E.loginActions
const FORM_LIMIT = bodyLimit({ maxSize: 8 * 1024, onError: (c) => c.text('form too large', 413) })
// A token-exchange request carries an access token and a proof with a certificate: a few KiB.
const TOKEN_LIMIT = bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.json({ error: 'invalid_request', error_description: 'request too large' }, 413) })

/**
 * The sandbox's stand-in for eHealth IAM Connect (I.AM IDP v1.0; IAM eXchange Annex A §1.3-1.5), an
 * OpenID Connect provider under `/auth/realms/healthcare` (see README.md for every route and what
 * is modelled): discovery, JWKS, the authorization endpoint and its pages (simulated itsme / eID /
 * TOTP sign-in, profile choice, consent on first use), the token endpoint (code with PKCE, refresh,
 * token exchange to a SAML holder-of-key token), userinfo and end-session.
 * `iamConnectProviderOf(state)` gives tests what it recorded.
 */
export function createIamConnectRoutes(options: Partial<IamConnectOptions> = {}): SandboxRoutes {
  return (app, state) => {
    const provider = new IamConnectProvider(state, options)
    registerProvider(provider)

    app.get(REALM + E.discovery, (c) => c.json(buildDiscoveryDocument(issuerOf(c.req.url))))
    app.get(REALM + E.jwks, (c) => c.json({ keys: [provider.key.jwk] }))

    app.get(REALM + E.authorization, (c) => {
      const checked = checkAuthorizationRequest(new URL(c.req.url).searchParams)
      if (checked.kind === 'page-error') return page(c, renderErrorPage('Sign-in request refused', checked.message), 400)
      if (checked.kind === 'redirect-error') {
        return c.redirect(clientRedirect(checked.redirectUri, { error: checked.error, error_description: checked.description, state: checked.state, iss: issuerOf(c.req.url) }), 303)
      }
      const browser = browserSession(c, provider)
      const pending: PendingAuthorization = {
        id: provider.newSecret(),
        browserId: browser.id,
        request: checked.request,
        authenticated: false,
        expiresAt: provider.now() + provider.options.pendingTtlMs,
      }
      provider.put(provider.pending, pending.id, pending)
      const demoPerson = state.options.demoPerson
      if (demoPerson) return approveAsDemoUser(c, provider, browser, pending, demoPerson)
      return c.redirect(`${ACTIONS}?request=${encodeURIComponent(pending.id)}`, 303)
    })

    app.get(ACTIONS, (c) => {
      const browser = provider.browsers.find(getCookie(c, IAM_CONNECT_COOKIE))
      const pending = browser && pendingOf(provider, browser, c.req.query('request'))
      if (!browser || !pending) return expired(c)
      return advance(c, provider, browser, pending)
    })

    app.post(`${ACTIONS}/authenticate`, FORM_LIMIT, async (c) => {
      const found = await postedForm(c, provider)
      if (found instanceof Response) return found
      const { browser, pending, form } = found
      const client = findClient(pending.request.clientId)!
      const method = form.method
      const person = form.person
      if (!isMethod(method) || !isPersonId(person)) return page(c, renderLoginPage(formContext(browser, pending), client, PEOPLE, 'Choose a way to sign in and a person.'), 400, pending)
      if (method === 'totp' && !(typeof form.totp === 'string' && /^\d{6}$/.test(form.totp))) {
        return page(c, renderLoginPage(formContext(browser, pending), client, PEOPLE, 'Enter the 6-digit security code from your authenticator app.'), 400, pending)
      }
      provider.startSession(browser.id, findPersonById(person), method)
      pending.authenticated = true
      return c.redirect(`${ACTIONS}?request=${encodeURIComponent(pending.id)}`, 303)
    })

    app.post(`${ACTIONS}/profile`, FORM_LIMIT, async (c) => {
      const found = await postedForm(c, provider)
      if (found instanceof Response) return found
      const { browser, pending, form } = found
      const session = provider.sessionOf(browser.id)
      // I.AM IDP v1.0: the profile is chosen once per session; another profile takes a global
      // logout.
      if (session && !session.choice) {
        const choices = profilesFor(session.ssin)
        const index = typeof form.choice === 'string' && /^\d{1,3}$/.test(form.choice) ? Number(form.choice) : -1
        const choice = choices[index]
        if (!choice) return advance(c, provider, browser, pending, 400)
        session.choice = choice
      }
      return c.redirect(`${ACTIONS}?request=${encodeURIComponent(pending.id)}`, 303)
    })

    app.post(`${ACTIONS}/consent`, FORM_LIMIT, async (c) => {
      const found = await postedForm(c, provider)
      if (found instanceof Response) return found
      const { browser, pending, form } = found
      const session = provider.sessionOf(browser.id)
      if (!session || !session.choice) return c.redirect(`${ACTIONS}?request=${encodeURIComponent(pending.id)}`, 303)
      if (form.decision === 'refuse') {
        // IAM eXchange Annex A §1.4: "The user will be able to accept or refuse to consent."
        provider.pending.delete(pending.id)
        const { redirectUri, state: clientState } = pending.request
        return c.redirect(
          clientRedirect(redirectUri, { error: 'access_denied', error_description: 'the user refused to let this application act in their name', state: clientState, iss: issuerOf(c.req.url) }),
          303,
        )
      }
      if (form.decision !== 'accept') return advance(c, provider, browser, pending, 400)
      provider.recordConsent(session.ssin, pending.request.clientId)
      return c.redirect(`${ACTIONS}?request=${encodeURIComponent(pending.id)}`, 303)
    })

    app.post(REALM + E.token, TOKEN_LIMIT, async (c) => {
      const type = c.req.header('Content-Type') ?? ''
      if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
        return tokenAnswer(c, 400, { error: 'invalid_request', error_description: 'the token request must be application/x-www-form-urlencoded' })
      }
      const form = new URLSearchParams(await c.req.text())
      const answer = await handleTokenRequest(provider, form, { issuer: issuerOf(c.req.url), tokenEndpoint: endpointOf(c.req.url, 'token') })
      return tokenAnswer(c, answer.status, answer.body)
    })

    const userinfo = (c: Context) => {
      const auth = c.req.header('Authorization') ?? ''
      const token = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(auth)?.[1]
      const live = readAccessToken(provider, issuerOf(c.req.url), token)
      if (!live) {
        c.header('WWW-Authenticate', 'Bearer error="invalid_token"')
        return c.json({ error: 'invalid_token' }, 401)
      }
      const person = findPersonById(live.session.personId)
      c.header('Cache-Control', 'no-store')
      return c.json({
        sub: live.session.subject,
        name: `${person.givenName} ${person.surname}`,
        given_name: person.givenName,
        family_name: person.surname,
        ssin: person.ssin,
        ...(live.session.choice ? { ehealth_profile: live.session.choice.profile, ehealth_profile_label: live.session.choice.label } : {}),
      })
    }
    app.get(REALM + E.userinfo, userinfo)
    app.post(REALM + E.userinfo, userinfo)

    // OpenID Connect RP-Initiated Logout 1.0 §2: GET or POST, identified by id_token_hint. An
    // expired ID token is still a good hint (§2: the OP SHOULD accept it).
    const endSession = async (c: Context) => {
      const params = c.req.method === 'POST' ? new URLSearchParams(await c.req.text()) : new URL(c.req.url).searchParams
      const hint = readOwnJwt(provider.key, params.get('id_token_hint'), 'JWT')
      const clientId = params.get('client_id') ?? undefined
      if (!hint || hint.iss !== issuerOf(c.req.url) || typeof hint.sid !== 'string' || (clientId !== undefined && hint.aud !== clientId)) {
        return page(c, renderErrorPage('Sign-out refused', 'The sign-out request does not name a session of this provider (id_token_hint).'), 400)
      }
      provider.endSession(hint.sid, 'end-session', typeof hint.aud === 'string' ? hint.aud : clientId)
      return page(c, renderSignedOutPage(), 200)
    }
    app.get(REALM + E.endSession, endSession)
    app.post(REALM + E.endSession, FORM_LIMIT, endSession)
  }
}

/** The provider with its defaults, for `startSandbox` (`../routes.ts`). */
export const iamConnectRoutes: SandboxRoutes = createIamConnectRoutes()

/** Show the step the request is at, or finish it: login, profile, consent, then the code. */
function advance(c: Context, provider: IamConnectProvider, browser: IdpSession, pending: PendingAuthorization, status: 200 | 400 = 200): Response {
  const client = findClient(pending.request.clientId)!
  const ctx = formContext(browser, pending)
  const session = provider.sessionOf(browser.id)
  // I.AM IDP v1.0, use case ATH-UC-11-BF step 5: no session yet (or the client asked for a fresh
  // sign-in): authenticate.
  if (!session || (pending.request.forceLogin && !pending.authenticated)) return page(c, renderLoginPage(ctx, client, PEOPLE), status, pending)
  const person = findPersonById(session.personId)
  if (!session.choice) return page(c, renderProfilePage(ctx, person, session.method, profilesFor(session.ssin), pending.request.profileHint), status, pending)
  if (!provider.hasConsent(session.ssin, client.clientId)) return page(c, renderConsentPage(ctx, client, person, session.choice), status, pending)
  return issueCode(c, provider, client, pending, session.sid)
}

/**
 * `ehagent sandbox --demo`: the demo user signs in (simulated itsme), takes the profile the client
 * hinted at (else the first offered, as the profile page preselects it) and consents, all without
 * a page, so a demo agent only has to follow the redirects to its own callback.
 */
function approveAsDemoUser(c: Context, provider: IamConnectProvider, browser: IdpSession, pending: PendingAuthorization, personId: PersonId): Response {
  const client = findClient(pending.request.clientId)!
  const session = provider.startSession(browser.id, findPersonById(personId), 'itsme')
  const choices = profilesFor(session.ssin)
  const choice = choices.find((option) => option.profile === pending.request.profileHint) ?? choices[0]
  if (!choice) return page(c, renderErrorPage('Sign-in request refused', 'The demo user has no profile to sign in with.'), 400)
  session.choice = choice
  provider.recordConsent(session.ssin, client.clientId)
  return issueCode(c, provider, client, pending, session.sid)
}

function issueCode(c: Context, provider: IamConnectProvider, client: OidcClient, pending: PendingAuthorization, sid: string): Response {
  provider.pending.delete(pending.id)
  const code = provider.newSecret()
  const { redirectUri, codeChallenge, nonce, scope, state } = pending.request
  provider.put(provider.codes, code, {
    clientId: client.clientId,
    redirectUri,
    codeChallenge,
    nonce,
    sid,
    scope,
    expiresAt: provider.now() + provider.options.codeTtlMs,
    used: false,
    issued: { refresh: [], access: [] },
  })
  return c.redirect(clientRedirect(redirectUri, { code, state, iss: issuerOf(c.req.url) }), 303)
}

/** The browser's cookie session, started when it has none. */
function browserSession(c: Context, provider: IamConnectProvider): IdpSession {
  const found = provider.browsers.find(getCookie(c, IAM_CONNECT_COOKIE))
  if (found) return found
  const session = provider.browsers.create()
  session.language = 'en'
  // No Secure flag: plain HTTP on 127.0.0.1. Lax keeps it off cross-site POSTs; the path keeps
  // it on the realm only.
  setCookie(c, IAM_CONNECT_COOKIE, session.id, { httpOnly: true, sameSite: 'Lax', path: REALM })
  return session
}

/** The live authorization request `id`, if it belongs to this browser. */
function pendingOf(provider: IamConnectProvider, browser: IdpSession, id: unknown): PendingAuthorization | undefined {
  if (typeof id !== 'string') return undefined
  const pending = provider.pending.get(id)
  if (!pending) return undefined
  if (pending.expiresAt <= provider.now()) {
    provider.pending.delete(id)
    return undefined
  }
  // Bound to the browser that started it: nobody completes a sign-in in someone else's browser.
  return pending.browserId === browser.id ? pending : undefined
}

/** The session, request and form of a POST, or the refusal: no session, wrong CSRF token, foreign Origin, unknown request. */
async function postedForm(
  c: Context,
  provider: IamConnectProvider,
): Promise<{ browser: IdpSession; pending: PendingAuthorization; form: Record<string, unknown> } | Response> {
  const browser = provider.browsers.find(getCookie(c, IAM_CONNECT_COOKIE))
  const origin = c.req.header('Origin')
  const form: Record<string, unknown> = await c.req.parseBody().catch(() => ({}))
  if (!browser || !checkCsrf(browser, form.csrf) || (origin !== undefined && origin !== new URL(c.req.url).origin)) return expired(c, 403)
  const pending = pendingOf(provider, browser, form.request)
  if (!pending) return expired(c)
  return { browser, pending, form }
}

function expired(c: Context, status: 400 | 403 = 400): Response {
  return page(c, renderErrorPage('Sign-in expired', 'This sign-in request has expired or belongs to another browser. Go back to the application and sign in again.'), status)
}

function formContext(browser: IdpSession, pending: PendingAuthorization): FormContext {
  return { actions: ACTIONS, csrf: browser.csrf, requestId: pending.id }
}

/**
 * Answer with a page, headers as the IDP pages'. A page of an authorization request may also
 * submit to the client's redirect URI: its forms end in a 303 there, and CSP's form-action applies
 * to redirects (CSP 3 §6.3.1), so that one origin is added to the policy.
 */
function page(c: Context, html: string, status: 200 | 400 | 403, pending?: PendingAuthorization): Response {
  const policy = pending ? PAGE_CSP.replace("form-action 'self'", `form-action 'self' ${new URL(pending.request.redirectUri).origin}`) : PAGE_CSP
  c.header('Content-Security-Policy', policy)
  c.header('X-Content-Type-Options', 'nosniff')
  c.header('X-Frame-Options', 'DENY')
  c.header('Referrer-Policy', 'same-origin')
  c.header('Cache-Control', 'no-store')
  return c.html(html, status)
}

/** RFC 6749 §5.1: token answers are JSON and never cached. */
function tokenAnswer(c: Context, status: 200 | 400 | 401 | 413, body: Record<string, unknown>): Response {
  c.header('Cache-Control', 'no-store')
  c.header('Pragma', 'no-cache')
  return c.json(body, status)
}

function isMethod(value: unknown): value is AuthMethod {
  return typeof value === 'string' && (AUTH_METHODS as readonly string[]).includes(value)
}

function isPersonId(value: unknown): value is PersonId {
  return typeof value === 'string' && (PERSON_IDS as readonly string[]).includes(value)
}
