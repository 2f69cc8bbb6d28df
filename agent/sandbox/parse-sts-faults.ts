import { AgentError } from '../../protocol/errors.js'
import type { FaultInjector } from './fault-injector.js'
import { renderMaintenancePage } from './render-maintenance-page.js'
import { STS_ROTATIONS, type StsRotation } from './sts/sts-signing.js'

/** The fault kinds this file reads, for parse-fault-spec.ts's usage message. */
export const STS_FAULT_USAGE = 'sha1-assertions, rotate-sts=same-ca|look-alike[@N], maintenance[=N]'

/**
 * The faults that make the sandbox behave like eHealth on a bad day, read from `--fault`
 * (parse-fault-spec.ts hands over the kinds it does not know):
 * - `sha1-assertions`: the STS signs its assertions rsa-sha1 (as the real acceptance token of
 *   2020 is), from the next one on;
 * - `rotate-sts=same-ca[@N]`: after N more tokens (default 1, so a session signs in with the
 *   first signer and renews with the next), the STS signs with a new key certified by the same
 *   sandbox CA; `rotate-sts=look-alike[@N]`: with a key whose certificate has the STS's exact
 *   subject but comes from another CA (of the same name);
 * - `maintenance[=N]`: the next N requests (default 1) to the path, or to any endpoint, get
 *   eHealth's maintenance answer: HTTP 503 with an HTML page instead of SOAP.
 * Returns false for a kind it does not know.
 */
export function parseStsFault(kind: string, value: string | undefined, path: string, raw: string, faults: FaultInjector): boolean {
  switch (kind) {
    case 'sha1-assertions':
      if (value !== undefined) throw bad(raw)
      faults.sts.algorithm = 'rsa-sha1'
      return true
    case 'rotate-sts': {
      const m = /^([a-z-]+)(?:@(\d+))?$/.exec(value ?? 'same-ca')
      if (!m || !(STS_ROTATIONS as readonly string[]).includes(m[1]!)) throw bad(raw)
      faults.sts.rotation = { kind: m[1] as StsRotation, afterTokens: m[2] === undefined ? 1 : Number(m[2]) }
      return true
    }
    case 'maintenance': {
      const times = value === undefined ? 1 : Number(value)
      if (!Number.isInteger(times) || times < 1) throw bad(raw)
      faults.add(path, { kind: 'http', status: 503, body: renderMaintenancePage(), contentType: 'text/html; charset=utf-8' }, times)
      return true
    }
    default:
      return false
  }
}

function bad(raw: string): AgentError {
  return new AgentError('ERR_INVALID_PARAMS', `unknown fault "${raw}"; the STS faults are ${STS_FAULT_USAGE}`)
}
