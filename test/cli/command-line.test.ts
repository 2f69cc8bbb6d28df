import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { COMMANDS } from '../../clients/cli/command-table.js'
import { runCliCaptured } from '../helpers/run-cli-captured.js'

// The command line read strictly against each command's own option table: every mistake is a
// usage error (exit 2) that names what was wrong, before anything runs or any agent is asked.

const scratch = mkdtempSync(join(tmpdir(), 'cli-line-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))
const cli = (...argv: string[]) => runCliCaptured(argv, { home: scratch })
const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version

describe('strict options and arguments', () => {
  it('an unknown option is a usage error naming it and the command; nothing runs', async () => {
    const run = await cli('status', '--frobnicate')
    expect(run.code).toBe(2)
    expect(run.stderr).toBe('ehagent status: unknown option --frobnicate\n  see `ehagent help status`\n')
    expect(run.stdout).toBe('')
    // Another command's option is no option of this one: --name belongs to pair.
    expect((await cli('login', '--name', 'x')).stderr).toMatch(/unknown option --name/)
    expect((await cli('sign', 'x.xml', '-x')).stderr).toMatch(/unknown option -x/)
  })

  it('an extra argument is a usage error naming it', async () => {
    const status = await cli('status', 'now')
    expect(status.code).toBe(2)
    expect(status.stderr).toMatch(/^ehagent status: takes no arguments, but got "now"/)
    const sign = await cli('sign', 'a.xml', 'b.xml')
    expect(sign.code).toBe(2)
    expect(sign.stderr).toMatch(/^ehagent sign: unexpected extra argument "b\.xml"/)
    expect((await cli('clients', 'revoke', 'id', 'more')).stderr).toMatch(/unexpected extra argument "more"/)
  })

  it('a missing value, a value on a flag, an option given twice', async () => {
    const missing = await cli('login', '--profile')
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/^ehagent login: --profile needs a value/)
    expect((await cli('login', '--profile', '--json')).stderr).toMatch(/--profile needs a value \(to give one that starts with "-", write --profile=VALUE\)/)
    expect((await cli('login', '--profile=')).stderr).toMatch(/--profile needs a value/)
    const flag = await cli('sign', 'a.xml', '--x509=yes')
    expect(flag.code).toBe(2)
    expect(flag.stderr).toMatch(/--x509 is a flag and takes no value/)
    const twice = await cli('login', '--profile', 'doctor', '--profile', 'nurse')
    expect(twice.code).toBe(2)
    expect(twice.stderr).toMatch(/--profile is given twice/)
  })

  it('the options of the privacy log, pairing, the proxy, the sandbox control and settings reach their command', async () => {
    // Each gets past the table to its command, which checks the value itself or needs the agent.
    const noAgent = ['--state-dir', join(scratch, 'none')]
    expect(await cli('audit', '--from', '2025-01-01', '--to', '2025-01-31', '--client', 'x', '--event', 'login', '--method', 'soap.sign', '--outcome', 'ok', '--limit', '5', ...noAgent)).toMatchObject({ code: 4 })
    expect((await cli('audit', '--outcome', 'maybe')).stderr).toMatch(/^ehagent audit: --outcome must be one of ok, error, rejected/)
    expect((await cli('audit', '--since', 'yesterday')).stderr).toMatch(/^ehagent audit: --since must be a date/)
    expect(await cli('pair', '--name', 'app', '--use-policy', 'ask', ...noAgent)).toMatchObject({ code: 4 })
    expect((await cli('pair', '--name', 'app', '--use-policy', 'sometimes')).stderr).toMatch(/^ehagent pair: --use-policy is silent, notify or ask/)
    expect((await cli('doctor', '--env', 'moon')).stderr).toMatch(/^ehagent doctor: --env must be one of sandbox, int, acc, prod/)
    expect((await cli('doctor', '--proxy')).stderr).toMatch(/^ehagent doctor: --proxy needs the proxy URL, e\.g\. --proxy http:\/\/proxy\.example:3128/)
    expect((await cli('start', '--sandbox-url')).stderr).toMatch(/^ehagent start: --sandbox-url needs the URL of a running sandbox/)
    expect((await cli('sandbox', 'fault')).stderr).toMatch(/^ehagent sandbox: sandbox fault takes one argument/)
    expect((await cli('sandbox', 'fault', 'a', 'b')).stderr).toMatch(/^ehagent sandbox: unexpected extra argument "b"/)
    expect(await cli('settings', 'set', 'allowedWebOrigins', 'https://a.example,', 'https://b.example', ...noAgent)).toMatchObject({ code: 4 })
    expect((await cli('settings', 'frob')).stderr).toMatch(/^ehagent settings: unknown settings action "frob"/)
  })

  it('with --json the usage error is also JSON on stdout', async () => {
    const run = await cli('status', '--json', '--bogus')
    expect(run.code).toBe(2)
    expect(JSON.parse(run.stdout)).toEqual({ error: { code: 'ERR_USAGE', message: expect.stringMatching(/unknown option --bogus/) } })
    expect(JSON.parse((await cli('frobnicate', '--json')).stdout)).toEqual({ error: { code: 'ERR_USAGE', message: 'unknown command "frobnicate"' } })
  })

  it('an unknown command, or an option before the command', async () => {
    const unknown = await cli('frobnicate')
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/^ehagent: unknown command "frobnicate"\n {2}run `ehagent help` for the list of commands/)
    const first = await cli('--port', '4752', 'status')
    expect(first.code).toBe(2)
    expect(first.stderr).toMatch(/the command comes first/)
  })

  it('`--` ends the options; `-` is an argument (stdin)', async () => {
    // Both reach the command (which then finds no such file: its own usage error, exit 2).
    expect((await cli('sign', '--', '--odd.xml')).stderr).toMatch(/--odd\.xml/)
    const stdin = await runCliCaptured(['sign', '-', '--json', '--state-dir', join(scratch, 'none')], { home: scratch, stdin: '<x/>' })
    expect(JSON.parse(stdin.stdout).error.code).toBe('ERR_AGENT_UNREACHABLE')
  })
})

describe('--version and help', () => {
  it('--version and version print the version; with --json as JSON', async () => {
    const run = await runCliCaptured(['--version'], { home: scratch })
    expect(run).toEqual({ code: 0, stdout: 'test\n', stderr: '' })
    expect((await cli('version')).stdout).toBe('test\n')
    expect(JSON.parse((await cli('--version', '--json')).stdout)).toEqual({ version: 'test' })
    expect((await cli('version', 'extra')).code).toBe(2)
    // The real entry point prints package.json's version (test/cli/cancel.e2e.test.ts runs it).
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/)
  })

  it('help COMMAND and COMMAND --help print that command’s synopsis and every option it takes', async () => {
    for (const spec of COMMANDS) {
      const viaHelp = await cli('help', spec.name)
      const viaFlag = await cli(spec.name, '--help')
      expect(viaHelp.code, spec.name).toBe(0)
      expect(viaFlag).toEqual(viaHelp)
      expect(viaHelp.stdout.startsWith(`usage: ehagent ${spec.name}`), spec.name).toBe(true)
      for (const [name, option] of Object.entries(spec.options)) {
        if (option.hidden) expect(viaHelp.stdout, `${spec.name} --${name}`).not.toMatch(new RegExp(`--${name}\\b`))
        else expect(viaHelp.stdout, `${spec.name} --${name}`).toMatch(new RegExp(`^  --${name}\\b.*  ${option.help.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'))
      }
      expect(viaHelp.stdout).toMatch(/^ {2}--json +/m)
    }
    expect((await cli('login', '-h')).stdout).toMatch(/^usage: ehagent login \[--profile P\] \[--method M\]/)
    // --help wins over the rest of the line: asking how is never an error.
    expect((await cli('sign', 'a', 'b', '--help')).code).toBe(0)
    const unknown = await cli('help', 'frobnicate')
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/)
  })

  it('help, --help and no command list every command', async () => {
    const help = await cli('help')
    expect(help.code).toBe(0)
    for (const spec of COMMANDS) expect(help.stdout).toMatch(new RegExp(`^  ${spec.name}\\b.*${spec.summary.slice(0, 12).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'))
    expect((await cli('--help')).stdout).toBe(help.stdout)
    expect((await cli()).stdout).toBe(help.stdout)
    expect(help.stdout).toMatch(/4 agent not running/)
  })
})

describe('the agent not running', () => {
  it('is ERR_AGENT_UNREACHABLE with a hint to start it, exit 4, for every command that needs the agent', async () => {
    const none = join(scratch, 'no-agent-here')
    for (const argv of [['status'], ['login'], ['logout'], ['clients'], ['audit'], ['ui', '--no-open'], ['pair', '--name', 'x']]) {
      const run = await cli(...argv, '--json', '--state-dir', none)
      expect(run.code, argv.join(' ')).toBe(4)
      expect(JSON.parse(run.stdout).error, argv.join(' ')).toMatchObject({ code: 'ERR_AGENT_UNREACHABLE', message: 'the ehealth-agent is not running (it wrote no discovery file)' })
      expect(run.stderr, argv.join(' ')).toMatch(/\[ERR_AGENT_UNREACHABLE\]\n(.*\n)? {2}start it with `ehagent start` \(or install it as a service with `ehagent install`\), then try again\n$/)
    }
  })
})
