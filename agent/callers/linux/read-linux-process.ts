/**
 * What /proc says about one process (proc(5)): the executable (`/proc/<pid>/exe`), the command
 * line (`/proc/<pid>/cmdline`, NUL-separated, summarized before anyone sees it) and the real uid
 * (`Uid:` in `/proc/<pid>/status`).
 */
import { programName, type CallerProgram } from '../caller-program.js'
import { summarizeCommandLine } from '../summarize-command-line.js'
import type { ProcFs } from './proc-fs.js'

/** The program of process `pid`, or undefined when its executable cannot be read (gone, not ours). */
export function readLinuxProcess(pid: number, procFs: ProcFs, userName: (uid: number) => string | undefined): CallerProgram | undefined {
  const link = procFs.readLink(`/proc/${pid}/exe`)
  if (link === undefined || !link.startsWith('/')) return undefined
  // A binary replaced since the process started (a package upgrade) reads "<path> (deleted)";
  // the path is still the program's.
  const executable = link.endsWith(' (deleted)') ? link.slice(0, -' (deleted)'.length) : link
  const program: CallerProgram = { pid, executable, name: programName(executable) }
  const cmdline = procFs.readFile(`/proc/${pid}/cmdline`)
  if (cmdline !== undefined) {
    const argv = cmdline.split('\0')
    if (argv.at(-1) === '') argv.pop()
    const summary = summarizeCommandLine(argv.map(fromLatin1))
    if (summary !== undefined) program.commandLine = summary
  }
  const uid = readUid(procFs.readFile(`/proc/${pid}/status`))
  if (uid !== undefined) {
    program.uid = uid
    const user = userName(uid)
    if (user !== undefined) program.user = user
  }
  return program
}

/** The real uid from a /proc/<pid>/status text (`Uid:\treal\teffective\tsaved\tfs`). */
export function readUid(status: string | undefined): number | undefined {
  const m = /^Uid:\s+(\d+)/m.exec(status ?? '')
  return m ? Number(m[1]) : undefined
}

/** uid → login name from an /etc/passwd text (passwd(5): name:password:uid:gid:gecos:home:shell). */
export function parsePasswd(text: string): Map<number, string> {
  const names = new Map<number, string>()
  for (const line of text.split('\n')) {
    const fields = line.split(':')
    if (fields.length < 7 || line.startsWith('#')) continue
    const uid = Number(fields[2])
    if (Number.isSafeInteger(uid) && uid >= 0 && !names.has(uid) && fields[0] !== '') names.set(uid, fields[0]!)
  }
  return names
}

/** /proc gives bytes; file names and arguments are UTF-8 on any current Linux. */
function fromLatin1(text: string): string {
  return Buffer.from(text, 'latin1').toString('utf8')
}
