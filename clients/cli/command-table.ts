/**
 * Every `ehagent` command with its own option table: what the help shows, and all that its
 * command line may hold (parse-command-line.ts refuses anything else). A new option is one entry
 * in its command's `options`.
 */
import { AGENT_OPTIONS, type CommandSpec, type OptionSpec } from './command-spec.js'
import { audit } from './commands/audit.js'
import { call } from './commands/call.js'
import { clients } from './commands/clients.js'
import { doctor } from './commands/doctor.js'
import { importToken } from './commands/import-token.js'
import { install } from './commands/install.js'
import { login } from './commands/login.js'
import { logout } from './commands/logout.js'
import { pair } from './commands/pair.js'
import { sandbox } from './commands/sandbox.js'
import { settings } from './commands/settings.js'
import { sign } from './commands/sign.js'
import { start } from './commands/start.js'
import { status } from './commands/status.js'
import { switchProfile } from './commands/switch-profile.js'
import { ui } from './commands/ui.js'
import { uninstall } from './commands/uninstall.js'

const NONE = { min: 0, max: 0 }
const PROFILE: OptionSpec = { type: 'string', value: 'P', help: 'the profile to sign in with, when a sign-in is needed (doctor, nurse, citizen…; default: the agent’s)' }
const X509: OptionSpec = { type: 'boolean', help: 'sign with the X.509 profile (BinarySecurityToken) instead of the SAML holder-of-key token' }
const ENV: OptionSpec = { type: 'string', value: 'ENV', help: 'sandbox, int, acc or prod (default: the settings’)' }
const PROXY: OptionSpec = {
  type: 'string',
  value: 'URL',
  help: 'send eHealth traffic through this HTTP proxy, whatever the settings or HTTPS_PROXY say',
  needs: 'the proxy URL, e.g. --proxy http://proxy.example:3128',
}
const TIME = (edge: string): OptionSpec => ({ type: 'string', value: 'T', help: `records ${edge} T: an ISO 8601 time, or a date (UTC; the whole day)` })

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'start',
    summary: 'run the agent',
    positionals: NONE,
    options: {
      env: ENV,
      port: { type: 'string', value: 'N', help: 'loopback port (default: the settings’, 4752)' },
      'state-dir': { type: 'string', value: 'DIR', help: 'settings, keys and logs under DIR instead of the per-user directories' },
      demo: { type: 'boolean', help: 'sandbox only: answer every prompt with the sandbox’s public demo secrets' },
      'sandbox-url': {
        type: 'string',
        value: 'URL',
        help: 'sandbox only: use the sandbox already running at URL instead of starting one',
        needs: 'the URL of a running sandbox, e.g. http://127.0.0.1:4753',
      },
      proxy: PROXY,
    },
    details: 'Runs in the foreground until Ctrl-C (or Quit in the tray). With --env sandbox it starts `ehagent sandbox` as a child and stops it with the agent.',
    run: start,
  },
  { name: 'status', summary: 'agent and session', positionals: NONE, options: AGENT_OPTIONS, run: status },
  {
    name: 'login',
    summary: 'sign in (the agent asks the user for the PIN or password itself)',
    positionals: NONE,
    options: {
      profile: { type: 'string', value: 'P', help: 'the profile (doctor, nurse, citizen…; default: the agent’s)' },
      method: { type: 'string', value: 'M', help: 'keystore, eid+keystore, eid or iam-connect (default: the agent’s settings)' },
      with: { type: 'string', value: 'M', help: 'the same as --method', hidden: true },
      ...AGENT_OPTIONS,
    },
    details: 'Waits while the agent asks the user; Ctrl-C cancels and withdraws the agent’s prompt.',
    run: login,
  },
  { name: 'logout', summary: 'sign out (global logout)', positionals: NONE, options: AGENT_OPTIONS, run: logout },
  {
    name: 'switch-profile',
    summary: 'sign out and in again as profile P (the agent asks for the PIN again)',
    args: 'P',
    positionals: { min: 0, max: 1 },
    options: AGENT_OPTIONS,
    run: switchProfile,
  },
  {
    name: 'import-token',
    summary: 'use a session token downloaded from the eHealth IDP (an STS assertion, .ehtoken, base64…)',
    args: 'FILE',
    positionals: { min: 0, max: 1 },
    options: AGENT_OPTIONS,
    run: importToken,
  },
  {
    name: 'sign',
    summary: 'print FILE signed with WS-Security (SAML holder-of-key); signs in first if needed',
    args: 'FILE',
    positionals: { min: 0, max: 1 },
    options: { x509: X509, algorithm: { type: 'string', value: 'A', help: 'rsa-sha256 (default) or rsa-sha1' }, profile: PROFILE, ...AGENT_OPTIONS },
    details: 'FILE may be - (stdin). A sign-in it needs waits for the user; Ctrl-C cancels it.',
    run: sign,
  },
  {
    name: 'call',
    summary: 'sign FILE, post it to ENDPOINT, print the answer',
    args: 'ENDPOINT FILE',
    positionals: { min: 0, max: 2 },
    options: { 'soap-action': { type: 'string', value: 'A', help: 'the SOAPAction header' }, x509: X509, profile: PROFILE, ...AGENT_OPTIONS },
    run: call,
  },
  {
    name: 'pair',
    summary: 'pair an application; prints its credential once',
    positionals: NONE,
    options: {
      name: { type: 'string', value: 'NAME', help: 'the application’s name, as the user and the privacy log see it' },
      methods: { type: 'string', value: 'M,M', help: 'the methods it may call (default: status, sign-in, signing, calls)' },
      services: { type: 'string', value: 'URL,URL', help: 'the eHealth services it may reach (default: any of the environment)' },
      'use-policy': { type: 'string', value: 'P', help: 'each use of the session: silent (default), notify (a notice names it) or ask (the user confirms each message)' },
      out: { type: 'string', value: 'FILE', help: 'write the credential to FILE (owner-only, must not exist) instead of printing it' },
      ...AGENT_OPTIONS,
    },
    details:
      'Shows a pairing code (stderr) that the agent’s page shows too: approve only if they match. Waits while the user approves in the agent; Ctrl-C cancels and withdraws the request. The credential is bound to the program that asked (this one, node): pair from the application itself where it can.',
    run: pair,
  },
  {
    name: 'clients',
    summary: 'the paired applications;  clients revoke ID  withdraws one',
    args: '[revoke ID]',
    positionals: { min: 0, max: 2 },
    options: AGENT_OPTIONS,
    run: clients,
  },
  {
    name: 'audit',
    summary: 'the privacy log, newest first',
    positionals: NONE,
    options: {
      limit: { type: 'string', value: 'N', help: 'at most N records (1-1000)' },
      from: TIME('from'),
      since: { ...TIME('from'), hidden: true },
      to: TIME('until'),
      client: { type: 'string', value: 'C', help: 'only records of client C (its id or name)' },
      event: { type: 'string', value: 'E', help: 'only records of event E (login, soap.sign, client.pair…)' },
      method: { type: 'string', value: 'M', help: 'only records of method M' },
      outcome: { type: 'string', value: 'O', help: 'only records with outcome ok, error or rejected' },
      ...AGENT_OPTIONS,
    },
    details: 'Reads the compressed files of the log too.',
    run: audit,
  },
  {
    name: 'settings',
    summary: 'the settings in effect; those the admin policy fixes are marked locked;  settings set NAME VALUE  changes one',
    args: '[set NAME VALUE]',
    // `settings set NAME VALUE` joins the words of VALUE; several entries: comma-separated.
    positionals: { min: 0, max: 64 },
    options: AGENT_OPTIONS,
    details: 'A change is written to the settings file and applies when the agent starts again; one the admin policy fixes is refused (ERR_SETTING_LOCKED, exit 8). A VALUE that starts with "-" goes after --: ehagent settings set NAME -- VALUE.',
    run: settings,
  },
  {
    name: 'ui',
    summary: 'open the agent’s pages (status, settings, clients, audit, import) with a one-time link',
    args: '[PAGE]',
    positionals: { min: 0, max: 1 },
    options: { 'no-open': { type: 'boolean', help: 'print the link only; do not start a browser' }, ...AGENT_OPTIONS },
    details: 'For a machine without a tray (terminal mode, a service without a display): the same pages the tray opens. The link works once, for two minutes, on this computer.',
    run: ui,
  },
  {
    name: 'sandbox',
    summary: 'serve the simulated eHealth alone;  sandbox fault SPEC|clear  and  sandbox stats  talk to a running one',
    args: '[fault SPEC|clear | stats]',
    positionals: { min: 0, max: 2 },
    options: {
      port: { type: 'string', value: 'N', help: 'loopback port (default 4753; 0: any free port); with fault or stats: the running sandbox’s' },
      'state-dir': { type: 'string', value: 'DIR', help: 'its test PKI under DIR/sandbox' },
      fault: { type: 'string', value: 'SPEC', help: 'inject faults: latency=500, http=503x3, soap-fault=SOA-02001, garbage, reset, skew=300, token-lifetime=60' },
      demo: { type: 'boolean', help: 'act for the demo user (IAM Connect approves by itself; the manifest publishes the demo secrets)' },
      'sandbox-dir': { type: 'string', value: 'DIR', help: 'its own directory, exactly', hidden: true },
      'exit-with-stdin': { type: 'boolean', help: 'stop when standard input closes', hidden: true },
    },
    details:
      'sandbox fault SPEC adds faults to a running sandbox without restarting it (SPEC as for --fault, optionally PATH:FAULT, e.g. /IAM/SecurityTokenService/v1:http=503x3); sandbox fault clear removes them; sandbox stats prints how many requests each endpoint received.',
    run: sandbox,
  },
  {
    name: 'install',
    summary: 'run the agent as a service of this user, tray at login, .ehtoken handler',
    positionals: NONE,
    options: {
      'state-dir': AGENT_OPTIONS['state-dir']!,
      'no-start': { type: 'boolean', help: 'do not start the agent now (it starts at the next login)' },
      'dry-run': { type: 'boolean', help: 'print every file and command instead' },
    },
    details: 'Exits 1 when a required step failed, or when the service could not be started (and says why).',
    run: install,
  },
  { name: 'uninstall', summary: 'remove what install created; names the data it leaves', positionals: NONE, options: { 'state-dir': AGENT_OPTIONS['state-dir']! }, run: uninstall },
  {
    name: 'doctor',
    summary: 'check this machine and say how to fix what is wrong',
    positionals: NONE,
    options: {
      env: { ...ENV, help: 'check for this environment (sandbox, int, acc or prod), whatever the settings say' },
      proxy: { ...PROXY, help: 'try this HTTP proxy as `ehagent start --proxy` would use it' },
      ...AGENT_OPTIONS,
    },
    details: 'Exits 1 when a check failed (warnings pass). In a terminal it asks for the keystore password to check it; with --json it never asks.',
    run: doctor,
  },
]

/** The command called `name`, if there is one. */
export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name)
}
