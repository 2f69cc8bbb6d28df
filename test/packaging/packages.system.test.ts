import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundledProgramPath, NATIVE_ADDONS } from '../../installer/bundle-layout.js'
import { listDebPaths } from '../../installer/package/build-deb.js'
import { listTree } from '../../installer/package/list-tree-files.js'
import { createFrameDecoder, encodeFrame, type FrameEvent } from '../../clients/browser-extension/host/native-messaging-frames.js'
import type { PackagesManifest } from '../../installer/package/main.js'
import { isInstalled, requireTools, run, runDpkg, snapshotPaths, startInstalledAgent } from '../helpers/package-tools.js'
import { freePort } from '../helpers/start-test-agent.js'
import { ensureUser, OTHER_USER } from '../helpers/system-tools.js'

// `npm run package` once for the whole file (it takes a few minutes: see the README), then each
// package checked with tools we did not write: lintian and dpkg for the .deb, npm for the
// tarball, msitools (msiinfo, msiextract) and file(1) for the MSI.

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const OUT = join(ROOT, 'test-artifacts', 'packages')
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string }
const DEB = listDebPaths(pkg.name)
/** What the package touches, and the system databases derived from it. */
const WATCHED = [
  DEB.root,
  DEB.command,
  '/usr/share/applications',
  '/usr/share/mime',
  '/etc/chromium',
  '/etc/opt',
  dirname(DEB.chromeHostManifest.target),
  DEB.doc,
  DEB.manPage,
  DEB.lintianOverrides,
]
/** The lintian warnings the README lists as left, with why. */
const ACCEPTED_WARNINGS = ['hardening-no-pie', 'script-not-executable']

let manifest: PackagesManifest
let lintian: Promise<{ tag: string; severity: string; line: string }[]>
const scratch = mkdtempSync(join(tmpdir(), 'packages-'))

beforeAll(async () => {
  await requireTools(['dpkg-deb', 'dpkg-shlibdeps', 'lintian', 'wixl', 'msiinfo', 'msiextract', 'strip', 'g++', 'make', 'file', 'runuser'])
  rmSync(OUT, { recursive: true, force: true })
  const build = await run('npm', ['run', 'package', '--', '--out', OUT], { cwd: ROOT, timeoutMs: 14 * 60_000, env: { ...process.env, npm_config_nodedir: '/usr' } })
  if (build.code !== 0) throw new Error(`npm run package failed (${build.code}):\n${build.stderr.slice(-4000)}`)
  manifest = JSON.parse(readFileSync(join(OUT, 'packages.json'), 'utf8')) as PackagesManifest
  // lintian takes about a minute: it runs while the other checks do.
  lintian = run('lintian', ['--no-tag-display-limit', manifest.deb!], { timeoutMs: 10 * 60_000 }).then((r) => {
    if (r.code !== 0 && r.code !== 2 && r.code !== 1) throw new Error(`lintian failed (${r.code}): ${r.stderr}`)
    return [...r.stdout.matchAll(/^([EWIPXO]): \S+: (\S+)(.*)$/gm)].map((m) => ({ severity: m[1]!, tag: m[2]!, line: m[0] }))
  })
  lintian.catch(() => undefined)
}, 15 * 60_000)

afterAll(async () => {
  // A failed test must not leave the package on the machine.
  if (await isInstalled(pkg.name)) await runDpkg(['--purge', pkg.name])
  rmSync(scratch, { recursive: true, force: true })
}, 120_000)

describe('the application tree', () => {
  it('runs from where it is, with its own Node.js (this machine\'s version) and pkcs11js loaded, and holds Linux executables only', async () => {
    expect((await run(join(manifest.tree, 'ehagent'), ['--version'])).stdout.trim()).toBe(pkg.version)
    // What bin/ehagent.js and the native host's wrapper run: the bundle (installer/build/).
    for (const program of ['ehagent', 'native-host'] as const) expect(existsSync(join(manifest.tree, ...bundledProgramPath(program))), program).toBe(true)
    expect((await run(join(manifest.tree, 'runtime', 'node'), ['--version'])).stdout.trim()).toBe(`v${process.versions.node}`)
    const pkcs11 = await run(join(manifest.tree, 'runtime', 'node'), ['-p', "typeof require('pkcs11js').PKCS11"], { cwd: manifest.tree })
    expect(pkcs11.stdout.trim()).toBe('function')
    // The agent's addons (installer/build/build-native.ts) load in the tree's runtime.
    const trim = await run(join(manifest.tree, 'runtime', 'node'), ['-p', "typeof require('./dist/native/malloc-trim.node').trim"], { cwd: manifest.tree })
    expect(trim.stdout.trim(), trim.stderr).toBe('function')
    const diag = await run(join(manifest.tree, 'runtime', 'node'), ['-p', "typeof require('./dist/native/sock-diag.node').lookup"], { cwd: manifest.tree })
    expect(diag.stdout.trim(), diag.stderr).toBe('function')
    const pool = await run(join(manifest.tree, 'runtime', 'node'), ['-p', "typeof require('./dist/native/thread-pool-priority.node').lower"], { cwd: manifest.tree })
    expect(pool.stdout.trim(), pool.stderr).toBe('function')
    const kinds = await describeExecutables(manifest.tree)
    expect(kinds.length).toBeGreaterThanOrEqual(6) // the runtime, pkcs11.node, the three addons, the tray helper
    for (const k of kinds) expect(k.description, k.path).toMatch(/^ELF 64-bit LSB .*x86-64/)
  })
})

describe('the Debian package', () => {
  let before: Record<string, unknown>

  it('passes lintian: no errors, and only the warnings the README lists', async () => {
    const tags = await lintian
    expect(tags.filter((t) => t.severity === 'E').map((t) => t.line)).toEqual([])
    const warnings = [...new Set(tags.filter((t) => t.severity === 'W').map((t) => t.tag))]
    expect(warnings.filter((t) => !ACCEPTED_WARNINGS.includes(t))).toEqual([])
    // lintian did look inside: the bundled runtime's known warning is there.
    expect(tags.map((t) => t.line)).toContainEqual(expect.stringMatching(/^W: \S+: hardening-no-pie \[usr\/lib\/ehealth-agent\/runtime\/node\]$/))
  }, 10 * 60_000)

  it('installs with dpkg -i: /usr/bin/ehagent prints the version, for another user too, and the system knows .ehtoken files', async () => {
    // A package left by an interrupted run would make "before" wrong.
    if (await isInstalled(pkg.name)) expect((await runDpkg(['--purge', pkg.name])).code).toBe(0)
    before = snapshotPaths(WATCHED)
    const installed = await runDpkg(['-i', manifest.deb!])
    expect(installed.code, installed.stderr).toBe(0)
    expect((await run(DEB.command, ['--version'])).stdout.trim()).toBe(pkg.version)
    ensureUser(OTHER_USER)
    const other = await run('runuser', ['-u', OTHER_USER, '--', DEB.command, '--version'])
    expect(other.stdout.trim(), other.stderr).toBe(pkg.version)
    // update-mime-database and update-desktop-database, run by dpkg's triggers, registered the type and its handler.
    expect(existsSync('/usr/share/mime/application/vnd.ehealth-agent.sso-token+xml.xml')).toBe(true)
    expect(readFileSync('/usr/share/applications/mimeinfo.cache', 'utf8')).toMatch(/^application\/vnd\.ehealth-agent\.sso-token\+xml=.*ehealth-agent-import-token\.desktop;/m)
    // Chrome's manifest is the maintainer script's link; Chromium's a file of the package; both name the host, which runs.
    for (const manifestPath of [DEB.chromeHostManifest.path, DEB.chromiumHostManifest]) {
      const host = JSON.parse(readFileSync(manifestPath, 'utf8')) as { path: string; allowed_origins: string[] }
      expect(host.path).toBe(DEB.nativeHost)
      expect(statSync(host.path).mode & 0o111).not.toBe(0)
    }
    // The host runs with the package's own Node.js: with no agent for this state directory, one framed answer.
    expect(await askNativeHost(DEB.nativeHost, join(scratch, 'host-state'))).toEqual([
      { kind: 'message', value: expect.objectContaining({ id: 1, error: expect.objectContaining({ data: expect.objectContaining({ code: 'ERR_AGENT_UNREACHABLE' }) }) }) },
    ])
    const doctor = await run(DEB.command, ['doctor', '--json', '--state-dir', join(scratch, 'doctor')])
    const eid = (JSON.parse(doctor.stdout) as { checks: { id: string; status: string }[] }).checks.find((c) => c.id === 'eid-support')
    expect(eid?.status).toBe('ok')
  }, 5 * 60_000)

  it('runs the agent against the sandbox from /usr/bin/ehagent, and stops', async () => {
    const port = await freePort()
    const agent = await startInstalledAgent(DEB.command, port, join(scratch, 'deb-state'))
    // /health answers as soon as the port is the agent's; the banner follows once its credential
    // and discovery files are written, and its pipe may be read after the /health answer.
    await expect.poll(() => agent.output(), { timeout: 10_000 }).toMatch(/is running/)
    await agent.stop()
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow()
  }, 3 * 60_000)

  it('dpkg --purge leaves nothing behind: the files, the links and the MIME and desktop databases are as before', async () => {
    const purged = await runDpkg(['--purge', pkg.name])
    expect(purged.code, purged.stderr).toBe(0)
    expect(await isInstalled(pkg.name)).toBe(false)
    expect(snapshotPaths(WATCHED)).toEqual(before)
  }, 5 * 60_000)
})

describe('the npm tarball', () => {
  it('holds bin/, the compiled dist/ with type declarations and the README, and no sources, tests or packaging scripts', async () => {
    const list = (await run('tar', ['-tzf', manifest.npm!])).stdout.trim().split('\n')
    expect(list).toContain('package/bin/ehagent.js')
    expect(list).toContain('package/dist/clients/js/index.js')
    expect(list).toContain('package/dist/clients/js/index.d.ts')
    expect(list).toContain(`package/${bundledProgramPath('ehagent').join('/')}`)
    expect(list).toContain(`package/${bundledProgramPath('native-host').join('/')}`)
    for (const addon of Object.values(NATIVE_ADDONS)) expect(list).toContain(`package/${addon.built.join('/')}`)
    expect(list.filter((f) => !/^package\/(bin\/|dist\/|package\.json$|README\.md$)/.test(f))).toEqual([])
    expect(list.filter((f) => /\.test\.|\/installer\/package\/|\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([])
  })

  it('installs with npm install -g into a prefix, without its dev tools: ehagent --version, a sandbox start, and the JS client by import and require', async () => {
    const prefix = join(scratch, 'npm-prefix')
    const env = { ...process.env, npm_config_nodedir: '/usr' }
    const installed = await run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', manifest.npm!], { env, timeoutMs: 5 * 60_000 })
    expect(installed.code, installed.stderr).toBe(0)
    const home = join(prefix, 'lib', 'node_modules', pkg.name)
    // `prepare` (a TypeScript build) did not run: no compiler was installed, dist/ came in the tarball.
    expect(existsSync(join(home, 'node_modules', 'typescript'))).toBe(false)
    const command = join(prefix, 'bin', 'ehagent')
    expect((await run(command, ['--version'])).stdout.trim()).toBe(pkg.version)
    const agent = await startInstalledAgent(command, await freePort(), join(scratch, 'npm-state'))
    await agent.stop()

    // A project that depends on the package (linked, as npm link does) imports its client.
    const project = join(scratch, 'client-project')
    mkdirSync(join(project, 'node_modules'), { recursive: true })
    symlinkSync(home, join(project, 'node_modules', pkg.name))
    const probe = join(project, 'probe.mjs')
    writeFileSync(
      probe,
      [
        "const client = await import('ehealth-agent/client')",
        "const required = (await import('node:module')).createRequire(import.meta.url)('ehealth-agent/client')",
        'const outcome = async (spec) => import(spec).then((m) => Object.keys(m).sort(), (e) => e.code)',
        `console.log(JSON.stringify({ imported: Object.keys(client).sort(), required: Object.keys(required).sort(), node: await outcome('ehealth-agent/client/node'), internal: await outcome('ehealth-agent/dist/agent/main.js'), bundled: await outcome('ehealth-agent/${bundledProgramPath('ehagent').join('/')}') }))`,
      ].join('\n'),
    )
    const probed = await run(process.execPath, [probe], { cwd: project })
    expect(probed.stderr).toBe('')
    const result = JSON.parse(probed.stdout) as { imported: string[]; required: string[]; node: string[] | string; internal: string; bundled: string }
    expect(result.imported).toEqual(expect.arrayContaining(['AgentClient', 'AgentError', 'isAgentError']))
    expect(result.required).toEqual(result.imported)
    // Only the package's exports are reachable.
    expect(result.internal).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED')
    expect(result.bundled).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED') // the program the package runs is not an API either
    // The Node entry (clients/js/node.ts) is split from the browser-safe one in parallel work:
    // until it exists, its export resolves to nothing; once it does, it must load.
    if (existsSync(join(ROOT, 'clients', 'js', 'node.ts'))) expect(Array.isArray(result.node)).toBe(true)
    else expect(result.node).toBe('ERR_MODULE_NOT_FOUND')
  }, 8 * 60_000)
})

describe('the Windows installer (MSI)', () => {
  const msi = () => manifest.msi!
  /** An MSI table as rows of named columns (`msiinfo export`: names, types, table name, then rows). */
  async function readTable(table: string): Promise<Record<string, string>[]> {
    const out = await run('msiinfo', ['export', msi(), table])
    expect(out.code, out.stderr).toBe(0)
    const [names, , , ...rows] = out.stdout.replace(/\r\n/g, '\n').trimEnd().split('\n')
    const columns = names!.split('\t')
    return rows.map((row) => Object.fromEntries(row.split('\t').map((value, i) => [columns[i]!, value])))
  }

  it('has the tables of a per-user installer with files, registry values, a shortcut and custom actions', async () => {
    const tables = (await run('msiinfo', ['tables', msi()])).stdout.split(/\r?\n/)
    for (const t of ['File', 'Component', 'Directory', 'Feature', 'FeatureComponents', 'Media', 'Registry', 'Shortcut', 'RemoveFile', 'CustomAction', 'InstallExecuteSequence', 'Property', 'Upgrade']) {
      expect(tables, t).toContain(t)
    }
    const summary = (await run('msiinfo', ['suminfo', msi()])).stdout
    expect(summary).toMatch(/^Template: x64;1033$/m)
    // Word Count bit 3: elevated privileges are not required (a per-user install).
    expect(Number(/^Source: (\d+)/m.exec(summary)![1]) & 8).toBe(8)
    const properties = Object.fromEntries((await readTable('Property')).map((r) => [r.Property, r.Value]))
    expect(properties.ALLUSERS).toBeUndefined()
    expect(properties.ProductVersion).toBe(pkg.version)
    const directories = Object.fromEntries((await readTable('Directory')).map((r) => [r.Directory, r]))
    expect(directories.INSTALLDIR).toMatchObject({ Directory_Parent: 'ProgramsFolder', DefaultDir: pkg.name })
    expect(directories.ProgramsFolder!.Directory_Parent).toBe('LocalAppDataFolder')
  })

  it('installs exactly the Windows tree (msiextract gives it back byte for byte), whose executables are all for Windows', async () => {
    const files = await readTable('File')
    const tree = hashTree(manifest.windowsTree!)
    expect(files.length).toBe(Object.values(tree).filter((v) => v.startsWith('file ')).length)
    const names = new Set(files.map((f) => f.FileName))
    for (const name of ['node.exe', 'ehagent.js', 'native-host.js', 'ehagent.cmd', 'native-messaging-host.bat', 'be.ehealth_agent.host.json', 'tray_windows_release.exe']) expect(names, name).toContain(name)
    const extracted = join(scratch, 'msi')
    mkdirSync(extracted)
    const out = await run('msiextract', ['-C', extracted, msi()], { timeoutMs: 5 * 60_000 })
    expect(out.code, out.stderr).toBe(0)
    const installed = join(extracted, 'Programs', pkg.name)
    expect(hashTree(installed)).toEqual(tree)
    const kinds = await describeExecutables(installed)
    expect(kinds.map((k) => k.path).sort()).toEqual(['node_modules/systray2/traybin/tray_windows_release.exe', 'runtime/node.exe'])
    for (const k of kinds) expect(k.description, k.path).toMatch(/^PE32\+ executable .*x86-64/)
  }, 5 * 60_000)

  it('registers, under HKCU, the .ehtoken handler and the native messaging host for Chrome and Chromium', async () => {
    const rows = await readTable('Registry')
    expect(rows.every((r) => r.Root === '1')).toBe(true) // msidbRegistryRootCurrentUser
    const value = (key: string, name = '') => rows.find((r) => r.Key === key && r.Name === name)?.Value
    expect(value('Software\\Classes\\.ehtoken')).toBe('ehealth-agent.ssotoken')
    expect(value('Software\\Classes\\.ehtoken', 'Content Type')).toBe('application/vnd.ehealth-agent.sso-token+xml')
    expect(value('Software\\Classes\\ehealth-agent.ssotoken\\shell\\open\\command')).toBe('"[INSTALLDIR]runtime\\node.exe" "[INSTALLDIR]bin\\ehagent.js" import-token "%1"')
    for (const browser of ['Google\\Chrome', 'Chromium']) {
      expect(value(`Software\\${browser}\\NativeMessagingHosts\\be.ehealth_agent.host`)).toBe('[INSTALLDIR]be.ehealth_agent.host.json')
    }
    const manifestFile = JSON.parse(readFileSync(join(manifest.windowsTree!, 'be.ehealth_agent.host.json'), 'utf8')) as { path: string }
    expect(manifestFile.path).toBe('native-messaging-host.bat')
  })

  it('has a Start-menu entry, and runs `ehagent install` after installing and `ehagent uninstall` before removing the files', async () => {
    const [shortcut] = await readTable('Shortcut')
    expect(shortcut).toMatchObject({ Directory_: 'ProgramMenuDir', Name: 'ehealth-agent', Target: '[INSTALLDIR]runtime\\node.exe', Arguments: '"[INSTALLDIR]bin\\ehagent.js" install' })
    const actions = Object.fromEntries((await readTable('CustomAction')).map((r) => [r.Action, r]))
    // 51: set a property; 50 + 64 (continue on error): run the program that property names.
    expect(actions.SetAfterInstallProgram).toMatchObject({ Type: '51', Target: '[INSTALLDIR]runtime\\node.exe' })
    expect(actions.RunAfterInstall).toMatchObject({ Type: '114', Source: 'EHAGENT_AFTER_INSTALL', Target: '"[INSTALLDIR]bin\\ehagent.js" install' })
    expect(actions.RunBeforeUninstall).toMatchObject({ Type: '114', Source: 'EHAGENT_BEFORE_UNINSTALL', Target: '"[INSTALLDIR]bin\\ehagent.js" uninstall' })
    const seq = Object.fromEntries((await readTable('InstallExecuteSequence')).map((r) => [r.Action, Number(r.Sequence)]))
    expect(seq.CostFinalize!).toBeLessThan(seq.SetAfterInstallProgram!)
    expect(seq.RunBeforeUninstall!).toBeLessThan(seq.RemoveFiles!)
    expect(seq.InstallFinalize!).toBeLessThan(seq.RunAfterInstall!)
  })
})

/** One soap.sign frame to the native messaging host `command` (its wrapper), for a state directory with no agent; the frames it answers. */
async function askNativeHost(command: string, stateDir: string): Promise<FrameEvent[]> {
  const child = spawn(command, ['--state-dir', stateDir, 'chrome-extension://genikcfmigceelnkkckhdkieobalmnob/'], { stdio: ['pipe', 'pipe', 'pipe'] })
  const events: FrameEvent[] = []
  const decode = createFrameDecoder(1024 * 1024, (e) => events.push(e))
  child.stdout.on('data', (d: Buffer) => decode(d))
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  child.stdin.end(encodeFrame({ jsonrpc: '2.0', id: 1, method: 'soap.sign', params: { envelope: '<e/>' }, origin: 'http://127.0.0.1:1' }))
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  expect(code, stderr).toBe(0)
  return events
}

/** Every executable or shared object under `dir` as file(1) describes it. */
async function describeExecutables(dir: string): Promise<{ path: string; description: string }[]> {
  const paths = listTree(dir)
    .filter((e) => e.kind === 'file')
    .map((e) => e.path)
  const list = join(scratch, `file-list-${Math.random().toString(36).slice(2)}`)
  writeFileSync(list, paths.join('\n') + '\n')
  const out = await run('file', ['-b', '-N', '-f', list], { cwd: dir, timeoutMs: 5 * 60_000 })
  const descriptions = out.stdout.trimEnd().split('\n')
  expect(descriptions.length).toBe(paths.length)
  return paths.map((path, i) => ({ path, description: descriptions[i]! })).filter((e) => /^(ELF|PE32|Mach-O)/.test(e.description))
}

/** A tree as comparable data without reading it all into memory: each file's SHA-256, no permission bits (an MSI has none to give back). */
function hashTree(dir: string): Record<string, string> {
  return Object.fromEntries(
    listTree(dir).map((e) => [e.path, e.kind === 'file' ? `file ${createHash('sha256').update(readFileSync(join(dir, e.path))).digest('hex')}` : e.kind]),
  )
}
