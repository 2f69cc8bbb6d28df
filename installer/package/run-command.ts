import { spawn } from 'node:child_process'

export interface RunOptions {
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** Killed after this long; default 10 minutes (a cold `npm ci` with a native build is slow). */
  timeoutMs?: number
  /** Exit codes that are not a failure; default 0 only (`ehagent doctor` exits 1 when a check fails). */
  okCodes?: number[]
}

/**
 * Runs a build tool (npm, dpkg-deb, wixl, tar…) without a shell and returns its stdout; a
 * non-zero exit, a signal or the time limit throws an Error with the command and the end of its
 * output, so the packager's failure says which step broke and why. Its stdin is /dev/null: none
 * of these tools reads input, and an empty pipe closed after a tool had already exited raised an
 * unhandled EPIPE that killed the packager (seen under load in packages.system.test.ts).
 */
export function runCommand(file: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 600_000
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args], { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (d: Buffer) => out.push(d))
    child.stderr.on('data', (d: Buffer) => err.push(d))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.once('error', (error) => {
      clearTimeout(timer)
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT'
      reject(new Error(missing ? `${file} is not installed (${describeMissingTool(file)})` : `${file}: ${error.message}`))
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      const stdout = Buffer.concat(out).toString('utf8')
      if (code !== null && (options.okCodes ?? [0]).includes(code)) return resolve(stdout)
      const tail = (Buffer.concat(err).toString('utf8') + stdout).trim().split('\n').slice(-25).join('\n')
      const why = signal ? `was killed (${signal}${signal === 'SIGKILL' ? `, over ${timeoutMs / 1000} s?` : ''})` : `exited with ${code}`
      reject(new Error(`${[file, ...args].join(' ')} ${why}${options.cwd ? ` in ${options.cwd}` : ''}:\n${tail}`))
    })
  })
}

/** The Debian package that brings a tool the packager runs. */
const TOOL_PACKAGES: Record<string, string> = {
  'dpkg-deb': 'dpkg',
  wixl: 'wixl',
  msiinfo: 'msitools',
  tar: 'tar',
  strip: 'binutils',
  'dpkg-shlibdeps': 'dpkg-dev',
  gzip: 'gzip',
}

function describeMissingTool(file: string): string {
  const pkg = TOOL_PACKAGES[file]
  return pkg ? `apt-get install -y ${pkg}` : 'install it and run again'
}
