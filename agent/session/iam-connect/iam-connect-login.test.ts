import { generateKeyPairSync, X509Certificate } from 'node:crypto'
import { dirname } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AgentError } from '../../../protocol/errors.js'
import { prepareWsSecurity } from '../../../protocol/wssec/prepare-ws-security.js'
import { makeEnvelope } from '../../../test/helpers/envelopes.js'
import { FakeClock } from '../../../test/helpers/fake-clock.js'
import { MemoryKeySource } from '../../../test/helpers/memory-key-source.js'
import { sharedSandboxPki } from '../../../test/helpers/sandbox-pki.js'
import { ScriptedPrompter } from '../../consent/scripted-prompter.js'
import { createHttpClient } from '../../net/http-client.js'
import type { KeySource } from '../../keys/key-source.js'
import { createSessionKeySource } from '../../keys/session-key-source.js'
import { iamConnectProviderOf, type IamConnectProvider } from '../../sandbox/oidc/iam-connect-provider.js'
import { signJwt } from '../../sandbox/oidc/jwt.js'
import { answerSandboxPagesAutomatically, walkSandboxPages, type SandboxPageAnswers } from '../../sandbox/oidc/walk-sandbox-pages.js'
import { startSandbox, type RunningSandbox } from '../../sandbox/server.js'
import { Session } from '../session.js'
import { buildAuthorizationUrl } from './authorization-url.js'
import { exchangeForSaml } from './exchange-for-saml.js'
import { iamConnectIssuerFor } from './iam-connect-issuers.js'
import { loginWithIamConnect, type IamConnectLoginOptions } from './login-with-iam-connect.js'
import { fetchProviderMetadata, type HttpFetch, type ProviderMetadata } from './provider-metadata.js'
import { createPkcePair } from './random-secrets.js'
import { redeemCode, refreshTokens } from './token-request.js'

// The agent's IAM Connect sign-in against the sandbox over real loopback sockets, the browser
// answered over HTTP by the demo's page walker; a fake clock shared by agent and sandbox.
// Headless Chromium drives the same flow in iam-connect-browser.system.test.ts.

let sandbox: RunningSandbox
let clock: FakeClock
let provider: IamConnectProvider
let issuer: string
let metadata: ProviderMetadata
// The agent's own HTTP client, as the daemon gives it to the sign-in.
const client = createHttpClient()

beforeAll(async () => {
  const pki = await sharedSandboxPki()
  clock = new FakeClock(Date.now())
  sandbox = await startSandbox({ stateDir: dirname(pki.dir), clock: () => clock.now() })
  provider = iamConnectProviderOf(sandbox.state)!
  issuer = iamConnectIssuerFor(sandbox.environment)
  metadata = await fetchProviderMetadata(issuer, fetch)
}, 120_000)

afterAll(async () => {
  await client.close()
  await sandbox?.close()
})

function newSession(prompter = new ScriptedPrompter({ secret: 'sandbox' })): Session {
  return new Session({
    exchange: {
      post: () => Promise.reject(new AgentError('ERR_INTERNAL', 'no STS in these tests')),
      stsUrl: sandbox.environment.stsWsTrust,
      trustedSigners: [new X509Certificate(sandbox.state.pki.sts.certificatePem)],
      now: () => clock.now(),
      newId: () => 'unused',
    },
    clock,
    prompter,
    environment: 'Sandbox',
    random: () => 0.5,
  })
}

const sessionKey = () => createSessionKeySource({ now: () => clock.now().getTime() })

/** Fetch that records the token endpoint's answers and can swap the ID token on the way in. */
function recordingFetch(alterIdToken?: (idToken: string) => string) {
  const answers: { grant: string | null; body: Record<string, unknown> }[] = []
  const http: HttpFetch = async (url, init) => {
    const res = await client.fetch(url, init)
    if (!url.endsWith('/protocol/openid-connect/token')) return res
    const body = (await res.json()) as Record<string, unknown>
    if (alterIdToken && typeof body.id_token === 'string') body.id_token = alterIdToken(body.id_token)
    answers.push({ grant: new URLSearchParams(String(init?.body)).get('grant_type'), body })
    return new Response(JSON.stringify(body), { status: res.status, headers: { 'Content-Type': 'application/json' } })
  }
  return { http, answers }
}

function login(session: Session, extra: Partial<IamConnectLoginOptions> & { answers?: SandboxPageAnswers; holderOfKey?: KeySource } = {}) {
  const { answers = { person: 'doctor', profile: 'doctor' }, ...rest } = extra
  return loginWithIamConnect({
    session,
    holderOfKey: rest.holderOfKey ?? sessionKey(),
    issuer,
    openUrl: answerSandboxPagesAutomatically(answers),
    clock,
    client: { client: 'MediSoft 4.2' },
    fetch: client.fetch,
    ...rest,
  })
}

/** A code and its verifier, obtained through the pages without the agent's listener. */
async function codeFor(answers: SandboxPageAnswers = { person: 'doctor', profile: 'doctor' }) {
  const pkce = createPkcePair()
  const redirectUri = 'http://127.0.0.1:9/callback'
  const url = buildAuthorizationUrl({ metadata, clientId: 'ehealth-agent', redirectUri, state: 's'.repeat(43), nonce: 'n'.repeat(43), codeChallenge: pkce.challenge })
  const back = new URL(await walkSandboxPages(url, answers))
  return { code: back.searchParams.get('code')!, verifier: pkce.verifier, redirectUri }
}

function sidOf(subject: string): string {
  const found = [...provider.sessions.values()].filter((s) => s.subject === subject).at(-1)
  return found!.sid
}

describe('loginWithIamConnect against the sandbox', () => {
  it('signs in, holds a SAML HOK token bound to the session key, names the real identity, and the HOK service accepts it', async () => {
    const session = newSession()
    const key = sessionKey()
    const token = await login(session, { holderOfKey: key })
    expect(token.profile).toEqual({ id: 'doctor', label: 'Doctor' })
    expect(token.origin).toBe('sts')
    expect(token.realIdentity).toEqual({ issuer, subject: expect.stringMatching(/^[0-9a-f-]{36}$/), name: 'Anne Janssens', ssin: '78031420465' })
    expect(token.assertion.hokCertificateBase64).toBe((await key.certificate()).base64)
    expect(token.assertion.attributes.find((a) => a.name === 'urn:be:fgov:person:ssin:doctor:boolean')?.values).toEqual(['true'])

    const prepared = prepareWsSecurity(makeEnvelope(500), {
      profile: { kind: 'saml-hok', assertionXml: token.assertion.xml, assertionId: token.assertion.assertionId },
      now: clock.now(),
      newId: (kind) => `${kind}-${Math.random().toString(36).slice(2)}`,
    })
    const signed = prepared.finish(await key.sign(prepared.signedInfo, prepared.hash))
    const answer = await (await fetch(sandbox.environment.services.hokEcho!, { method: 'POST', headers: { 'Content-Type': 'text/xml; charset=utf-8' }, body: signed })).text()
    expect(answer).toContain('<echo:Accepted>true</echo:Accepted>')
    await session.logout()
  })

  it('refuses an answer with another state (or another iss) than its request', async () => {
    for (const [param, value, reason] of [
      ['state', 'forged-state', 'state-mismatch'],
      ['iss', 'https://evil.example/auth/realms/healthcare', 'issuer-mismatch'],
    ] as const) {
      const session = newSession()
      const openUrl = async (url: string) => {
        const back = new URL(await walkSandboxPages(url, { person: 'doctor', profile: 'doctor' }))
        back.searchParams.set(param, value)
        await (await fetch(back)).text()
      }
      await expect(login(session, { openUrl })).rejects.toMatchObject({ reason, code: 'ERR_REMOTE_PROTOCOL' })
      expect(session.current()).toBeUndefined()
    }
  })

  it('refuses a replayed authorization code (another sign-in\'s code injected into this one)', async () => {
    const earlier = await codeFor()
    expect((await redeemCode(fetch, { tokenEndpoint: metadata.tokenEndpoint, clientId: 'ehealth-agent', ...earlier, codeVerifier: earlier.verifier })).accessToken).toBeTruthy()
    const session = newSession()
    const openUrl = async (url: string) => {
      const back = new URL(await walkSandboxPages(url, { person: 'doctor', profile: 'doctor' }))
      back.searchParams.set('code', earlier.code)
      await (await fetch(back)).text()
    }
    await expect(login(session, { openUrl })).rejects.toMatchObject({
      reason: 'token-refused',
      code: 'ERR_STS_REJECTED',
      data: { oauthError: 'invalid_grant', description: expect.stringContaining('already used') },
    })
    expect(session.current()).toBeUndefined()
  })

  it('a code redeemed without its PKCE verifier, or with a wrong one, is refused with a typed error', async () => {
    const input = { tokenEndpoint: metadata.tokenEndpoint, clientId: 'ehealth-agent' }
    const missing = await codeFor()
    await expect(redeemCode(fetch, { ...input, ...missing, codeVerifier: '' })).rejects.toMatchObject({
      reason: 'token-refused',
      code: 'ERR_STS_REJECTED',
      data: { oauthError: 'invalid_request', description: 'PKCE code_verifier is missing' },
    })
    const wrong = await codeFor()
    await expect(redeemCode(fetch, { ...input, ...wrong, codeVerifier: createPkcePair().verifier })).rejects.toMatchObject({
      reason: 'token-refused',
      data: { oauthError: 'invalid_grant', description: expect.stringContaining('PKCE verification failed') },
    })
  })

  it('refuses an ID token with a bad signature, another audience, or another nonce', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>
    const cases: [string, (jwt: string) => string][] = [
      // Same kid, another key: the JWKS finds "the" key and the signature fails.
      ['signature', (jwt) => signJwt({ ...provider.key, privateKey: other.privateKey }, claimsOf(jwt))],
      ['audience', (jwt) => signJwt(provider.key, { ...claimsOf(jwt), aud: 'another-app', azp: 'another-app' })],
      ['nonce', (jwt) => signJwt(provider.key, { ...claimsOf(jwt), nonce: 'a-nonce-of-another-sign-in' })],
    ]
    for (const [check, alter] of cases) {
      const session = newSession()
      const { http } = recordingFetch(alter)
      await expect(login(session, { fetch: http }), check).rejects.toMatchObject({ reason: 'id-token-invalid', code: 'ERR_TOKEN_INVALID', data: { check } })
      expect(session.current()).toBeUndefined()
    }
  })

  it('refuses an exchange proof signed by another key than the HOK certificate\'s; the provider session is closed', async () => {
    const pki = sandbox.state.pki
    // Claims the doctor's certificate, signs with the nurse's key.
    const liar = new MemoryKeySource(pki.keystores.nurse.privateKey, pki.keystores.doctor.certificatePem, { label: 'lying key' })
    const session = newSession()
    const logoutsBefore = provider.logouts.length
    await expect(login(session, { holderOfKey: liar })).rejects.toMatchObject({
      reason: 'exchange-refused',
      code: 'ERR_STS_REJECTED',
      data: { oauthError: 'invalid_request', description: 'the holder-of-key proof is not signed by the key of its x5c certificate' },
    })
    expect(session.current()).toBeUndefined()
    expect(provider.logouts.length).toBe(logoutsBefore + 1)
  })

  it('refuses a replayed exchange proof (same jti)', async () => {
    const { code, verifier, redirectUri } = await codeFor()
    const tokens = await redeemCode(fetch, { tokenEndpoint: metadata.tokenEndpoint, clientId: 'ehealth-agent', code, redirectUri, codeVerifier: verifier })
    const key = sessionKey()
    await key.login(undefined)
    const input = { tokenEndpoint: metadata.tokenEndpoint, clientId: 'ehealth-agent', accessToken: tokens.accessToken, holderOfKey: key, now: clock.now(), jti: 'the-same-proof-id-twice' }
    expect(await exchangeForSaml(fetch, input)).toMatch(/^<Assertion /)
    await expect(exchangeForSaml(fetch, input)).rejects.toMatchObject({
      reason: 'exchange-refused',
      data: { oauthError: 'invalid_request', description: 'the holder-of-key proof jti was already used (replay)' },
    })
  })

  it('a refused consent or another profile than asked for are typed errors', async () => {
    const refused = newSession()
    await expect(login(refused, { answers: { person: 'pharmacist', consent: 'refuse' } })).rejects.toMatchObject({
      reason: 'access-denied',
      code: 'ERR_USER_CANCELLED',
      data: { oauthError: 'access_denied' },
    })
    const mismatch = newSession()
    const before = provider.logouts.length
    await expect(login(mismatch, { profile: 'doctor', answers: { person: 'doctor', profile: 'citizen' } })).rejects.toMatchObject({
      reason: 'profile-mismatch',
      code: 'ERR_PROFILE_UNKNOWN',
      data: { requested: 'doctor', chosen: 'citizen' },
    })
    // I.AM IDP v1.0: the wrong profile's session is ended at the provider.
    expect(provider.logouts.length).toBe(before + 1)
  })
})

describe('IAM Connect global logout (I.AM IDP)', () => {
  it('reaches the end-session endpoint; afterwards the refresh token is refused and the session asks to sign in again', async () => {
    const session = newSession()
    const key = sessionKey()
    const { http, answers } = recordingFetch()
    const token = await login(session, { fetch: http, holderOfKey: key })
    const refreshToken = answers.find((a) => a.grant === 'authorization_code')!.body.refresh_token as string
    const before = provider.logouts.length

    await session.logout()
    expect(provider.logouts.slice(before)).toEqual([expect.objectContaining({ reason: 'end-session', clientId: 'ehealth-agent', subject: token.realIdentity!.subject })])
    expect(key.loginState()).toBe('logged-out')
    await expect(refreshTokens(fetch, { tokenEndpoint: metadata.tokenEndpoint, clientId: 'ehealth-agent', refreshToken })).rejects.toMatchObject({
      reason: 'signed-out',
      code: 'ERR_NOT_LOGGED_IN',
      data: { oauthError: 'invalid_grant' },
    })
    await expect(session.token()).rejects.toMatchObject({ code: 'ERR_NOT_LOGGED_IN' })
    // The grant holds nothing any more: a renewal through it cannot even be attempted.
    await expect(token.grant!.renew()).rejects.toMatchObject({ reason: 'signed-out' })
  })

  it('a session ended at the provider (signed out elsewhere) ends the agent\'s at the next renewal', async () => {
    const session = newSession()
    const token = await login(session)
    provider.endSession(sidOf(token.realIdentity!.subject), 'test')
    clock.advance(token.renewAt.getTime() - clock.now().getTime() + 1, false)
    await expect(session.token()).rejects.toMatchObject({ code: 'ERR_NOT_LOGGED_IN' })
    expect(session.current()).toBeUndefined()
  })
})

describe('IAM Connect renewal: refresh, then exchange (threat T15)', () => {
  it('100 concurrent calls at the renewal point cause one refresh and one exchange, and none fails', async () => {
    const session = newSession()
    const first = await login(session)
    // 1 h token, renewal at 2/3 (random 0.5: no jitter) = 40 minutes after it was issued (its
    // NotBefore is 5 minutes earlier, as the STS dates it), long after the 5-minute access token.
    expect(first.renewAt.getTime() - first.assertion.issueInstant.getTime()).toBe(40 * 60_000)
    clock.advance(first.renewAt.getTime() - clock.now().getTime() + 1, false)
    const before = provider.grants.length
    const results = await Promise.allSettled(Array.from({ length: 100 }, () => session.token()))
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true)
    const ids = new Set(results.map((r) => (r as PromiseFulfilledResult<{ assertion: { assertionId: string } }>).value.assertion.assertionId))
    expect(ids.size).toBe(1)
    expect([...ids][0]).not.toBe(first.assertion.assertionId)
    expect(provider.grants.slice(before).map((g) => [g.grantType, g.outcome])).toEqual([
      ['refresh_token', 'ok'],
      ['urn:ietf:params:oauth:grant-type:token-exchange', 'ok'],
    ])
    const renewed = session.current()!
    expect(renewed.grant).toBe(first.grant)
    expect(renewed.realIdentity).toEqual(first.realIdentity)
    expect(renewed.profile).toEqual(first.profile)
    await session.logout()
  })

  it('the background timer renews ahead of expiry, again and again, with the rotated refresh token', async () => {
    const session = newSession()
    const first = await login(session)
    let previous = first.assertion.assertionId
    for (let round = 0; round < 3; round++) {
      const due = session.current()!.renewAt.getTime()
      const before = provider.grants.length
      clock.advance(due - clock.now().getTime() + 1, true)
      await waitFor(() => session.current()?.assertion.assertionId !== previous)
      expect(provider.grants.slice(before).map((g) => g.outcome)).toEqual(['ok', 'ok'])
      previous = session.current()!.assertion.assertionId
    }
    await session.logout()
  })
})

async function waitFor(condition: () => boolean, ms = 5000): Promise<void> {
  const start = Date.now()
  while (!condition()) {
    if (Date.now() - start > ms) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}
