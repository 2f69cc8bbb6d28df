import { createHash } from 'node:crypto'
import { chmodSync, cpSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join, posix } from 'node:path'
import { gzipSync } from 'node:zlib'
import { EXTENSION_ID, NATIVE_HOST_NAME } from '../../protocol/browser-extension/names.js'
import { renderHostManifest } from '../../protocol/browser-extension/render-host-manifest.js'
import { INSTALL_NAMES } from '../install-context.js'
import { renderTokenHandlerEntry } from '../render-desktop-entries.js'
import { renderMimePackage } from '../render-mime-package.js'
import { renderPosixHostWrapper } from '../render-native-host-wrapper.js'
import { APP_TREE, runtimePath, treeAgentCommand, treeInstallContext, treeNativeHostCommand } from './app-tree-layout.js'
import { detectBinaryFormat } from './detect-binary-format.js'
import { listDependencyLicenses } from './list-dependency-licenses.js'
import { listTree } from './list-tree-files.js'
import { readFileHead } from './read-file-head.js'
import type { PackageFacts } from './read-package-facts.js'
import { renderDebChangelog, renderDebControl, renderDebCopyright, renderMd5sums } from './render-deb-metadata.js'
import { renderPostinst, renderPostrm, renderLintianOverrides } from './render-deb-scripts.js'
import { renderManPage } from './render-man-page.js'
import { renderMenuEntry } from './render-menu-entry.js'
import { runCommand } from './run-command.js'

/**
 * What the package installs besides the tree, system-wide. The per-user service is not among
 * them: each user runs `ehagent install` (or the menu entry), as the README says.
 */
export function listDebPaths(name: string) {
  const root = `/usr/lib/${name}`
  return {
    root,
    command: '/usr/bin/ehagent',
    menuEntry: `/usr/share/applications/${name}.desktop`,
    tokenHandler: `/usr/share/applications/${INSTALL_NAMES.desktopTokenHandler}`,
    mimePackage: `/usr/share/mime/packages/${INSTALL_NAMES.mimePackage}`,
    nativeHost: `${root}/${APP_TREE.nativeHost.linux}`,
    // The system-wide host manifest folders of Chromium and Google Chrome on Linux (Chrome's
    // native messaging documentation, "Native messaging host location"). Chromium's is a file
    // of the package; Chrome's is a link the maintainer scripts make (render-deb-scripts.ts).
    chromiumHostManifest: `/etc/chromium/native-messaging-hosts/${NATIVE_HOST_NAME}.json`,
    chromeHostManifest: { path: `/etc/opt/chrome/native-messaging-hosts/${NATIVE_HOST_NAME}.json`, target: `/usr/share/${name}/${NATIVE_HOST_NAME}.json` },
    manPage: '/usr/share/man/man1/ehagent.1.gz',
    lintianOverrides: `/usr/share/lintian/overrides/${name}`,
    doc: `/usr/share/doc/${name}`,
  }
}

/**
 * The tray helper (systray2) needs GTK 3 and an AppIndicator library, and the .ehtoken handler
 * needs the MIME and desktop databases; the agent runs without any of them (no tray, no
 * double-click on a token), so they are recommended, not required.
 */
const RECOMMENDS = 'libayatana-appindicator3-1 | libappindicator3-1, libgtk-3-0, shared-mime-info, desktop-file-utils'

/**
 * `<name>_<version>_amd64.deb` from the Linux tree, with dpkg-deb (owner root, no fakeroot).
 * It has no maintainer scripts: dpkg's file triggers, declared by shared-mime-info (on
 * /usr/share/mime/packages) and desktop-file-utils (on /usr/share/applications), rebuild the MIME
 * and desktop databases when the package adds or removes files there.
 */
export async function buildDeb(options: {
  treeDir: string
  outDir: string
  workDir: string
  facts: PackageFacts
  maintainer: string
  /** The bundled Node.js version, for the copyright file. */
  runtimeVersion: string
  /** The changelog entry's date (the commit's, so a rebuild is the same). */
  date: Date
  log: (line: string) => void
}): Promise<string> {
  const { treeDir, facts } = options
  const paths = listDebPaths(facts.name)
  const staging = join(options.workDir, 'deb')
  rmSync(staging, { recursive: true, force: true })
  const at = (path: string) => join(staging, path)
  const write = (path: string, content: string | Uint8Array, mode = 0o644) => {
    mkdirSync(dirname(at(path)), { recursive: true })
    writeFileSync(at(path), content, { mode })
  }

  cpSync(treeDir, at(paths.root), { recursive: true, verbatimSymlinks: true })
  write(paths.nativeHost, renderPosixHostWrapper(treeNativeHostCommand('linux', paths.root)), 0o755)
  mkdirSync(dirname(at(paths.command)), { recursive: true })
  symlinkSync(posix.relative(posix.dirname(paths.command), `${paths.root}/${APP_TREE.launcher.linux}`), at(paths.command))
  write(paths.menuEntry, renderMenuEntry(treeAgentCommand('linux', paths.root, 'install')))
  write(paths.tokenHandler, renderTokenHandlerEntry(treeInstallContext('linux', paths.root)))
  write(paths.mimePackage, renderMimePackage())
  const hostManifest = renderHostManifest({ path: paths.nativeHost, extensionIds: [EXTENSION_ID] })
  write(paths.chromiumHostManifest, hostManifest)
  write(paths.chromeHostManifest.target, hostManifest)
  write(paths.lintianOverrides, renderLintianOverrides(facts.name, `${paths.root.slice(1)}/${runtimePath('linux')}`))
  const usage = await runCommand(join(treeDir, APP_TREE.launcher.linux), ['help'])
  write(paths.manPage, gzipSync(renderManPage({ command: 'ehagent', name: facts.name, version: facts.version, summary: splitDescription(facts.description)[0]!, date: options.date, usage, readme: `${paths.root}/README.md` }), { level: 9 }))
  write(
    `${paths.doc}/copyright`,
    renderDebCopyright({
      name: facts.name,
      license: facts.license,
      copyright: `${options.date.getUTCFullYear()} the ${facts.name} authors`,
      root: paths.root,
      runtime: { path: `${paths.root.slice(1)}/${APP_TREE.runtimeDir}`, version: options.runtimeVersion, licenseFile: `${paths.root}/${APP_TREE.runtimeDir}/LICENSE` },
      dependencies: listDependencyLicenses(treeDir, paths.root.slice(1)),
    }),
  )
  const changelog = renderDebChangelog({
    name: facts.name,
    version: facts.version,
    maintainer: options.maintainer,
    date: options.date,
    changes: [`Built from the ${facts.name} ${facts.version} sources with its own Node.js runtime.`],
  })
  write(`${paths.doc}/changelog.gz`, gzipSync(changelog, { level: 9 }))
  normalizeModes(staging)

  const entries = listTree(staging)
  const md5sums = entries
    .filter((e) => e.kind === 'file')
    .map((e) => ({ path: e.path, md5: createHash('md5').update(readFileSync(join(staging, e.path))).digest('hex') }))
  // Installed-Size (Policy §5.6.20): KiB, an estimate; each entry takes at least one block.
  const installedSizeKiB = entries.reduce((sum, e) => sum + (e.kind === 'file' ? Math.ceil(e.size / 1024) : 1), 0)
  const depends = await computeDepends(staging, paths.root, options.workDir)
  const [summary, ...rest] = splitDescription(facts.description)
  write('DEBIAN/control', renderDebControl({
    name: facts.name,
    version: facts.version,
    maintainer: options.maintainer,
    summary: summary!,
    description: [
      ...rest,
      'This package holds the agent with its own Node.js runtime and the eID support (pkcs11js) built in. Each user starts it with `ehagent install` (or the menu entry ehealth-agent), which sets up a service of that user.',
    ],
    installedSizeKiB,
    depends,
    recommends: RECOMMENDS,
    ...(facts.homepage ? { homepage: facts.homepage } : {}),
  }))
  write('DEBIAN/conffiles', `${paths.chromiumHostManifest}\n`)
  write('DEBIAN/postinst', renderPostinst(paths.chromeHostManifest), 0o755)
  write('DEBIAN/postrm', renderPostrm(paths.chromeHostManifest), 0o755)
  write('DEBIAN/md5sums', renderMd5sums(md5sums))

  const deb = join(options.outDir, `${facts.name}_${facts.version}_amd64.deb`)
  options.log(`dpkg-deb: ${(installedSizeKiB / 1024).toFixed(0)} MB into ${deb}`)
  // xz level 1: 32 MB in about 35 s here, where the default level 6 takes over three minutes for
  // 27 MB (the runtime is most of it).
  await runCommand('dpkg-deb', ['--root-owner-group', '-Zxz', '-z1', '--build', staging, deb], { timeoutMs: 900_000 })
  rmSync(staging, { recursive: true, force: true })
  return deb
}

/**
 * Depends from the libraries the runtime and the native addons link against, as dpkg-shlibdeps
 * (dpkg-dev) computes them from this system's symbols files.
 */
async function computeDepends(staging: string, root: string, workDir: string): Promise<string> {
  const elves = listTree(join(staging, root))
    .filter((e) => e.kind === 'file' && (e.path === runtimePath('linux') || e.path.endsWith('.node')))
    .map((e) => join(staging, root, e.path))
    .filter((path) => detectBinaryFormat(readFileHead(path)) === 'elf')
  const dir = join(workDir, 'shlibdeps')
  mkdirSync(join(dir, 'debian'), { recursive: true })
  writeFileSync(join(dir, 'debian', 'control'), 'Source: shlibdeps\n\nPackage: shlibdeps\nArchitecture: amd64\n')
  const out = await runCommand('dpkg-shlibdeps', ['-O', ...elves], { cwd: dir })
  const line = /^shlibs:Depends=(.*)$/m.exec(out)
  if (!line) throw new Error(`dpkg-shlibdeps printed no Depends: ${out}`)
  return line[1]!.trim()
}

/** package.json's description as a Debian synopsis (its first clause, under 80 characters) and the rest. */
function splitDescription(description: string): string[] {
  const cut = description.indexOf(':')
  const summary = (cut > 0 ? description.slice(0, cut) : description).replace(/\.$/, '')
  if (summary.length >= 80) throw new Error(`the package description's first clause is too long for a Debian synopsis: ${summary}`)
  const first = summary.charAt(0).toLowerCase() + summary.slice(1)
  return [first.replace(/^(a|an|the) /i, ''), ...(cut > 0 ? [capitalize(description.slice(cut + 1).trim())] : [])]
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/**
 * Policy §10.9: directories 0755, files 0644 except what is run as a program, 0755. Programs are
 * ELF executables and our `#!/bin/sh` launchers. Shared objects (a `.node` addon) are loaded, not
 * run; a `#!/usr/bin/env node` script is run by the launcher through the bundled runtime, never
 * through its first line (which would find a system `node`, if any, of any version); and a few
 * dependencies ship plain `.js` files marked executable.
 */
function normalizeModes(dir: string): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    const st = lstatSync(path)
    if (st.isSymbolicLink()) continue
    if (st.isDirectory()) {
      chmodSync(path, 0o755)
      normalizeModes(path)
    } else chmodSync(path, st.mode & 0o111 && isProgram(path) ? 0o755 : 0o644)
  }
}

function isProgram(path: string): boolean {
  if (/\.(node|so)(\.\d+)*$/.test(path)) return false
  const head = readFileHead(path)
  if (detectBinaryFormat(head) === 'elf') return true
  return /^#!\/bin\/sh\n/.test(head.toString('latin1'))
}
