/**
 * One argument of a desktop entry's Exec key (Desktop Entry Specification 1.5, "The Exec key"):
 * quoted when it holds a reserved character, with `"`, `` ` ``, `$` and `\` escaped inside the
 * quotes, `%` doubled so it is not a field code; then the string-value escaping of the whole key
 * (`\\` for a backslash) applies on top, which is why backslashes end up quadrupled.
 */
export function quoteDesktopExecArg(arg: string): string {
  const noFieldCodes = arg.replace(/%/g, '%%')
  const quoted = /[\s"'\\><~|&;$*?#()`]/.test(noFieldCodes) || noFieldCodes === '' ? `"${noFieldCodes.replace(/(["`$\\])/g, '\\$1')}"` : noFieldCodes
  return quoted.replace(/\\/g, '\\\\')
}

/** An Exec value from an argument vector; `fieldCode` (e.g. `%f`) is appended unquoted. */
export function renderDesktopExec(argv: readonly string[], fieldCode?: string): string {
  return [...argv.map(quoteDesktopExecArg), ...(fieldCode ? [fieldCode] : [])].join(' ')
}
