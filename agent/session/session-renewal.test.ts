import { dirname } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { sandboxStsExchange } from '../../test/helpers/sandbox-sts-exchange.js'
import { claimsForProfile } from '../../protocol/sts/claims.js'
import { FakeClock } from '../../test/helpers/fake-clock.js'
import { sharedSandboxPki } from '../../test/helpers/sandbox-pki.js'
import { ScriptedPrompter } from '../consent/scripted-prompter.js'
import { createPkcs12KeySource } from '../keys/pkcs12-key-source.js'
import { startSandbox, type RunningSandbox } from '../sandbox/server.js'
import { identityFromCertificate } from './identity-from-certificate.js'
import { Session, type ActiveToken } from './session.js'

// Threat T15, renewal storms. With 60 s tokens (the sandbox's token-lifetime=60) under load the
// agent once made 1,487 STS requests in 75 s: its fixed 2-minute skew margin was longer than the
// lifetime, so every token was due for renewal the moment it arrived and every call renewed it.
// Here 64 callers keep asking for a token, second by second of a fake clock, over five lifetimes.

const LIFETIME_MS = 60_000
const CALLERS = 64

let sandbox: RunningSandbox
let clock: FakeClock
/** When each STS request arrived, on the fake clock. */
let stsRequests: number[] = []

beforeAll(async () => {
  const pki = await sharedSandboxPki()
  clock = new FakeClock(Date.now())
  sandbox = await startSandbox({ stateDir: dirname(pki.dir), clock: () => clock.now() })
})

afterAll(async () => {
  await sandbox?.close()
})

afterEach(() => {
  sandbox.state.faults.clear()
  stsRequests = []
})

function newSession(): Session {
  let seed = 7
  return new Session({
    exchange: sandboxStsExchange(sandbox, () => clock.now(), {
      idPrefix: 'renew',
      onPost: (url) => {
        if (url.includes('/IAM/')) stsRequests.push(clock.now().getTime())
      },
    }),
    clock,
    prompter: new ScriptedPrompter({ secret: 'sandbox' }),
    environment: 'Sandbox',
    // The agent asks for a day, as its default settings do; the STS decides (token-lifetime=60).
    lifetimeMs: 24 * 3600_000,
    // Deterministic jitter, spread over [0, 1).
    random: () => ((seed = (seed * 48271) % 2147483647) / 2147483647),
  })
}

async function signIn(session: Session): Promise<ActiveToken> {
  const keystore = createPkcs12KeySource({ path: sandbox.state.pki.keystores.doctor.p12Path })
  return session.login({
    profile: { id: 'doctor', label: 'Doctor' },
    keys: { identification: keystore, holderOfKey: keystore },
    client: { client: 'MediSoft' },
    claimsFor: (id) => claimsForProfile('doctor', identityFromCertificate(id.certificate)),
  })
}

/** Let in-flight renewals (real loopback HTTP to the sandbox) settle without moving the clock. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve))
}

/** One second of load: the clock moves (due timers fire), then 64 callers ask at once. */
async function secondOfLoad(session: Session, failures: string[]): Promise<void> {
  clock.advance(1000)
  const now = clock.now().getTime()
  const results = await Promise.allSettled(Array.from({ length: CALLERS }, () => session.token()))
  for (const r of results) {
    if (r.status === 'rejected') failures.push(`${now}: ${(r.reason as { code?: string }).code ?? r.reason}`)
    else if (r.value.assertion.conditions.notOnOrAfter.getTime() <= now) failures.push(`${now}: handed an expired token`)
  }
  await settle()
}

describe('renewal with 60 s tokens, 64 concurrent callers, fake clock (threat T15)', () => {
  it('over five lifetimes: no failed call, one STS request per token, none sooner than 60% of a lifetime after the last', async () => {
    sandbox.state.faults.tokenLifetimeMs = LIFETIME_MS
    const session = newSession()
    const first = await signIn(session)
    // The lifetime counts from IssueInstant: like eHealth's STS, the sandbox dates NotBefore back 5 minutes.
    expect(first.assertion.conditions.notOnOrAfter.getTime() - first.assertion.issueInstant.getTime()).toBe(LIFETIME_MS)
    const failures: string[] = []
    for (let second = 0; second < (5 * LIFETIME_MS) / 1000; second++) await secondOfLoad(session, failures)
    expect(failures).toEqual([])
    // The login, then one renewal per token: a 60 s token renewed at about two thirds.
    expect(stsRequests.length).toBeGreaterThanOrEqual(1 + 6)
    expect(stsRequests.length).toBeLessThanOrEqual(1 + Math.ceil((5 * LIFETIME_MS) / (0.6 * LIFETIME_MS)))
    const gaps = stsRequests.slice(1).map((t, i) => t - stsRequests[i]!)
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(0.6 * LIFETIME_MS)
    await session.logout()
  })

  it('the STS down for 15 s over the renewal point: no failed call, and the token is renewed before it expires', async () => {
    sandbox.state.faults.tokenLifetimeMs = LIFETIME_MS
    const session = newSession()
    const first = await signIn(session)
    const firstEnd = first.assertion.conditions.notOnOrAfter.getTime()
    const failures: string[] = []
    // Up to 5 s before the renewal point: served from the token.
    while (clock.now().getTime() < first.renewAt.getTime() - 5_000) await secondOfLoad(session, failures)
    sandbox.state.faults.add('/IAM/', { kind: 'reset' }, Infinity)
    for (let second = 0; second < 15; second++) await secondOfLoad(session, failures)
    sandbox.state.faults.clear()
    sandbox.state.faults.tokenLifetimeMs = LIFETIME_MS
    while (clock.now().getTime() < firstEnd + 5_000) await secondOfLoad(session, failures)
    expect(failures).toEqual([])
    const current = session.current()
    expect(current?.assertion.assertionId).not.toBe(first.assertion.assertionId)
    expect(current!.assertion.conditions.notOnOrAfter.getTime()).toBeGreaterThan(firstEnd)
    await session.logout()
  })
})
