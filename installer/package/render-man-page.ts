/**
 * The manual page of `ehagent` (man-pages(7) sections, groff_man(7) macros), made from the
 * command's own `help` text so the two never disagree.
 */
export function renderManPage(input: { command: string; name: string; version: string; summary: string; date: Date; usage: string; readme: string }): string {
  const date = input.date.toISOString().slice(0, 10)
  return [
    `.TH ${input.command.toUpperCase()} 1 ${date} "${input.name} ${input.version}" "User Commands"`,
    '.SH NAME',
    `${input.command} \\- ${escapeText(input.summary)}`,
    '.SH SYNOPSIS',
    `.B ${input.command}`,
    '.I command',
    '.RI [ options ]',
    '.SH DESCRIPTION',
    '.nf',
    ...input.usage.replace(/\n+$/, '').split('\n').map(escapeLine),
    '.fi',
    '.SH SEE ALSO',
    `The README of ${escapeText(input.name)}: ${escapeText(input.readme)}`,
    '',
  ].join('\n')
}

/** Text for a man page line: `\` written as `\e`, `-` as `\-` (an ASCII hyphen-minus, as typed). */
function escapeText(text: string): string {
  return text.replace(/\\/g, '\\e').replace(/-/g, '\\-')
}

/** A line of a no-fill block: a leading `.` or `'` would be a request, so it gets `\&` first. */
function escapeLine(line: string): string {
  const text = escapeText(line)
  return /^[.']/.test(text) ? `\\&${text}` : text
}
