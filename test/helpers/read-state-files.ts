import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'

/** One privacy-log line, as far as the fault suite reads it. */
export interface AuditLine {
  time: string
  event: string
  outcome: string
  method?: string
  errorCode?: string
  service?: { operation?: string; endpoint?: string }
  token?: { assertionId?: string }
}

export interface AgentStateFiles {
  /** What does not parse, or is not what it must be: `file: why`. */
  problems: string[]
  /** Every record of every privacy-log file (rotated and compressed ones too). */
  audit: AuditLine[]
  /** Privacy-log lines that are not JSON: a line a kill -9 cut in the middle of its write. */
  tornAuditLines: string[]
}

/**
 * Read, as the agent left them, the files of an agent's state directory (`--state-dir`): the
 * settings, the paired clients, the local credential and the discovery file must parse (or be
 * absent, where that is allowed), and every line of the privacy log is collected.
 */
export function readAgentStateFiles(stateDir: string): AgentStateFiles {
  const problems: string[] = []
  const parseJson = (file: string, required: boolean): unknown => {
    const path = join(stateDir, file)
    if (!existsSync(path)) {
      if (required) problems.push(`${file}: missing`)
      return undefined
    }
    try {
      return JSON.parse(readFileSync(path, 'utf8'))
    } catch (error) {
      problems.push(`${file}: ${(error as Error).message}`)
      return undefined
    }
  }
  const config = parseJson('config.json', true)
  if (config !== undefined && (typeof config !== 'object' || config === null)) problems.push('config.json: not an object')
  parseJson('clients.json', false)
  parseJson(join('run', 'agent.json'), false)
  const credentialFile = join(stateDir, 'run', 'credential')
  if (existsSync(credentialFile) && !/^[A-Za-z0-9_-]{43}$/.test(readFileSync(credentialFile, 'utf8').trim())) problems.push('run/credential: not a credential')

  const audit: AuditLine[] = []
  const tornAuditLines: string[] = []
  const auditDir = join(stateDir, 'audit')
  if (existsSync(auditDir)) {
    for (const name of readdirSync(auditDir).sort()) {
      const path = join(auditDir, name)
      if (!statSync(path).isFile()) continue
      let text: string
      if (name.endsWith('.jsonl')) text = readFileSync(path, 'utf8')
      else if (name.endsWith('.gz')) {
        try {
          text = gunzipSync(readFileSync(path)).toString('utf8')
        } catch (error) {
          problems.push(`audit/${name}: ${(error as Error).message}`)
          continue
        }
      } else continue
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue
        try {
          audit.push(JSON.parse(line) as AuditLine)
        } catch {
          tornAuditLines.push(`audit/${name}: ${line.slice(0, 120)}`)
        }
      }
    }
  }
  return { problems, audit, tornAuditLines }
}
