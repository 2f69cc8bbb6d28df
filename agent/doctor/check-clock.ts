import type { AgentConfig } from '../config.js'
import type { HttpTransport } from '../http-transport.js'
import { ENVIRONMENTS } from '../../protocol/environments.js'
import { makeCheck, type DoctorCheck } from './doctor-check.js'
import type { RunningAgentFacts } from './find-running-agent.js'
import { parseHttpDate } from './find-running-agent.js'

const ID = 'clock'
/** Beyond this the STS's validity windows start to bite (threat T15); a minute is already odd. */
const WARN_SKEW_MS = 60_000
const FAIL_SKEW_MS = 300_000

const FIX =
  'turn on automatic time: Linux `timedatectl set-ntp true`; Windows Settings › Time & language › Set time automatically; macOS System Settings › General › Date & Time'

/**
 * This machine's clock against the environment's STS, from the HTTP `Date` header of an OPTIONS
 * request to it (the STS's own clock; one-second resolution, so the round trip's midpoint is
 * compared). In the sandbox, the simulated STS runs on this machine beside the agent: the agent's
 * `/health` answer is used when the agent runs.
 */
export async function checkClock(config: AgentConfig | undefined, transport: HttpTransport, agent: RunningAgentFacts | undefined, now: () => number): Promise<DoctorCheck> {
  if (!config) return makeCheck(ID, 'warn', 'not checked: the settings file is not valid', 'fix the settings file first (see the config check)')
  let server: number | undefined
  let sent: number
  let received: number
  let against: string
  if (config.environment === 'sandbox') {
    if (!agent?.date) return makeCheck(ID, 'ok', 'sandbox: the simulated STS runs beside the agent, on this machine\'s clock (the agent is not running to compare)')
    ;({ server, sent, received } = agent.date)
    against = `the local sandbox STS (agent pid ${agent.discovery.pid})`
  } else {
    const url = ENVIRONMENTS[config.environment].stsWsTrust
    against = `the ${ENVIRONMENTS[config.environment].label} STS (${new URL(url).host})`
    sent = now()
    try {
      const reply = await transport({ url, method: 'OPTIONS', headers: {}, timeoutMs: 10_000 })
      received = now()
      server = parseHttpDate(reply.headers.date)
    } catch (err) {
      return makeCheck(ID, 'warn', `not checked: ${against} did not answer (${(err as Error).message})`, 'see the endpoints check')
    }
    if (server === undefined) return makeCheck(ID, 'warn', `not checked: ${against} sent no Date header`, 'check that no proxy rewrites the answers; compare the clock with an NTP server')
  }
  const skew = (sent + received) / 2 - server!
  const seconds = Math.round(Math.abs(skew) / 1000)
  const direction = skew > 0 ? 'ahead of' : 'behind'
  if (Math.abs(skew) > FAIL_SKEW_MS) return makeCheck(ID, 'fail', `this machine's clock is ${seconds} s ${direction} ${against}: tokens will be refused as not yet valid or expired`, FIX)
  if (Math.abs(skew) > WARN_SKEW_MS) return makeCheck(ID, 'warn', `this machine's clock is ${seconds} s ${direction} ${against}`, FIX)
  return makeCheck(ID, 'ok', `within ${Math.max(1, seconds)} s of ${against}`)
}
