import { createHash, sign, X509Certificate, type KeyObject } from 'node:crypto'
import { statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { checkAssertion } from '../../../protocol/saml/check-assertion.js'
import { sharedSandboxPki } from '../../../test/helpers/sandbox-pki.js'
import { createSandboxApp } from '../app.js'
import type { SandboxPki } from '../pki/types.js'
import { SandboxState } from '../sandbox-state.js'
import { iamConnectProviderOf, subjectOf } from './iam-connect-provider.js'
import { createIamConnectRoutes } from './iam-connect-routes.js'
import { SIGNING_KEY_FILE } from './signing-key.js'
import { walkSandboxPages, type SandboxPageAnswers } from './walk-sandbox-pages.js'

// The sandbox IAM Connect in-process (hono app.request): the protocol rules, one by one. The
// agent's side, over real sockets and in Chromium, is in agent/session/iam-connect/.

const ISSUER = 'http://localhost/auth/realms/healthcare'
const TOKEN = `${ISSUER}/protocol/openid-connect/token`
const REDIRECT = 'http://127.0.0.1:49152/callback'
const CLIENT = 'ehealth-agent'
const GRANT_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'
const SAML1 = 'urn:ietf:params:oauth:token-type:saml1'

let pki: SandboxPki

beforeAll(async () => {
  pki = await sharedSandboxPki()
}, 120_000)

/** A provider on its own state, with a clock the test moves. */
function provider() {
  let now = Date.now()
  const state = new SandboxState(pki, () => new Date(now))
  const app = createSandboxApp(state, [createIamConnectRoutes()])
  const http = async (url: string, init?: RequestInit) => app.request(url, init)
  return { state, app, http, oidc: iamConnectProviderOf(state)!, advance: (ms: number) => (now += ms) }
}
type Provider = ReturnType<typeof provider>

const VERIFIER = 'v'.repeat(20) + 'A1b2C3d4e5F6g7H8i9J0k1L2m3' // 46 unreserved characters
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url')

function authorizationUrl(overrides: Record<string, string | undefined> = {}): string {
  const url = new URL(`${ISSUER}/protocol/openid-connect/auth`)
  const params: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: CLIENT,
    redirect_uri: REDIRECT,
    scope: 'openid profile',
    state: 'state-123',
    nonce: 'nonce-456',
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
    ...overrides,
  }
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v)
  return url.href
}

/** Sign in through the pages and come back with the client's redirect. */
async function signIn(p: Provider, answers: SandboxPageAnswers = { person: 'doctor', profile: 'doctor' }, overrides: Record<string, string | undefined> = {}) {
  const redirect = new URL(await walkSandboxPages(authorizationUrl(overrides), answers, p.http))
  return { redirect, code: redirect.searchParams.get('code') ?? '' }
}

async function tokenRequest(p: Provider, form: Record<string, string>) {
  const res = await p.http(TOKEN, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() })
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers }
}

const redeem = (p: Provider, code: string, extra: Record<string, string> = {}) =>
  tokenRequest(p, { grant_type: 'authorization_code', client_id: CLIENT, code, redirect_uri: REDIRECT, code_verifier: VERIFIER, ...extra })

async function tokensFor(p: Provider, answers?: SandboxPageAnswers) {
  const { code } = await signIn(p, answers)
  const answer = await redeem(p, code)
  expect(answer.status).toBe(200)
  return answer.body as { access_token: string; refresh_token: string; id_token: string; expires_in: number }
}

/** A holder-of-key proof JWT, built here by hand so each rule can be broken on purpose. */
function proof(key: KeyObject, certificateBase64: string, claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
  const input = `${enc({ alg: 'RS256', typ: 'ehealth-hok-proof+jwt', x5c: [certificateBase64], ...header })}.${enc(claims)}`
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`
}

let jtiCounter = 0
function proofClaims(p: Provider, accessToken: string, extra: Record<string, unknown> = {}) {
  const iat = Math.floor(p.state.now().getTime() / 1000)
  return {
    iss: CLIENT,
    sub: CLIENT,
    aud: TOKEN,
    iat,
    exp: iat + 60,
    jti: `proof-${Date.now()}-${++jtiCounter}-xxxxxxxx`,
    ath: createHash('sha256').update(accessToken).digest('base64url'),
    ...extra,
  }
}

function exchange(p: Provider, accessToken: string, actorToken: string, extra: Record<string, string> = {}) {
  return tokenRequest(p, {
    grant_type: GRANT_EXCHANGE,
    client_id: CLIENT,
    subject_token: accessToken,
    subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    requested_token_type: SAML1,
    actor_token: actorToken,
    actor_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    ...extra,
  })
}

describe('IAM Connect discovery and keys', () => {
  it('publishes the metadata of the realm and an RS256 key kept private in the state directory', async () => {
    const p = provider()
    const doc = (await (await p.http(`${ISSUER}/.well-known/openid-configuration`)).json()) as Record<string, unknown>
    expect(doc).toMatchObject({
      issuer: ISSUER,
      authorization_endpoint: `${ISSUER}/protocol/openid-connect/auth`,
      token_endpoint: TOKEN,
      userinfo_endpoint: `${ISSUER}/protocol/openid-connect/userinfo`,
      jwks_uri: `${ISSUER}/protocol/openid-connect/certs`,
      end_session_endpoint: `${ISSUER}/protocol/openid-connect/logout`,
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none'],
      authorization_response_iss_parameter_supported: true,
    })
    expect(doc.grant_types_supported).toEqual(['authorization_code', 'refresh_token', GRANT_EXCHANGE])
    const jwks = (await (await p.http(`${ISSUER}/protocol/openid-connect/certs`)).json()) as { keys: { kid: string; alg: string; kty: string }[] }
    expect(jwks.keys).toEqual([expect.objectContaining({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: p.oidc.key.kid })])
    const file = join(dirname(pki.dir), 'oidc', SIGNING_KEY_FILE)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    // A second provider on the same state directory serves the same key.
    expect(provider().oidc.key.kid).toBe(p.oidc.key.kid)
  })
})

describe('IAM Connect authorization requests that are refused', () => {
  it('an unknown client or an unregistered redirect URI gets a page, never a redirect (RFC 6749 §4.1.2.1)', async () => {
    const p = provider()
    for (const overrides of [
      { client_id: 'evil-app' },
      { redirect_uri: 'http://localhost:49152/callback' }, // RFC 8252 §8.3: not a loopback literal
      { redirect_uri: 'https://evil.example/callback' },
      { redirect_uri: 'http://127.0.0.1:49152/other' },
      { redirect_uri: 'http://127.0.0.1:49152/callback?x=1' },
      { redirect_uri: 'http://127.0.0.1:49152/x/../callback' },
    ]) {
      const res = await p.http(authorizationUrl(overrides), { redirect: 'manual' })
      expect(res.status, JSON.stringify(overrides)).toBe(400)
      expect(res.headers.get('location')).toBeNull()
      expect(await res.text()).toContain('data-step="error"')
    }
  })

  it('any loopback port is accepted for the registered loopback redirect (RFC 8252 §7.3)', async () => {
    const p = provider()
    for (const uri of ['http://127.0.0.1:1/callback', 'http://127.0.0.1:65000/callback', 'http://[::1]:8080/callback']) {
      const res = await p.http(authorizationUrl({ redirect_uri: uri }), { redirect: 'manual' })
      expect(res.status, uri).toBe(303)
      expect(res.headers.get('location')).toMatch(/\/auth\/realms\/healthcare\/login-actions\?request=/)
    }
  })

  it('without PKCE S256 or a nonce, the client gets invalid_request back with its state and our iss', async () => {
    const p = provider()
    for (const overrides of [{ code_challenge: undefined }, { code_challenge_method: 'plain' }, { code_challenge_method: undefined }, { nonce: undefined }]) {
      const res = await p.http(authorizationUrl(overrides), { redirect: 'manual' })
      expect(res.status).toBe(303)
      const back = new URL(res.headers.get('location')!)
      expect(back.origin + back.pathname).toBe(REDIRECT)
      expect(Object.fromEntries(back.searchParams)).toMatchObject({ error: 'invalid_request', state: 'state-123', iss: ISSUER })
    }
    const implicit = await p.http(authorizationUrl({ response_type: 'token' }), { redirect: 'manual' })
    expect(new URL(implicit.headers.get('location')!).searchParams.get('error')).toBe('unsupported_response_type')
  })
})

describe('IAM Connect pages: sign-in, profile, consent', () => {
  it('a first sign-in goes through login, profile (profile_hint preselected) and consent, then redirects with code, state and iss', async () => {
    const p = provider()
    const steps: string[] = []
    const spy = async (url: string, init?: RequestInit) => {
      const res = await p.http(url, init)
      const text = await res.clone().text()
      const step = /data-step="([a-z-]+)"/.exec(text)?.[1]
      if (step) steps.push(step)
      if (step) expect(res.headers.get('content-security-policy')).toContain("form-action 'self' http://127.0.0.1:49152;")
      return res
    }
    const redirect = new URL(await walkSandboxPages(authorizationUrl({ profile_hint: 'org:hospital' }), { person: 'doctor' }, spy))
    expect(steps).toEqual(['login', 'profile', 'consent'])
    expect(redirect.origin + redirect.pathname).toBe(REDIRECT)
    expect(redirect.searchParams.get('state')).toBe('state-123')
    expect(redirect.searchParams.get('iss')).toBe(ISSUER)
    expect(redirect.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/)
    // The hint was preselected, and taken.
    const body = (await redeem(p, redirect.searchParams.get('code')!)).body as { id_token: string }
    const claims = (await jwtVerify(body.id_token, createLocalJWKSet({ keys: [p.oidc.key.jwk] }), { issuer: ISSUER, audience: CLIENT })).payload
    expect(claims).toMatchObject({ ehealth_profile: 'org:hospital', ssin: '78031420465', name: 'Anne Janssens', nonce: 'nonce-456', sub: subjectOf('78031420465') })
  })

  it('consent is asked on first use only (per person and client); a refusal sends access_denied', async () => {
    const p = provider()
    const refused = await signIn(p, { person: 'nurse', consent: 'refuse' })
    expect(Object.fromEntries(refused.redirect.searchParams)).toMatchObject({ error: 'access_denied', state: 'state-123', iss: ISSUER })
    expect(refused.code).toBe('')
    await signIn(p, { person: 'nurse', consent: 'accept' })
    // Another browser (the walker starts without cookie), same person: no consent page this time.
    const steps: string[] = []
    await walkSandboxPages(authorizationUrl(), { person: 'nurse', consent: 'refuse' }, async (url, init) => {
      const res = await p.http(url, init)
      const step = /data-step="([a-z-]+)"/.exec(await res.clone().text())?.[1]
      if (step) steps.push(step)
      return res
    })
    expect(steps).toEqual(['login', 'profile'])
  })

  it('the TOTP method needs a 6-digit code; the pages refuse a POST without the CSRF token', async () => {
    const p = provider()
    const first = await p.http(authorizationUrl(), { redirect: 'manual' })
    const cookie = first.headers.getSetCookie()[0]!.split(';')[0]!
    expect(first.headers.getSetCookie()[0]).toMatch(/^ehiam_session=[A-Za-z0-9_-]{43}; Path=\/auth\/realms\/healthcare; HttpOnly; SameSite=Lax$/)
    const pageUrl = new URL(first.headers.get('location')!, ISSUER).href
    const html = await (await p.http(pageUrl, { headers: { Cookie: cookie } })).text()
    const request = /name="request" value="([^"]+)"/.exec(html)![1]!
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!
    const post = (fields: Record<string, string>) =>
      p.http(`${ISSUER}/login-actions/authenticate`, {
        method: 'POST',
        headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
        redirect: 'manual',
      })
    expect((await post({ request, method: 'itsme', person: 'doctor' })).status).toBe(403)
    const noCode = await post({ request, csrf, method: 'totp', person: 'doctor', totp: '' })
    expect(noCode.status).toBe(400)
    expect(await noCode.text()).toContain('Enter the 6-digit security code')
    expect((await post({ request, csrf, method: 'totp', person: 'doctor', totp: '123456' })).status).toBe(303)
  })
})

describe('IAM Connect token endpoint: code, PKCE, refresh', () => {
  it('redeems a code once, with PKCE; the code presented again is refused and revokes what it gave (RFC 6749 §4.1.2)', async () => {
    const p = provider()
    const { code } = await signIn(p)
    const first = await redeem(p, code)
    expect(first.status).toBe(200)
    expect(first.headers.get('cache-control')).toBe('no-store')
    expect(first.body).toMatchObject({ token_type: 'Bearer', expires_in: 300, scope: 'openid profile' })
    const access = first.body.access_token as string
    const userinfo = () => p.http(`${ISSUER}/protocol/openid-connect/userinfo`, { headers: { Authorization: `Bearer ${access}` } })
    expect(await (await userinfo()).json()).toMatchObject({ sub: subjectOf('78031420465'), name: 'Anne Janssens', ehealth_profile: 'doctor' })

    const replay = await redeem(p, code)
    expect(replay.body).toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('already used') })
    expect((await userinfo()).status).toBe(401)
    expect((await tokenRequest(p, { grant_type: 'refresh_token', client_id: CLIENT, refresh_token: first.body.refresh_token as string })).body.error).toBe('invalid_grant')
  })

  it('refuses a missing or wrong PKCE verifier, another redirect_uri, and an expired code', async () => {
    const p = provider()
    const missing = await redeem(p, (await signIn(p)).code, { code_verifier: '' })
    expect(missing.body).toMatchObject({ error: 'invalid_request', error_description: 'PKCE code_verifier is missing' })
    const wrong = await redeem(p, (await signIn(p)).code, { code_verifier: 'w'.repeat(43) })
    expect(wrong.body).toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('PKCE verification failed') })
    const otherRedirect = await redeem(p, (await signIn(p)).code, { redirect_uri: 'http://127.0.0.1:49153/callback' })
    expect(otherRedirect.body).toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('redirect_uri') })
    const { code } = await signIn(p)
    p.advance(61_000)
    expect((await redeem(p, code)).body).toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('expired') })
  })

  it('rotates refresh tokens; presenting a rotated one again ends the session (RFC 9700 §4.14.2)', async () => {
    const p = provider()
    const tokens = await tokensFor(p)
    const refresh = (token: string) => tokenRequest(p, { grant_type: 'refresh_token', client_id: CLIENT, refresh_token: token })
    const second = await refresh(tokens.refresh_token)
    expect(second.status).toBe(200)
    expect(second.body.refresh_token).not.toBe(tokens.refresh_token)
    expect(second.body.id_token).toBeUndefined()
    expect((await refresh(tokens.refresh_token)).body).toMatchObject({ error: 'invalid_grant' })
    expect(p.oidc.logouts.at(-1)).toMatchObject({ reason: 'refresh-token-replay', subject: subjectOf('78031420465') })
    expect((await refresh(second.body.refresh_token as string)).body.error).toBe('invalid_grant')
  })
})

describe('IAM Connect token exchange to a SAML holder-of-key token (RFC 8693)', () => {
  const doctorKey = () => ({ key: pki.keystores.doctor.privateKey, cert: pki.keystores.doctor.certificateBase64 })

  it('issues a SAML 1.1 assertion for the chosen profile, signed by the STS, bound to the proof certificate', async () => {
    const p = provider()
    const tokens = await tokensFor(p)
    const { key, cert } = doctorKey()
    const answer = await exchange(p, tokens.access_token, proof(key, cert, proofClaims(p, tokens.access_token)))
    expect(answer.status).toBe(200)
    expect(answer.body).toMatchObject({ issued_token_type: SAML1, token_type: 'N_A', expires_in: 3600 })
    const xml = Buffer.from(answer.body.access_token as string, 'base64url').toString('utf8')
    const assertion = checkAssertion(xml, { trustedSigners: [new X509Certificate(pki.sts.certificatePem)], now: p.state.now(), expectedHokCertificateBase64: cert })
    expect(assertion.attributes.find((a) => a.name === 'urn:be:fgov:person:ssin:doctor:boolean')?.values).toEqual(['true'])
    expect(assertion.nameIdentifier).toMatchObject({ nameQualifier: ISSUER, value: 'CN="SSIN=78031420465", OU=eHealth IAM Connect token exchange (sandbox), C=BE' })
    expect(p.oidc.grants.filter((g) => g.grantType === GRANT_EXCHANGE).map((g) => g.outcome)).toEqual(['ok'])
  })

  it('refuses a proof signed by another key than its certificate, and a replayed proof', async () => {
    const p = provider()
    const tokens = await tokensFor(p)
    const { cert } = doctorKey()
    const forged = await exchange(p, tokens.access_token, proof(pki.keystores.nurse.privateKey, cert, proofClaims(p, tokens.access_token)))
    expect(forged.body).toMatchObject({ error: 'invalid_request', error_description: 'the holder-of-key proof is not signed by the key of its x5c certificate' })

    const good = proof(doctorKey().key, cert, proofClaims(p, tokens.access_token))
    expect((await exchange(p, tokens.access_token, good)).status).toBe(200)
    expect((await exchange(p, tokens.access_token, good)).body).toMatchObject({ error: 'invalid_request', error_description: expect.stringContaining('replay') })
  })

  it('refuses proofs for another audience or request, too old, too long-lived, or missing; and other token types', async () => {
    const p = provider()
    const tokens = await tokensFor(p)
    const { key, cert } = doctorKey()
    const at = tokens.access_token
    const now = Math.floor(p.state.now().getTime() / 1000)
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ aud: 'http://localhost/elsewhere' }, /claim aud/],
      [{ ath: createHash('sha256').update('another token').digest('base64url') }, /ath does not match/],
      [{ iat: now - 120, exp: now - 60 }, /expired/],
      [{ iat: now - 90, exp: now + 10 }, /iat is not within 60 seconds/],
      [{ iat: now, exp: now + 600 }, /at most 60 seconds/],
      [{ jti: 'short' }, /jti must be/],
      [{ iss: 'evil-app' }, /claim iss/],
    ]
    for (const [claims, message] of cases) {
      const answer = await exchange(p, at, proof(key, cert, proofClaims(p, at, claims)))
      expect(answer.body.error_description, JSON.stringify(claims)).toMatch(message)
    }
    expect((await exchange(p, at, proof(key, cert, proofClaims(p, at), { typ: 'JWT' }))).body.error_description).toMatch(/typ/)
    expect((await exchange(p, at, '')).body.error_description).toMatch(/missing/)
    expect((await exchange(p, at, proof(key, cert, proofClaims(p, at)), { requested_token_type: 'urn:oasis:names:tc:SAML:1.1' })).body.error_description).toMatch(/requested_token_type/)
    expect((await exchange(p, 'not-a-token', proof(key, cert, proofClaims(p, 'not-a-token')))).body.error_description).toMatch(/subject_token/)
  })

  it('binds a self-signed session key as well (a user without eHealth certificate), capped by the certificate', async () => {
    const p = provider()
    const tokens = await tokensFor(p, { person: 'citizen', method: 'totp' })
    const { createSessionKeySource } = await import('../../keys/session-key-source.js')
    const sessionKey = createSessionKeySource({ validityMs: 30 * 60_000, now: () => p.state.now().getTime() })
    await sessionKey.login(undefined)
    const { buildHokProof } = await import('../../session/iam-connect/hok-proof.js')
    const jwt = await buildHokProof({ key: sessionKey, clientId: CLIENT, audience: TOKEN, subjectToken: tokens.access_token, now: p.state.now(), jti: 'session-key-proof-0001' })
    const answer = await exchange(p, tokens.access_token, jwt)
    expect(answer.status).toBe(200)
    // The certificate ends in 30 minutes: so does the token.
    expect(answer.body.expires_in).toBeLessThanOrEqual(30 * 60)
  })
})

describe('IAM Connect end-session (global logout, I.AM IDP)', () => {
  it('records the logout; the refresh token, the access token and the exchange stop working', async () => {
    const p = provider()
    const tokens = await tokensFor(p)
    const res = await p.http(`${ISSUER}/protocol/openid-connect/logout`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ id_token_hint: tokens.id_token, client_id: CLIENT }).toString(),
    })
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('data-step="signed-out"')
    expect(p.oidc.logouts).toEqual([expect.objectContaining({ reason: 'end-session', clientId: CLIENT, subject: subjectOf('78031420465') })])
    expect((await tokenRequest(p, { grant_type: 'refresh_token', client_id: CLIENT, refresh_token: tokens.refresh_token })).body.error).toBe('invalid_grant')
    const { key, cert } = { key: pki.keystores.doctor.privateKey, cert: pki.keystores.doctor.certificateBase64 }
    expect((await exchange(p, tokens.access_token, proof(key, cert, proofClaims(p, tokens.access_token)))).body.error_description).toMatch(/subject_token/)
    const bad = await p.http(`${ISSUER}/protocol/openid-connect/logout?id_token_hint=forged.token.here`)
    expect(bad.status).toBe(400)
  })
})
