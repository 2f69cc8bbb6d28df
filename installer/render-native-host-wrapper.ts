/**
 * The executable a browser starts as the extension's native messaging host. A host manifest names
 * one program and Chrome passes it only the extension's origin (and on Windows the parent window),
 * so this small script supplies the rest: the absolute node, the compiled host, and the agent's
 * `--state-dir` when the service has one (the host must find the same agent).
 */

/** A POSIX shell script (Linux, macOS), installed with mode 0755: `exec` so the browser's pipes are node's. */
export function renderPosixHostWrapper(command: readonly string[]): string {
  return [
    '#!/bin/sh',
    '# The native messaging host of the ehealth-agent browser extension, started by Chrome or Chromium',
    '# (NativeMessagingHosts/be.ehealth_agent.host.json). Installed by `ehagent install` or the ehealth-agent package.',
    `exec ${command.map(quotePosixWord).join(' ')} "$@"`,
    '',
  ].join('\n')
}

/**
 * A batch file (Windows; Chrome runs `.bat` hosts through cmd.exe). `@echo off` is not cosmetic:
 * an echoed command line would land on stdout, in front of the first frame, and Chrome would drop
 * the connection.
 */
export function renderWindowsHostWrapper(command: readonly string[]): string {
  return [
    '@echo off',
    'rem The native messaging host of the ehealth-agent browser extension, started by Chrome or Chromium. Installed by `ehagent install`.',
    `${command.map(quoteBatchWord).join(' ')} %*`,
    '',
  ].join('\r\n')
}

/** One word for sh: single-quoted, a single quote written as '\''. */
export function quotePosixWord(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`
}

/**
 * One word for a batch file: always double-quoted, so cmd.exe takes `&`, `^`, `|`, `<`, `>` and
 * blanks literally; `%` doubled (a batch file expands `%name%`); trailing backslashes doubled so
 * the closing quote stays a quote for the C runtime (CommandLineToArgvW). A Windows path cannot
 * hold `"`, so a word that does is refused rather than quoted wrongly.
 */
export function quoteBatchWord(word: string): string {
  if (word.includes('"')) throw new Error(`cannot put a double quote in a batch file command: ${word}`)
  return `"${word.replace(/%/g, '%%').replace(/(\\+)$/, '$1$1')}"`
}
