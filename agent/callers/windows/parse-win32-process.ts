/**
 * One process as the CIM class Win32_Process describes it (Microsoft's Win32_Process reference:
 * `ProcessId`, `ExecutablePath`, `CommandLine`; its `GetOwner` method returns `User` and
 * `Domain`), printed by PowerShell's ConvertTo-Json from the script in identify-windows-peer.ts.
 */
import { programName, type CallerProgram } from '../caller-program.js'
import { splitWindowsCommandLine, summarizeCommandLine } from '../summarize-command-line.js'

/**
 * The program in a ConvertTo-Json answer such as
 * `{"ProcessId":8812,"ExecutablePath":"C:\\Windows\\System32\\curl.exe","CommandLine":"curl.exe -s …","User":"jan","Domain":"PRAKTIJK"}`;
 * undefined when it is not that shape or names no executable (a process of another user, or one
 * that has exited, has none).
 */
export function parseWin32Process(text: string, pid: number): CallerProgram | undefined {
  let value: unknown
  try {
    value = JSON.parse(text.trim())
  } catch {
    return undefined
  }
  // ConvertTo-Json prints an array when the filter matched more than one object.
  if (Array.isArray(value)) value = value.length === 1 ? value[0] : undefined
  if (typeof value !== 'object' || value === null) return undefined
  const record = value as Record<string, unknown>
  if (record.ProcessId !== pid || typeof record.ExecutablePath !== 'string' || !/^[A-Za-z]:\\|^\\\\/.test(record.ExecutablePath)) return undefined
  const program: CallerProgram = { pid, executable: record.ExecutablePath, name: programName(record.ExecutablePath) }
  if (typeof record.CommandLine === 'string') {
    const summary = summarizeCommandLine(splitWindowsCommandLine(record.CommandLine))
    if (summary !== undefined) program.commandLine = summary
  }
  if (typeof record.User === 'string' && record.User !== '') {
    program.user = typeof record.Domain === 'string' && record.Domain !== '' ? `${record.Domain}\\${record.User}` : record.User
  }
  return program
}
