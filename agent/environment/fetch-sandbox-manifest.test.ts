import { generateKeyPairSync, X509Certificate } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SandboxManifest } from '../../protocol/sandbox-manifest.js'
import type { RunningSandbox } from '../sandbox/server.js'
import { freePort, startTestSandbox } from '../../test/helpers/start-test-agent.js'
import { createSelfSignedCertificate } from '../keys/create-self-signed-certificate.js'
import { fetchSandboxManifest } from './fetch-sandbox-manifest.js'

// What the agent accepts as a sandbox: the real one's manifest; not a manifest whose parts do not
// belong together, nor something else answering on that port.

let sandbox: RunningSandbox
let real: SandboxManifest
let impostor: Server
let impostorUrl: string
/** What the impostor answers next: a manifest (edited from the real one) or raw text. */
let answer: { status: number; body: string } = { status: 200, body: '{}' }

beforeAll(async () => {
  sandbox = await startTestSandbox()
  real = (await fetchSandboxManifest(sandbox.url)).manifest
  impostor = createServer((_req, res) => {
    res.writeHead(answer.status, { 'Content-Type': 'application/json' })
    res.end(answer.body)
  })
  await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', () => resolve()))
  impostorUrl = `http://127.0.0.1:${(impostor.address() as { port: number }).port}`
}, 60_000)
afterAll(async () => {
  await sandbox?.close()
  await new Promise((resolve) => impostor?.close(resolve))
})

/** The real manifest, moved to the impostor's address, then edited. */
function serve(edit: (m: SandboxManifest) => unknown): void {
  const moved = JSON.parse(JSON.stringify(real).replaceAll(sandbox.url, impostorUrl)) as SandboxManifest
  answer = { status: 200, body: JSON.stringify(edit(moved)) }
}

describe('fetchSandboxManifest', () => {
  it('accepts the sandbox\'s own manifest and parses its STS certificate', async () => {
    const { manifest, stsCertificates } = await fetchSandboxManifest(sandbox.url + '/')
    expect(manifest.url).toBe(sandbox.url)
    expect(stsCertificates).toHaveLength(1)
    expect(stsCertificates[0]!.fingerprint256).toBe(sandbox.state.pki.sts.certificate.fingerprint256)
  })

  it('accepts the same manifest served elsewhere when it names that address (the control for the cases below)', async () => {
    serve((m) => m)
    await expect(fetchSandboxManifest(impostorUrl)).resolves.toMatchObject({ manifest: { url: impostorUrl } })
  })

  it('refuses an STS certificate that no published CA issued', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const der = await createSelfSignedCertificate({ privateKey, commonName: 'not the sandbox STS', notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 3600_000) })
    const pem = new X509Certificate(der).toString()
    serve((m) => ({ ...m, trust: { ...m.trust, stsCertificates: [pem] } }))
    await expect(fetchSandboxManifest(impostorUrl)).rejects.toMatchObject({ code: 'ERR_REMOTE_PROTOCOL', message: expect.stringMatching(/not issued by a CA the sandbox publishes/) })
  })

  it('refuses a manifest naming another address than the one it was fetched from', async () => {
    serve((m) => ({ ...m, url: sandbox.url }))
    await expect(fetchSandboxManifest(impostorUrl)).rejects.toMatchObject({ code: 'ERR_REMOTE_PROTOCOL', message: expect.stringMatching(/says it is at/) })
  })

  it('refuses what the schema refuses, naming the field', async () => {
    serve(({ trust: _trust, ...rest }) => rest)
    await expect(fetchSandboxManifest(impostorUrl)).rejects.toMatchObject({ code: 'ERR_REMOTE_PROTOCOL', message: expect.stringMatching(/trust/) })
    serve((m) => ({ ...m, environment: { ...m.environment, stsWsTrust: 'https://services.ehealth.fgov.be/IAM/SecurityTokenService/v1' } }))
    await expect(fetchSandboxManifest(impostorUrl)).rejects.toMatchObject({ message: expect.stringMatching(/environment\.stsWsTrust/) })
  })

  it('refuses an answer that is not JSON, or not 200', async () => {
    answer = { status: 200, body: '<html>' }
    await expect(fetchSandboxManifest(impostorUrl)).rejects.toMatchObject({ code: 'ERR_REMOTE_PROTOCOL', message: expect.stringMatching(/without JSON/) })
    answer = { status: 404, body: '{}' }
    await expect(fetchSandboxManifest(impostorUrl)).rejects.toMatchObject({ code: 'ERR_REMOTE_PROTOCOL', message: expect.stringMatching(/HTTP 404/) })
  })

  it('says so when nothing listens there', async () => {
    const url = `http://127.0.0.1:${await freePort()}`
    await expect(fetchSandboxManifest(url)).rejects.toMatchObject({ code: 'ERR_UNAVAILABLE', message: expect.stringMatching(/is `ehagent sandbox` running there/) })
  })
})
