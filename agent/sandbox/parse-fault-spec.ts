import { AgentError } from '../../protocol/errors.js'
import type { FaultInjector } from './fault-injector.js'
import { parseStsFault, STS_FAULT_USAGE } from './parse-sts-faults.js'

/**
 * Fault specs from the command line (`ehagent sandbox --fault …`), comma-separated:
 * `latency=500` (ms, every request), `http=503` (next request), `http=503x3` (next three),
 * `soap-fault=SOA-02001`, `garbage`, `reset` (`resetx5`: the next five), `skew=300` (STS clock,
 * seconds), `token-lifetime=60` (seconds), and the STS faults of parse-sts-faults.ts
 * (`sha1-assertions`, `rotate-sts=same-ca|look-alike[@N]`, `maintenance[=N]`). A path may prefix
 * a rule: `/IAM/SecurityTokenService/v1:http=503`. `http=429` answers Too Many Requests with
 * `Retry-After: 1`; `retry-after=S` sets the Retry-After of injected 429 and 503 answers.
 */
export function parseFaultSpec(spec: string, faults: FaultInjector): void {
  for (const raw of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    // The kind is matched lazily so that a count may follow a fault without a value (`resetx5`).
    const m = /^(?:(\/[^:]*):)?([a-z][a-z0-9-]*?)(?:=([^x]+))?(?:x(\d+))?$/.exec(raw)
    if (!m) throw bad(raw)
    const [, path = '', kind, value, times] = m
    const n = times ? Number(times) : 1
    switch (kind) {
      case 'latency':
        faults.add(path, { kind: 'latency', ms: num(value, raw) }, times ? n : Infinity)
        break
      case 'http':
        faults.add(path, { kind: 'http', status: num(value, raw) }, n)
        break
      case 'soap-fault':
        faults.add(path, { kind: 'soap-fault', code: value ?? 'SOA-02001', messages: ['Service not available. Please contact service desk'] }, n)
        break
      case 'garbage':
      case 'reset':
        faults.add(path, { kind }, n)
        break
      case 'skew':
        faults.clockSkewMs = num(value, raw) * 1000
        break
      case 'token-lifetime':
        faults.tokenLifetimeMs = num(value, raw) * 1000
        break
      case 'retry-after': {
        // delay-seconds is 1*DIGIT (RFC 9110 §10.2.3): whole seconds, never negative.
        const seconds = num(value, raw)
        if (!Number.isInteger(seconds) || seconds < 0) throw bad(raw)
        faults.retryAfterSeconds = seconds
        break
      }
      default:
        if (!parseStsFault(kind!, value, path, raw, faults)) throw bad(raw)
    }
  }
}

function num(value: string | undefined, raw: string): number {
  const n = Number(value)
  if (value === undefined || !Number.isFinite(n)) throw bad(raw)
  return n
}

function bad(raw: string): AgentError {
  return new AgentError('ERR_INVALID_PARAMS', `unknown fault "${raw}"; use latency=MS, http=STATUS[xN], soap-fault=CODE, garbage, reset, skew=S, token-lifetime=S, retry-after=S, ${STS_FAULT_USAGE}`)
}
