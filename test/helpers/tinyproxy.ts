import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './start-test-agent.js'

const TINYPROXY = '/usr/bin/tinyproxy'

export interface Tinyproxy {
  url: string
  port: number
  /** Its log file (LogLevel Info: one `Request (file descriptor N): METHOD URL` line per request). */
  logFile: string
  /** The request lines of the log: `POST http://…`, `CONNECT host:port`. */
  requests(): string[]
  /** Stop it (the port stays free until `start` again). */
  stop(): Promise<void>
  start(): Promise<void>
}

export interface TinyproxyOptions {
  /** `BasicAuth user password`: it answers 407 to requests without these credentials. */
  basicAuth?: { user: string; password: string }
  /**
   * Names only this tinyproxy resolves (name → address), as if they were in DNS: it runs in a
   * private mount namespace (`unshare --mount`, root only) where a hosts file of the test is
   * mounted over /etc/hosts. The agent never resolves these names itself, only the proxy does:
   * that is how a test host on 127.0.0.1 gets a name that is not loopback to the agent.
   */
  hosts?: Record<string, string>
}

/**
 * tinyproxy (Debian `tinyproxy`) on 127.0.0.1 with a configuration of the test's own, in the
 * foreground (`-d`), logging to a file the test reads.
 */
export async function startTinyproxy(options: TinyproxyOptions = {}): Promise<Tinyproxy> {
  if (!existsSync(TINYPROXY)) throw new Error('tinyproxy is not installed: sudo apt-get install -y tinyproxy')
  if (options.hosts && process.getuid?.() !== 0) throw new Error('a tinyproxy with its own /etc/hosts needs root (unshare --mount); run the system tests as root')
  const dir = mkdtempSync(join(tmpdir(), 'tinyproxy-'))
  const port = await freePort()
  const logFile = join(dir, 'tinyproxy.log')
  const config = join(dir, 'tinyproxy.conf')
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'Listen 127.0.0.1',
      'Timeout 30',
      `LogFile "${logFile}"`,
      'LogLevel Info',
      'MaxClients 50',
      'Allow 127.0.0.1',
      ...(options.basicAuth ? [`BasicAuth ${options.basicAuth.user} ${options.basicAuth.password}`] : []),
      '',
    ].join('\n'),
  )
  let command: [string, string[]] = [TINYPROXY, ['-d', '-c', config]]
  if (options.hosts) {
    const hosts = join(dir, 'hosts')
    writeFileSync(hosts, ['127.0.0.1 localhost', ...Object.entries(options.hosts).map(([name, address]) => `${address} ${name}`), ''].join('\n'))
    command = ['unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'mount --bind "$1" /etc/hosts && exec "$2" -d -c "$3"', 'sh', hosts, TINYPROXY, config]]
  }
  let child: ChildProcess | undefined
  let output = ''
  const start = async () => {
    output = ''
    child = spawn(command[0], command[1], { stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()))
    const exited = new Promise<never>((_resolve, reject) => child!.once('exit', (code) => reject(new Error(`tinyproxy exited (${code}) before it listened: ${output.trim()}`))))
    await Promise.race([waitForPort(port), exited])
    child.removeAllListeners('exit')
  }
  const stop = async () => {
    const c = child
    child = undefined
    if (!c || c.exitCode !== null) return
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()))
    c.kill('SIGTERM')
    await exited
  }
  await start()
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    logFile,
    requests: () =>
      readFileSync(logFile, 'utf8')
        .split('\n')
        .map((line) => /Request \(file descriptor \d+\): (.+?)(?: HTTP\/1\.[01])?$/.exec(line)?.[1])
        .filter((r): r is string => r !== undefined),
    stop,
    start,
  }
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)))
      s.once('error', () => resolve(false))
    })
    if (open) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`tinyproxy did not listen on 127.0.0.1:${port} within 5 s`)
}
