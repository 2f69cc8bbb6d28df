/**
 * A command line as the user may see it in prompts and the privacy log: the program and at most
 * its first argument, and that only when it looks like a script or file name. A command line can
 * carry secrets (`curl -H "Authorization: Bearer …"`, `tool --password x`), and an option's value
 * cannot be told from a positional argument without knowing the program, so everything that is
 * not plainly a path is left out: options, their values, URLs, anything with spaces, `=` or `:`,
 * and anything with a long random-looking run (a token).
 */
import { programName } from './caller-program.js'

/** Longest summary; a longer script path keeps its end, where its name is. */
const MAX_SUMMARY = 120
const PATH_LIKE = /^[A-Za-z0-9_.\/~+-]+$/
/** `script.py`, `app.jar`, `sign-envelope.sh`: a name with a short extension. */
const HAS_EXTENSION = /\.[A-Za-z0-9]{1,5}$/
/** 24 letters and digits in a row are a key or a token, not a file name. */
const RANDOM_RUN = /[A-Za-z0-9]{24,}/

/**
 * `['/usr/bin/python3', '-u', 'sign.py', '--token', 's3cr3t']` → `python3 sign.py`;
 * `['curl', '-H', 'Authorization: Bearer x', 'http://…']` → `curl`.
 */
export function summarizeCommandLine(argv: readonly string[]): string | undefined {
  const first = argv[0]
  if (first === undefined || first === '') return undefined
  const program = clean(programName(first))
  if (program === '') return undefined
  let script: string | undefined
  for (const arg of argv.slice(1)) {
    if (arg.startsWith('-')) continue
    // The first positional argument decides: if it is not plainly a file, nothing after it is shown.
    if (isScriptLike(arg)) script = arg
    break
  }
  return cut(script === undefined ? program : `${program} ${script}`)
}

/**
 * Split a Windows command line (Win32_Process.CommandLine) into arguments, by the rules of
 * CommandLineToArgvW as far as a summary needs them: whitespace separates, double quotes group,
 * `\"` is a quote. Backslashes before other characters are kept (paths).
 */
export function splitWindowsCommandLine(commandLine: string): string[] {
  const args: string[] = []
  let current = ''
  let quoted = false
  let started = false
  for (let i = 0; i < commandLine.length; i++) {
    const ch = commandLine[i]!
    if (ch === '\\' && commandLine[i + 1] === '"') {
      current += '"'
      started = true
      i++
    } else if (ch === '"') {
      quoted = !quoted
      started = true
    } else if (!quoted && (ch === ' ' || ch === '\t')) {
      if (started) args.push(current)
      current = ''
      started = false
    } else {
      current += ch
      started = true
    }
  }
  if (started) args.push(current)
  return args
}

function isScriptLike(arg: string): boolean {
  if (arg.length > 400 || !PATH_LIKE.test(arg) || RANDOM_RUN.test(arg)) return false
  return arg.includes('/') || HAS_EXTENSION.test(arg)
}

function clean(text: string): string {
  // Control characters would let a program name rewrite the line it is shown on.
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?')
}

function cut(summary: string): string {
  if (summary.length <= MAX_SUMMARY) return summary
  const space = summary.indexOf(' ')
  if (space < 0 || space > MAX_SUMMARY - 20) return summary.slice(0, MAX_SUMMARY - 1) + '…'
  const head = summary.slice(0, space + 1)
  return head + '…' + summary.slice(summary.length - (MAX_SUMMARY - head.length - 1))
}
