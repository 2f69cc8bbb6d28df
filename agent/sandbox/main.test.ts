import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { createServer, request, type IncomingMessage, type Server } from 'node:http'
import { dirname } from 'node:path'
import { PassThrough } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseSandboxManifest } from '../../protocol/sandbox-manifest.js'
import { sharedSandboxPki } from '../../test/helpers/sandbox-pki.js'
import { followSandboxRedirects } from '../environment/demo-answers.js'
import { runSandbox, type SandboxProgram } from './main.js'

// `ehagent sandbox` as a program: its command line, its ready line, its manifest (the contract
// with the agent, checked against protocol/sandbox-manifest.ts), --demo, and its stop on stdin's end.

let sandboxDir: string
beforeAll(async () => {
  sandboxDir = dirname((await sharedSandboxPki()).dir)
}, 120_000)

class Usage extends Error {}

/** A sandbox program with captured streams; `stop()` ends it the way the given trigger would. */
function program(argv: string[]) {
  const stdin = new PassThrough()
  const stdout = new PassThrough()
  let out = ''
  stdout.on('data', (d: Buffer) => (out += d.toString('utf8')))
  let stop!: () => void
  const stopSignal = new Promise<void>((resolve) => (stop = resolve))
  const options: SandboxProgram = {
    argv,
    pathContext: { platform: 'linux', home: '/nonexistent', uid: 0, env: {} },
    pid: 4242,
    stdin,
    stdout,
    stderr: new PassThrough(),
    stopSignal,
    usageError: (message) => new Usage(message),
  }
  const exit = runSandbox(options)
  const readyLine = async (): Promise<{ ready: boolean; url: string; port: number; pid: number; manifest: string; demo: boolean }> => {
    for (let i = 0; i < 500; i++) {
      const newline = out.indexOf('\n')
      if (newline !== -1) return JSON.parse(out.slice(0, newline))
      await new Promise((r) => setTimeout(r, 10))
    }
    throw new Error('no ready line')
  }
  return { exit, stop, stdin, output: () => out, readyLine }
}

describe('ehagent sandbox --json', () => {
  let run: ReturnType<typeof program>
  let ready: Awaited<ReturnType<ReturnType<typeof program>['readyLine']>>
  beforeAll(async () => {
    run = program(['--json', '--port', '0', '--sandbox-dir', sandboxDir])
    ready = await run.readyLine()
  })
  afterAll(async () => {
    run.stop()
    await run.exit
  })

  it('prints one ready line once it listens: where it is, its pid, where its manifest is', async () => {
    expect(ready).toMatchObject({ ready: true, url: `http://127.0.0.1:${ready.port}`, pid: 4242, manifest: `http://127.0.0.1:${ready.port}/sandbox/manifest`, demo: false })
    expect(ready.port).toBeGreaterThan(0)
    expect(run.output().trim().split('\n')).toHaveLength(1)
    expect((await fetch(ready.url + '/')).status).toBe(200)
  })

  it('publishes a manifest the agent\'s schema accepts: endpoints, STS certificate, CAs, keystores; no demo section', async () => {
    const res = await fetch(ready.manifest)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const manifest = parseSandboxManifest(await res.json())
    expect(manifest.url).toBe(ready.url)
    expect(manifest.environment.stsWsTrust).toBe(`${ready.url}/IAM/SecurityTokenService/v1`)
    expect(manifest.environment.iamConnectIssuer).toBe(`${ready.url}/auth/realms/healthcare`)
    expect(manifest.trust.stsCertificates).toHaveLength(1)
    expect(manifest.trust.caCertificates.map((c) => c.name)).toHaveLength(3)
    expect(manifest.defaultKeystore).toBe('doctor')
    const doctor = manifest.keystores.find((k) => k.id === 'doctor')!
    expect(existsSync(doctor.p12Path)).toBe(true)
    expect(manifest.demo).toBeUndefined()
  })

  it('refuses the manifest to a request addressed to another host name (a rebound DNS name)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: ready.port, path: '/sandbox/manifest', headers: { Host: `rebound.example:${ready.port}` } }, (res: IncomingMessage) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', reject)
      req.end()
    })
    expect(status).toBe(421)
  })

  it('IAM Connect without --demo shows its pages: a demo agent says the sandbox is not approving by itself', async () => {
    await expect(followSandboxRedirects()(authorizationUrl(ready.url, 'http://127.0.0.1:1/callback'))).rejects.toThrow(/is the sandbox running with --demo/)
  })
})

/** A valid authorization request of the agent's registered client (PKCE S256, nonce, loopback redirect). */
function authorizationUrl(base: string, redirectUri: string): string {
  const verifier = randomBytes(32).toString('base64url')
  const url = new URL(`${base}/auth/realms/healthcare/protocol/openid-connect/auth`)
  const params = {
    response_type: 'code',
    client_id: 'ehealth-agent',
    redirect_uri: redirectUri,
    scope: 'openid profile',
    state: 'state-1',
    nonce: 'nonce-1',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    prompt: 'login',
    profile_hint: 'nurse',
  }
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v)
  return url.href
}

describe('ehagent sandbox --demo', () => {
  let run: ReturnType<typeof program>
  let url: string
  let callback: Server
  const delivered: string[] = []
  beforeAll(async () => {
    run = program(['--json', '--port=0', `--sandbox-dir=${sandboxDir}`, '--demo'])
    url = (await run.readyLine()).url
    callback = createServer((req, res) => {
      delivered.push(req.url ?? '')
      res.end('signed in')
    })
    await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', () => resolve()))
  })
  afterAll(async () => {
    run.stop()
    await run.exit
    await new Promise((resolve) => callback.close(resolve))
  })

  it('publishes the demo user and the public demo secrets', async () => {
    const manifest = parseSandboxManifest(await (await fetch(`${url}/sandbox/manifest`)).json())
    expect(manifest.demo).toEqual({ person: 'doctor', keystorePassword: 'sandbox', eidPin: '1234' })
  })

  it('approves an IAM Connect authorization as the demo user without a page: the demo agent follows the redirects to its callback', async () => {
    // The sandbox's client registration allows any port on the loopback redirect (RFC 8252 §7.3).
    const port = (callback.address() as { port: number }).port
    await followSandboxRedirects()(authorizationUrl(url, `http://127.0.0.1:${port}/callback`))
    expect(delivered).toHaveLength(1)
    const answer = new URL(delivered[0]!, 'http://127.0.0.1')
    expect(answer.pathname).toBe('/callback')
    expect(answer.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{20,}$/)
    expect(answer.searchParams.get('state')).toBe('state-1')
    expect(answer.searchParams.get('error')).toBeNull()
  })
})

describe('the sandbox program stops and refuses', () => {
  it('--exit-with-stdin: stops when its standard input closes (the parent has gone), port released', async () => {
    const run = program(['--json', '--port', '0', '--sandbox-dir', sandboxDir, '--exit-with-stdin'])
    const { url } = await run.readyLine()
    run.stdin.end()
    await expect(run.exit).resolves.toBe(0)
    await expect(fetch(url + '/')).rejects.toThrow()
  })

  it('without it, stdin is not watched: the stop signal stops it', async () => {
    const run = program(['--json', '--port', '0', '--sandbox-dir', sandboxDir])
    await run.readyLine()
    run.stdin.end()
    const early = await Promise.race([run.exit.then(() => 'exited'), new Promise((r) => setTimeout(() => r('running'), 300))])
    expect(early).toBe('running')
    run.stop()
    await expect(run.exit).resolves.toBe(0)
  })

  it('a person gets a description with the manifest and the test keystores', async () => {
    const run = program(['--port', '0', '--sandbox-dir', sandboxDir])
    for (let i = 0; i < 500 && !run.output().includes('Stop with Ctrl-C'); i++) await new Promise((r) => setTimeout(r, 10))
    run.stop()
    await run.exit
    expect(run.output()).toMatch(/^ehealth-agent sandbox \(simulated eHealth\) on http:\/\/127\.0\.0\.1:\d+\n/)
    expect(run.output()).toMatch(/ {2}Manifest {7}http:\/\/127\.0\.0\.1:\d+\/sandbox\/manifest/)
    expect(run.output()).toContain('password sandbox')
  })

  it.each([
    [['--port', 'abc'], /--port must be a port number/],
    [['--port', '70000'], /--port must be a port number/],
    [['--frobnicate'], /unknown option --frobnicate/],
    [['extra'], /unexpected argument "extra"/],
    [['--fault'], /--fault needs a value/],
    [['--demo=yes'], /unknown option --demo/],
  ])('%j is a usage error', async (argv, message) => {
    const run = program([...argv, '--sandbox-dir', sandboxDir])
    const err = await run.exit.then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(Usage)
    expect((err as Error).message).toMatch(message)
  })

  it('a bad fault spec is refused before anything listens', async () => {
    const run = program(['--json', '--port', '0', '--sandbox-dir', sandboxDir, '--fault', 'explode=1'])
    await expect(run.exit).rejects.toMatchObject({ code: 'ERR_INVALID_PARAMS', message: expect.stringMatching(/unknown fault "explode=1"/) })
    expect(run.output()).toBe('')
  })
})
