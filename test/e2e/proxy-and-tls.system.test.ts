/**
 * eHealth traffic through a real proxy (tinyproxy) and TLS with an extra trusted CA, end to end
 * through the agent: sign-in and soap.call against the sandbox through the proxy, a stopped
 * proxy, Basic proxy authentication, a TLS-inspecting proxy's CA (extraCaFile), a CONNECT tunnel,
 * the doctor, and the total deadline.
 *
 * The sandbox listens on 127.0.0.1 only (its manifest says so), and the agent never sends loopback
 * through a proxy. Two ways keep that rule from defeating the test:
 * - sign-in and soap.call to the sandbox: the agent is started with `proxyLoopback` (a startAgent
 *   option for tests only, not reachable from the settings, the environment or the command line),
 *   so its requests to 127.0.0.1 go to tinyproxy, which forwards them to the sandbox;
 * - the HTTPS service: it gets a name, `services.ehealth.test`, that only tinyproxy resolves (a
 *   hosts file of the test mounted over /etc/hosts in tinyproxy's own mount namespace). For the
 *   agent it is an ordinary remote name, so the real rule applies and the request is tunnelled
 *   with CONNECT, with no override.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttpClient } from '../../agent/net/http-client.js'
import { proxyLayers, resolveProxyPlan } from '../../agent/net/resolve-proxy.js'
import { AgentClient } from '../../clients/js/agent-client.js'
import { makeEnvelope } from '../helpers/envelopes.js'
import { runCliCaptured } from '../helpers/run-cli-captured.js'
import { startTestAgent, type TestAgent } from '../helpers/start-test-agent.js'
import { startTinyproxy, type Tinyproxy } from '../helpers/tinyproxy.js'
import { makeTestTls, startTestHttpsServer, type TestHttpsServer, type TestTlsFiles } from '../helpers/tls-test-server.js'

/** The proxy password: it must never show up in a log, an error, the doctor's output or a file. */
const PASSWORD = 'Pr0xy-Canary-5e1d7'

const stops: (() => Promise<void>)[] = []
afterAll(async () => {
  for (let s = stops.pop(); s; s = stops.pop()) await s().catch(() => undefined)
})

async function agent(options: Parameters<typeof startTestAgent>[0]): Promise<TestAgent & { client: AgentClient; logs: string[] }> {
  const logs: string[] = []
  const t = await startTestAgent({ ...options, log: (line) => logs.push(line) })
  stops.push(() => t.agent.close())
  return { ...t, client: new AgentClient({ url: t.agent.url, credential: t.agent.credential }), logs }
}

async function proxy(options: Parameters<typeof startTinyproxy>[0] = {}): Promise<Tinyproxy> {
  const tp = await startTinyproxy(options)
  stops.push(() => tp.stop())
  return tp
}

/** Every file under `dir`, as text (the privacy log, the settings). */
function filesUnder(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'))
    .join('\n')
}

describe('through tinyproxy: sign-in and soap.call against the sandbox', () => {
  let tp: Tinyproxy
  let t: Awaited<ReturnType<typeof agent>>
  beforeAll(async () => {
    tp = await proxy()
    t = await agent({ config: { proxy: tp.url }, network: { proxyLoopback: true } })
  }, 120_000)

  it('the agent says which proxy it uses and where that came from', () => {
    expect(t.agent.proxy).toBe(`${tp.url} (from the setting "proxy")`)
    expect(t.logs).toContain(`eHealth traffic goes through the proxy ${tp.url} (from the setting "proxy")`)
  })

  it('sign-in and soap.call go through the proxy: its log shows each request', async () => {
    await t.client.call('session.login', { profile: 'doctor' })
    const endpoint = t.agent.services.environment.services.hokEcho!
    const answer = await t.client.call('soap.call', { endpoint, envelope: makeEnvelope(500) })
    expect(answer.envelope).toContain('<echo:Accepted>true</echo:Accepted>')
    expect(tp.requests()).toEqual([`POST ${t.agent.services.environment.stsWsTrust}`, `POST ${endpoint}`])
  })

  it('with the proxy stopped, the error says the proxy cannot be reached (not eHealth); started again, calls work', async () => {
    await tp.stop()
    const endpoint = t.agent.services.environment.services.hokEcho!
    const err = await t.client.call('soap.call', { endpoint, envelope: makeEnvelope(100) }).catch((e: unknown) => e)
    expect(err).toMatchObject({
      code: 'ERR_PROXY',
      message: `cannot reach the proxy ${tp.url} (ECONNREFUSED); ${new URL(endpoint).host} was not tried`,
      data: { reason: 'unreachable', proxy: tp.url },
    })
    await tp.start()
    await expect(t.client.call('soap.call', { endpoint, envelope: makeEnvelope(100) })).resolves.toMatchObject({ status: 200 })
  })
})

describe('tinyproxy with BasicAuth', () => {
  let tp: Tinyproxy
  beforeAll(async () => {
    // It also resolves the Integration STS host, to this machine's port 443, where nothing listens.
    tp = await proxy({ basicAuth: { user: 'alice', password: PASSWORD }, hosts: { 'services-int.ehealth.fgov.be': '127.0.0.1' } })
  }, 60_000)

  it('without credentials: 407, reported as the proxy asking for them', async () => {
    const t = await agent({ config: { proxy: tp.url }, network: { proxyLoopback: true } })
    await expect(t.client.call('session.login', { profile: 'doctor' })).rejects.toMatchObject({
      code: 'ERR_PROXY',
      message: `the proxy ${tp.url} asks for a user name and password (HTTP 407): set proxyUsername and proxyPassword in the settings`,
      data: { reason: 'credentials-required', status: 407 },
    })
  }, 120_000)

  it('with them: sign-in and soap.call work; the password is in no log, message or file', async () => {
    const t = await agent({ config: { proxy: tp.url, proxyUsername: 'alice', proxyPassword: PASSWORD }, network: { proxyLoopback: true } })
    await t.client.call('session.login', { profile: 'doctor' })
    const endpoint = t.agent.services.environment.services.hokEcho!
    await expect(t.client.call('soap.call', { endpoint, envelope: makeEnvelope(200) })).resolves.toMatchObject({ status: 200 })
    expect(tp.requests()).toEqual(expect.arrayContaining([`POST ${endpoint}`]))
    const masked = `http://alice:***@127.0.0.1:${tp.port}`
    expect(t.agent.proxy).toBe(`${masked} (from the setting "proxy")`)
    expect(t.logs.join('\n')).toContain(masked)
    const status = await t.client.call('agent.status')
    for (const text of [t.logs.join('\n'), t.agent.proxy!, JSON.stringify(status), filesUnder(t.stateDir)]) expect(text).not.toContain(PASSWORD)
  }, 120_000)

  it('doctor: shows the proxy (masked) and where it came from, and tests eHealth through it', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'doctor-proxy-'))
    const tls = makeTestTls(['sts.test'])
    const settings = { environment: 'int', trustedStsCertificates: [tls.caFile], proxy: tp.url, proxyUsername: 'alice', proxyPassword: PASSWORD }
    writeFileSync(join(stateDir, 'config.json'), JSON.stringify(settings))
    const doctor = async (machine = {}, args: string[] = []) => {
      const run = await runCliCaptured(['doctor', '--json', '--state-dir', stateDir, ...args], { home: stateDir, machine })
      expect(run.stdout + run.stderr).not.toContain(PASSWORD)
      return JSON.parse(run.stdout).checks.find((c: { id: string }) => c.id === 'proxy') as { status: string; detail: string; fix: string }
    }
    const before = tp.requests().length
    // Through the proxy: the tunnel to the STS is asked for (tinyproxy's log), and the proxy could not complete it.
    const through = await doctor()
    expect(through).toMatchObject({ status: 'fail' })
    expect(through.detail).toBe(
      `http://alice:***@127.0.0.1:${tp.port} (from the setting "proxy"); the proxy http://alice:***@127.0.0.1:${tp.port} could not reach services-int.ehealth.fgov.be (it answered HTTP 500 to CONNECT)`,
    )
    expect(tp.requests().slice(before)).toContain('CONNECT services-int.ehealth.fgov.be:443')

    // From the environment, without credentials: the proxy's 407 is named as the problem.
    writeFileSync(join(stateDir, 'config.json'), JSON.stringify({ environment: 'int', trustedStsCertificates: [tls.caFile] }))
    const fromEnv = await doctor({ proxyEnvironment: { HTTPS_PROXY: tp.url, NO_PROXY: '.hospital.example' } })
    expect(fromEnv).toMatchObject({ status: 'fail', fix: expect.stringMatching(/proxyUsername and proxyPassword/) })
    expect(fromEnv.detail).toMatch(new RegExp(`^${tp.url} \\(from HTTPS_PROXY\\); not for \\.hospital\\.example \\(from NO_PROXY\\); the proxy ${tp.url} asks for a user name and password \\(HTTP 407\\)`))

    // --proxy wins, and a proxy that is not there is named as such.
    const gone = await doctor({ proxyEnvironment: { HTTPS_PROXY: tp.url } }, ['--proxy', 'http://bob:secret@127.0.0.1:1'])
    expect(gone).toMatchObject({ status: 'fail', detail: 'http://bob:***@127.0.0.1:1 (from --proxy); cannot reach the proxy http://bob:***@127.0.0.1:1 (ECONNREFUSED); services-int.ehealth.fgov.be was not tried' })
  }, 60_000)
})

describe('TLS with a test CA (extraCaFile), direct and through a CONNECT tunnel', () => {
  let tls: TestTlsFiles
  let server: TestHttpsServer
  let tp: Tinyproxy
  beforeAll(async () => {
    tls = makeTestTls(['services.ehealth.test', 'localhost'])
    server = await startTestHttpsServer(tls)
    stops.push(() => server.close())
    tp = await proxy({ hosts: { 'services.ehealth.test': '127.0.0.1' } })
  }, 60_000)

  it('without extraCaFile: the call fails, naming the host and extraCaFile', async () => {
    const direct = `https://localhost:${server.port}/Service/v1`
    const t = await agent({ config: { serviceAllowlist: [direct] } })
    await t.client.call('session.login', { profile: 'doctor' })
    const err = await t.client.call('soap.call', { endpoint: direct, envelope: makeEnvelope(100) }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'ERR_TLS', data: { host: `localhost:${server.port}`, cause: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' } })
    expect((err as Error).message).toBe(
      `the certificate of localhost:${server.port} is not trusted: UNABLE_TO_VERIFY_LEAF_SIGNATURE. If a proxy or firewall inspects TLS, set extraCaFile in the settings to its CA certificate (PEM)`,
    )
    expect(server.seen).toEqual([])
  }, 120_000)

  it('with extraCaFile naming the test CA: direct to localhost, and through tinyproxy with CONNECT to a name only the proxy knows', async () => {
    const direct = `https://localhost:${server.port}/Service/v1`
    const tunnelled = `https://services.ehealth.test:${server.port}/Service/v1`
    const t = await agent({ config: { extraCaFile: tls.caFile, proxy: tp.url, serviceAllowlist: [direct, tunnelled] } })
    await t.client.call('session.login', { profile: 'doctor' })
    const viaDirect = await t.client.call('soap.call', { endpoint: direct, envelope: makeEnvelope(300), soapAction: 'urn:test:Consult' })
    expect(viaDirect.envelope).toMatch(/<Received xmlns="urn:test">\d+<\/Received>/)
    const viaTunnel = await t.client.call('soap.call', { endpoint: tunnelled, envelope: makeEnvelope(300), soapAction: 'urn:test:Consult' })
    expect(viaTunnel.envelope).toMatch(/<Received xmlns="urn:test">\d+<\/Received>/)
    expect(server.seen.map((s) => [s.method, s.path, s.soapAction])).toEqual([
      ['POST', '/Service/v1', '"urn:test:Consult"'],
      ['POST', '/Service/v1', '"urn:test:Consult"'],
    ])
    // Only the tunnel went through the proxy: the sandbox (sign-in) and localhost are loopback, never proxied.
    expect(tp.requests()).toEqual([`CONNECT services.ehealth.test:${server.port}`])
  }, 120_000)
})

describe('the total deadline, through tinyproxy', () => {
  it('a server that trickles its answer through the proxy is cut off at the deadline: ERR_TIMEOUT', async () => {
    const sockets = new Set<Socket>()
    const slow = createTcpServer((socket) => {
      sockets.add(socket)
      socket.on('error', () => undefined)
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 1000000\r\n\r\n')
        const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write('<')), 50)
        socket.on('close', () => clearInterval(timer))
      })
    })
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r))
    stops.push(() => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), slow.close(() => r()))))
    const tp = await proxy()
    const client = createHttpClient({ proxy: resolveProxyPlan(proxyLayers({ settings: { proxy: tp.url }, environment: {} })), proxyLoopback: true })
    stops.push(() => client.close())
    const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/IAM/SecurityTokenService/v1`
    await expect(client.request({ url, method: 'POST', headers: {}, body: '<e/>', timeoutMs: 1500 })).rejects.toMatchObject({
      code: 'ERR_TIMEOUT',
      data: { timeoutMs: 1500, proxy: tp.url },
    })
    expect(tp.requests()).toEqual([`POST ${url}`])
  }, 30_000)
})
