import { quotePosixWord } from '../render-native-host-wrapper.js'
import { treeAgentCommand, treeNativeHostCommand } from './app-tree-layout.js'

/**
 * Launchers that find the tree from their own location, so the same tree runs wherever it was
 * unpacked or installed (/usr/lib/ehealth-agent, %LOCALAPPDATA%\Programs\ehealth-agent, a test
 * folder). Each runs the bundled runtime on the tree's own files; the paths come from the
 * installer's command builders, with the tree's root replaced by "the launcher's folder".
 */

/** A placeholder root that cannot occur in a real path, swapped for the shell's notion of "here". */
const POSIX_ROOT = '/@tree@'
const WINDOWS_ROOT = 'C:\\@tree@'

/**
 * `ehagent` for Linux: `readlink -f` follows the /usr/bin/ehagent symlink to the tree (POSIX sh;
 * readlink -f is in GNU coreutils and busybox). `exec`, so signals reach node directly.
 */
export function renderPosixLauncher(): string {
  const argv = treeAgentCommand('linux', POSIX_ROOT).map((word) => relocatePosix(word))
  return [
    '#!/bin/sh',
    '# ehealth-agent: runs the bundled Node.js on this tree\'s bin/ehagent.js.',
    'here=$(dirname "$(readlink -f "$0")")',
    `exec ${argv.join(' ')} "$@"`,
    '',
  ].join('\n')
}

/** `ehagent.cmd` for Windows: `%~dp0` is the batch file's folder with a trailing backslash. */
export function renderWindowsLauncher(): string {
  const argv = treeAgentCommand('win32', WINDOWS_ROOT).map((word) => relocateBatch(word))
  return ['@echo off', 'rem ehealth-agent: runs the bundled Node.js on this folder\'s bin\\ehagent.js.', `${argv.join(' ')} %*`, ''].join('\r\n')
}

/**
 * The browser extension's native messaging host for Windows, beside the manifest that names it
 * by a relative path. `@echo off` is not cosmetic: an echoed line would reach Chrome before the
 * first frame.
 */
export function renderWindowsNativeHost(): string {
  const argv = treeNativeHostCommand('win32', WINDOWS_ROOT).map((word) => relocateBatch(word))
  return ['@echo off', 'rem The native messaging host of the ehealth-agent browser extension, started by Chrome or Chromium.', `${argv.join(' ')} %*`, ''].join('\r\n')
}

function relocatePosix(word: string): string {
  if (word === POSIX_ROOT || word.startsWith(`${POSIX_ROOT}/`)) return `"$here${shellDoubleQuoted(word.slice(POSIX_ROOT.length))}"`
  return quotePosixWord(word)
}

function relocateBatch(word: string): string {
  if (!word.startsWith(`${WINDOWS_ROOT}\\`)) throw new Error(`not a path inside the tree: ${word}`)
  const rest = word.slice(WINDOWS_ROOT.length + 1)
  if (/["%]/.test(rest)) throw new Error(`cannot put ${JSON.stringify(rest)} in a batch file path`)
  return `"%~dp0${rest}"`
}

/** Text for inside sh double quotes: `\`, `"`, `$` and `` ` `` escaped. */
function shellDoubleQuoted(text: string): string {
  return text.replace(/([\\"$`])/g, '\\$1')
}
