import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultConfig, type AgentConfig } from '../config.js'
import { pkcs11jsBinding } from '../keys/pkcs11-key-source.js'
import type { SandboxPki } from '../sandbox/pki/index.js'
import { provisionEidToken, SANDBOX_EID_PIN } from '../sandbox/softhsm.js'
import { resolvePaths } from '../../protocol/discovery/resolve-paths.js'
import { sharedSandboxPki } from '../../test/helpers/sandbox-pki.js'
import { checkPkcs11Module } from './check-pkcs11-module.js'
import { checkTokens } from './check-tokens.js'
import type { DoctorEnvironment } from './doctor-environment.js'
import { loadCaBundle } from '../trust/load-ca-bundle.js'

// The doctor's eID checks through a real PKCS#11 module: SoftHSM2 provisioned as a Belgian eID.
// The other checks, and these with made-up modules, are in run-doctor.test.ts.

let pki: SandboxPki
let scratch: string
beforeAll(async () => {
  pki = await sharedSandboxPki()
  scratch = mkdtempSync(join(tmpdir(), 'doctor-'))
}, 120_000)
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

/** This machine's files and PKCS#11, no network: all the PKCS#11 checks look at. */
function machineEnv(): DoctorEnvironment {
  return {
    platform: 'linux',
    nodeVersion: '20.11.0',
    paths: resolvePaths(scratch, { platform: 'linux', home: scratch, uid: 1000, env: {} }),
    display: {},
    trayHelper: undefined,
    proxy: { environment: {} },
    createHttpClient: () => ({
      request: async () => {
        throw new Error('no network in this test')
      },
      proxyFor: () => undefined,
      close: async () => undefined,
    }),
    fileExists: (p) => existsSync(p),
    isExecutable: () => true,
    isWritable: () => true,
    readFile: (p) => readFile(p),
    pkcs11: pkcs11jsBinding,
    probeEidSupport: () => undefined,
    probeMallocTrim: () => true,
    probeSockDiag: async () => 'answers' as const,
    loadCaBundle: (environment) => loadCaBundle(environment),
    now: () => Date.now(),
    isPortFree: async () => true,
    isProcessAlive: () => false,
    listFiles: async (dir) => readdirSync(dir).map((name) => ({ name, size: statSync(join(dir, name)).size })),
  }
}

const prod = (login: AgentConfig['login'] = {}): AgentConfig => ({ ...defaultConfig(), environment: 'prod', trustedStsCertificates: ['/etc/sts.pem'], login })

describe('doctor: PKCS#11 module and tokens, through SoftHSM2', () => {
  it('lists the token of a SoftHSM "eID card" through the real module', async () => {
    const token = await provisionEidToken({
      stateDir: join(scratch, 'softhsm'),
      pin: SANDBOX_EID_PIN,
      authentication: pki.eid.doctor.authentication,
      signature: pki.eid.doctor.signature,
    })
    // SoftHSM reads its configuration when the module is initialised, in this process.
    process.env.SOFTHSM2_CONF = token.softhsmConf
    const config = prod({ method: 'eid', pkcs11Module: token.modulePath })
    const env = machineEnv()
    const module = checkPkcs11Module(env, config)
    expect(module.check).toMatchObject({ status: 'ok', detail: expect.stringContaining(token.modulePath) })
    const tokens = checkTokens(env, config, module.modulePath)
    expect(tokens).toMatchObject({ id: 'tokens', status: 'ok', detail: expect.stringMatching(/^1 token: BELPIC/) })
    expect(checkTokens(env, prod({ method: 'eid', pkcs11Module: token.modulePath, pkcs11TokenLabel: 'OTHER' }), token.modulePath)).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/no token labelled "OTHER"/),
    })
  })
})
