import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultConfig, type AgentConfig } from '../config.js'
import type { HttpTransport } from '../http-transport.js'
import { pkcs11jsBinding } from '../keys/pkcs11-key-source.js'
import { resolvePaths } from '../../protocol/discovery/resolve-paths.js'
import type { SandboxPki } from '../sandbox/pki/index.js'
import { AgentError } from '../../protocol/errors.js'
import { createEidUnavailableError } from '../keys/load-pkcs11js.js'
import { sharedSandboxPki } from '../../test/helpers/sandbox-pki.js'
import { checkClock } from './check-clock.js'
import { checkEidSupport } from './check-eid-support.js'
import { checkMemoryTrim } from './check-memory-trim.js'
import { checkCallerLookup } from './check-caller-lookup.js'
import { checkEndpoints } from './check-endpoints.js'
import { checkKeystore } from './check-keystore.js'
import { checkPrivacyLog } from './check-privacy-log.js'
import { checkPkcs11Module } from './check-pkcs11-module.js'
import { checkPort } from './check-port.js'
import { checkTokens } from './check-tokens.js'
import { checkTray } from './check-tray.js'
import type { DoctorEnvironment } from './doctor-environment.js'
import type { RunningAgentFacts } from './find-running-agent.js'
import { loadCaBundle } from '../trust/load-ca-bundle.js'
import { runDoctor } from './run-doctor.js'

let pki: SandboxPki
let scratch: string
beforeAll(async () => {
  pki = await sharedSandboxPki()
  scratch = mkdtempSync(join(tmpdir(), 'doctor-'))
}, 120_000)
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

const NOW = Date.parse('2025-06-02T10:00:00Z')

/** A machine made up for one check: files that exist are the real ones unless overridden. */
function fakeEnv(overrides: Partial<DoctorEnvironment> = {}): DoctorEnvironment {
  return {
    platform: 'linux',
    nodeVersion: '20.11.0',
    paths: resolvePaths(scratch, { platform: 'linux', home: scratch, uid: 1000, env: {} }),
    display: {},
    trayHelper: '/opt/eha/node_modules/systray2/traybin/tray_linux_release',
    proxy: { environment: {} },
    createHttpClient: () => ({ request: answerWith(NOW), proxyFor: () => undefined, close: async () => undefined }),
    fileExists: (p) => existsSync(p),
    isExecutable: () => true,
    isWritable: () => true,
    readFile: (p) => readFile(p),
    listFiles: async (dir) => readdirSync(dir).map((name) => ({ name, size: statSync(join(dir, name)).size })),
    pkcs11: pkcs11jsBinding,
    probeEidSupport: () => undefined,
    probeMallocTrim: () => true,
    probeSockDiag: async () => 'answers' as const,
    now: () => NOW,
    isPortFree: async () => true,
    isProcessAlive: () => false,
    loadCaBundle: (environment) => loadCaBundle(environment),
    ...overrides,
  }
}

/** A transport whose every answer carries this Date (ms since the epoch). */
function answerWith(serverMs: number): HttpTransport {
  return async () => ({ status: 405, headers: { date: new Date(serverMs).toUTCString() }, body: '' })
}

const prod = (login: AgentConfig['login'] = {}): AgentConfig => ({ ...defaultConfig(), environment: 'prod', trustedStsCertificates: ['/etc/sts.pem'], login })

describe('doctor: keystore', () => {
  const withKeystore = () => ({ ...defaultConfig(), login: { keystore: pki.keystores.doctor.p12Path } })

  it('in a terminal, opens it with the typed password and names the certificate', async () => {
    const check = await checkKeystore(fakeEnv({ askSecret: async () => pki.keystores.doctor.password, now: () => Date.now() }), withKeystore())
    expect(check).toMatchObject({ id: 'keystore', status: 'ok', fix: '' })
    expect(check.detail).toMatch(/opens; certificate of .+, valid until \d{4}-\d\d-\d\d/)
  })

  it('a wrong password fails with how to fix it; no terminal means "not checked"', async () => {
    const wrong = await checkKeystore(fakeEnv({ askSecret: async () => 'not-the-password' }), withKeystore())
    expect(wrong).toMatchObject({ status: 'fail', detail: expect.stringMatching(/does not open/) })
    expect(wrong.fix).not.toBe('')
    const unasked = await checkKeystore(fakeEnv(), withKeystore())
    expect(unasked).toMatchObject({ status: 'warn', detail: expect.stringMatching(/password not checked/) })
  })

  it('a missing keystore, or none where the login method needs one, fails', async () => {
    expect((await checkKeystore(fakeEnv(), { ...defaultConfig(), login: { keystore: join(scratch, 'gone.p12') } })).status).toBe('fail')
    expect(await checkKeystore(fakeEnv(), prod({ method: 'eid+keystore' }))).toMatchObject({ status: 'fail', fix: expect.stringMatching(/login\.keystore/) })
    expect((await checkKeystore(fakeEnv(), prod({ method: 'eid' }))).status).toBe('ok')
  })
})

// The real PKCS#11 module (SoftHSM2 as an eID card) is in run-doctor.system.test.ts.
describe('doctor: PKCS#11 module and tokens', () => {
  it('no module: a failure when the eID is needed, a warning otherwise, with the install hint', () => {
    const env = fakeEnv({ fileExists: () => false })
    expect(checkPkcs11Module(env, prod({ method: 'eid' })).check).toMatchObject({ status: 'fail', fix: expect.stringMatching(/eid-mw|eID middleware/) })
    expect(checkPkcs11Module(env, prod({ method: 'keystore', keystore: '/k.p12' })).check.status).toBe('warn')
    expect(checkPkcs11Module(fakeEnv({ platform: 'darwin', fileExists: () => false }), prod({ method: 'eid' })).check.detail).toMatch(/beid-pkcs11\.bundle/)
  })

  it('a module that does not load is a failure, not a crash', () => {
    const broken = fakeEnv({
      pkcs11: {
        open: () => {
          throw new Error('libbeidpkcs11.so.0: cannot open shared object file')
        },
      },
    })
    expect(checkTokens(broken, prod({ method: 'eid' }), '/usr/lib/libbeidpkcs11.so')).toMatchObject({ status: 'fail', fix: expect.stringMatching(/pcscd/) })
  })
})

describe('doctor: eID support (pkcs11js)', () => {
  const missing = () => createEidUnavailableError('linux', Object.assign(new Error("Cannot find module 'pkcs11js'"), { code: 'MODULE_NOT_FOUND' }))

  it('ok when the module loads; without it a warning for a keystore user and a failure when the eID is needed, saying how to add it', () => {
    expect(checkEidSupport(fakeEnv(), prod({ method: 'eid' }))).toMatchObject({ id: 'eid-support', status: 'ok', fix: '' })
    const env = fakeEnv({ probeEidSupport: missing })
    expect(checkEidSupport(env, prod({ method: 'keystore', keystore: '/k.p12' }))).toMatchObject({
      status: 'warn',
      detail: expect.stringMatching(/pkcs11js is not installed; only needed to sign in with the eID card/),
      fix: expect.stringMatching(/npm rebuild pkcs11js/),
    })
    expect(checkEidSupport(env, prod({ method: 'eid+keystore', keystore: '/k.p12' })).status).toBe('fail')
  })

  it('without it, the token check is not attempted (it would only repeat the failure)', async () => {
    let opened = 0
    const env = fakeEnv({
      probeEidSupport: missing,
      pkcs11: {
        open: () => {
          opened++
          throw missing()
        },
      },
    })
    const checks = await runDoctor(env)
    const byId = Object.fromEntries(checks.map((c) => [c.id, c]))
    expect(byId['eid-support']!.status).toBe('warn')
    expect(byId.tokens).toMatchObject({ status: 'warn', detail: expect.stringMatching(/not checked: no eID support/) })
    expect(opened).toBe(0)
  })
})

describe('doctor: clock and endpoints of a real environment', () => {
  it('compares with the STS Date header: ok, warn beyond 60 s, fail beyond 5 min', async () => {
    expect(await checkClock(prod(), answerWith(NOW + 2000), undefined, () => NOW)).toMatchObject({ status: 'ok', detail: expect.stringMatching(/Production STS \(services\.ehealth\.fgov\.be\)/) })
    expect(await checkClock(prod(), answerWith(NOW - 120_000), undefined, () => NOW)).toMatchObject({ status: 'warn', detail: expect.stringMatching(/120 s ahead of/) })
    const fail = await checkClock(prod(), answerWith(NOW + 600_000), undefined, () => NOW)
    expect(fail).toMatchObject({ status: 'fail', detail: expect.stringMatching(/600 s behind/), fix: expect.stringMatching(/timedatectl set-ntp true/) })
  })

  it('an unreachable STS: the clock is not checked, the endpoints fail and say what to do', async () => {
    const down: HttpTransport = async (x) => {
      throw new AgentError('ERR_NETWORK', `cannot reach ${new URL(x.url).host}: ENOTFOUND`)
    }
    expect((await checkClock(prod(), down, undefined, () => NOW)).status).toBe('warn')
    const endpoints = await checkEndpoints(prod(), down, undefined)
    expect(endpoints).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^cannot sign in: WS-Trust STS services\.ehealth\.fgov\.be/), fix: expect.stringMatching(/proxy/) })
  })

  it('reachable STS, one service down: a warning naming it', async () => {
    const some: HttpTransport = async (x) => {
      if (x.url.includes('/Kgss/')) throw new AgentError('ERR_TIMEOUT', 'no answer within 10000 ms')
      return { status: 500, headers: {}, body: '' }
    }
    expect(await checkEndpoints(prod(), some, undefined)).toMatchObject({ status: 'warn', detail: expect.stringMatching(/11 of 12 reachable; not: kgss/) })
    expect(await checkEndpoints(prod(), answerWith(NOW), undefined)).toMatchObject({ status: 'ok', detail: 'all 12 endpoints of Production answer' })
  })
})

describe('doctor: tray', () => {
  it('needs a display on Linux and an executable helper', () => {
    // The helper "exists" here; whether it runs is what is varied.
    const trayEnv = (o: Partial<DoctorEnvironment> = {}) => fakeEnv({ fileExists: () => true, ...o })
    expect(checkTray(trayEnv({ display: { WAYLAND_DISPLAY: 'wayland-0' } }))).toMatchObject({ status: 'ok', detail: expect.stringMatching(/Wayland wayland-0/) })
    expect(checkTray(trayEnv())).toMatchObject({ status: 'warn', detail: expect.stringMatching(/DISPLAY and WAYLAND_DISPLAY are unset/) })
    expect(checkTray(trayEnv({ display: { DISPLAY: ':0' }, isExecutable: () => false }))).toMatchObject({ status: 'warn', fix: expect.stringMatching(/^chmod \+x /) })
    expect(checkTray(trayEnv({ display: { DISPLAY: ':0' }, isExecutable: () => false, isWritable: () => false })).status).toBe('fail')
    expect(checkTray(trayEnv({ trayHelper: undefined }))).toMatchObject({ status: 'fail', fix: expect.stringMatching(/npm ci/) })
    expect(checkTray(trayEnv({ platform: 'win32', isExecutable: () => false })).status).toBe('ok')
  })
})

describe('doctor: caller-lookup', () => {
  it('is ok when the sock_diag addon loads and the kernel answers it, a warning that says what to do when not, and unused off Linux', async () => {
    expect(await checkCallerLookup(fakeEnv())).toMatchObject({ id: 'caller-lookup', status: 'ok', fix: '' })
    expect(await checkCallerLookup(fakeEnv({ probeSockDiag: async () => 'missing' }))).toMatchObject({ status: 'warn', detail: expect.stringMatching(/sock-diag\.node .*\/proc\/net\/tcp, about 3 ms/), fix: expect.stringMatching(/apt-get install gcc, then npm run build/) })
    expect(await checkCallerLookup(fakeEnv({ probeSockDiag: async () => 'kernel-does-not-answer' }))).toMatchObject({ status: 'warn', detail: expect.stringMatching(/kernel does not answer .*tcp_diag/), fix: expect.stringMatching(/modprobe tcp_diag/) })
    expect(await checkCallerLookup(fakeEnv({ platform: 'darwin', probeSockDiag: async () => 'missing' }))).toMatchObject({ status: 'ok', detail: expect.stringMatching(/not used on darwin/) })
  })
})

describe('doctor: memory-trim', () => {
  it('ok when the addon loads on Linux; a warning that says how to add it when not; not used elsewhere', () => {
    expect(checkMemoryTrim(fakeEnv())).toMatchObject({ id: 'memory-trim', status: 'ok', fix: '' })
    expect(checkMemoryTrim(fakeEnv({ probeMallocTrim: () => false }))).toMatchObject({ status: 'warn', detail: expect.stringMatching(/malloc-trim\.node .*15 MB/), fix: expect.stringMatching(/apt-get install gcc, then npm run build/) })
    expect(checkMemoryTrim(fakeEnv({ platform: 'win32', probeMallocTrim: () => false }))).toMatchObject({ status: 'ok', detail: expect.stringMatching(/not used on win32/) })
  })
})

describe('doctor: port, about the agent actually found', () => {
  const found = (port: number, healthy = true) => ({ discovery: { port, pid: 42, version: '1.2.3' } as RunningAgentFacts['discovery'], port, healthy })
  const agentOn = (port: number): HttpTransport => async (x) => {
    if (x.url === `http://127.0.0.1:${port}/health`) return { status: 200, headers: {}, body: '{"status":"ok","service":"ehealth-agent"}' }
    throw new AgentError('ERR_NETWORK', 'refused')
  }

  it('the agent found is reported on its own port, even when the settings name another: never "free" for it', async () => {
    // isPortFree says "free" for any port: it must not be asked about the agent's.
    const env = fakeEnv({ isPortFree: async () => true })
    const check = await checkPort(env, { ...defaultConfig(), port: 4752 }, found(5001), agentOn(5001))
    expect(check).toMatchObject({ status: 'ok', detail: '127.0.0.1:5001 is held by ehealth-agent 1.2.3 (pid 42) (started with --port; the settings say 4752)' })
    expect(check.detail).not.toMatch(/free/)
  })

  it('--port naming another port than the agent found: a warning naming both', async () => {
    const check = await checkPort(fakeEnv({ port: 5002 }), defaultConfig(), found(5001), agentOn(5001))
    expect(check).toMatchObject({ status: 'warn', detail: '127.0.0.1:5001 is held by ehealth-agent 1.2.3 (pid 42), not 5002 as --port says', fix: expect.stringContaining('--port 5001') })
  })

  it('an agent in the discovery file that does not answer: a failure naming its pid', async () => {
    const check = await checkPort(fakeEnv(), defaultConfig(), found(5001, false), agentOn(1))
    expect(check).toMatchObject({ status: 'fail', detail: expect.stringMatching(/\(pid 42\) does not answer on 127\.0\.0\.1:5001$/) })
  })

  it('no agent: its port free, held by another state directory’s agent, or by another program', async () => {
    expect(await checkPort(fakeEnv(), { ...defaultConfig(), port: 4800 }, undefined, agentOn(1))).toMatchObject({ status: 'ok', detail: '127.0.0.1:4800 is free (the agent is not running)' })
    const taken = fakeEnv({ isPortFree: async () => false, port: 4801 })
    expect(await checkPort(taken, defaultConfig(), undefined, agentOn(4801))).toMatchObject({ status: 'fail', detail: '127.0.0.1:4801 is held by another ehealth-agent (of another state directory or user)' })
    expect(await checkPort(taken, defaultConfig(), undefined, agentOn(1))).toMatchObject({ status: 'fail', detail: '127.0.0.1:4801 is held by another program' })
  })
})

describe('doctor: privacy log', () => {
  const MIB = 1024 * 1024
  const settings = (maxDiskMiB: number): AgentConfig => ({ ...defaultConfig(), privacyLog: { retentionMonths: 24, maxDiskMiB, warnAtPercent: 90 } })
  /** A privacy-log folder holding files of these sizes (MiB), named as the agent names them. */
  function auditDirWith(name: string, sizes: number[]): DoctorEnvironment {
    const dir = join(scratch, name)
    mkdirSync(dir)
    sizes.forEach((mib, i) => writeFileSync(join(dir, `audit-${String(i + 1).padStart(8, '0')}-20250101T000000000Z-20250102T000000000Z.jsonl.gz`), Buffer.alloc(mib * MIB)))
    writeFileSync(join(dir, 'notes.txt'), Buffer.alloc(5 * MIB)) // not ours: not counted
    const base = fakeEnv()
    return { ...base, paths: { ...base.paths, auditDir: dir } }
  }

  it('ok below the warning level, with the use, the files and the retention', async () => {
    const check = await checkPrivacyLog(auditDirWith('log-ok', [1, 2]), settings(10))
    expect(check).toMatchObject({ status: 'ok', fix: '' })
    expect(check.detail).toMatch(/: 3 MiB of 10 MiB \(30%\) in 2 files, records since 2025-01-01; kept 24 months$/)
  })

  it('warns from the warning level on, and fails at the budget, naming the setting and the folder', async () => {
    const warn = await checkPrivacyLog(auditDirWith('log-warn', [4, 5]), settings(10))
    expect(warn).toMatchObject({ status: 'warn', detail: expect.stringMatching(/9 MiB of 10 MiB \(90%\).*past the warning level/) })
    expect(warn.fix).toMatch(/privacyLog\.maxDiskMiB/)
    const full = await checkPrivacyLog(auditDirWith('log-full', [4, 6]), settings(10))
    expect(full).toMatchObject({ status: 'fail', detail: expect.stringMatching(/ERR_AUDIT_FULL/) })
    expect(full.fix).toContain(join(scratch, 'log-full'))
  })

  it('a folder not there yet is fine; one that cannot be written fails', async () => {
    const base = fakeEnv()
    const missing = await checkPrivacyLog({ ...base, paths: { ...base.paths, auditDir: join(scratch, 'never-made') } }, defaultConfig())
    expect(missing).toMatchObject({ status: 'ok', detail: expect.stringMatching(/does not exist yet/) })
    const locked = await checkPrivacyLog({ ...auditDirWith('log-locked', [1]), isWritable: () => false }, settings(10))
    expect(locked).toMatchObject({ status: 'fail', detail: expect.stringMatching(/not writable/) })
  })
})
