/**
 * The one connection to the native messaging host, shared by every page's request.
 *
 * `connectNative` (one long-lived host process), not `sendNativeMessage` (a new process per
 * message): the host pairs with the agent once and keeps its credential, and concurrent first
 * requests must not each ask the user to approve a pairing. An open port also keeps the service
 * worker alive while the agent waits for the user's PIN. When no request has been pending for
 * `idleMs`, the port is closed so the host process and the worker can go away; the next request
 * starts the host again.
 */
import { pageError } from './page-request.js'

/** The host's name in its manifest; the same as NATIVE_HOST_NAME in protocol/browser-extension/names.ts. */
export const NATIVE_HOST_NAME = 'be.ehealth_agent.host'

/**
 * @typedef {{ postMessage(message: unknown): void, disconnect(): void,
 *   onMessage: { addListener(listener: (message: unknown) => void): void },
 *   onDisconnect: { addListener(listener: () => void): void } }} NativePort
 *
 * @typedef {{ jsonrpc: '2.0', id: unknown, result?: unknown,
 *   error?: { code: number, message: string, data?: Record<string, unknown> } }} HostAnswer
 */

/**
 * @param {{
 *   connect: (name: string) => NativePort,
 *   lastError: () => string | undefined,
 *   timeoutMs?: number,
 *   idleMs?: number,
 *   setTimer?: (fn: () => void, ms: number) => unknown,
 *   clearTimer?: (handle: unknown) => void,
 * }} options
 */
export function createNativeHostClient(options) {
  // Longer than the agent's own 5 minutes for a user to type the PIN: the agent times out first
  // and says so; this only catches a host that hangs.
  const timeoutMs = options.timeoutMs ?? 6 * 60 * 1000
  const idleMs = options.idleMs ?? 60 * 1000
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms))
  const clearTimer = options.clearTimer ?? ((handle) => clearTimeout(/** @type {number} */ (handle)))
  /** @type {NativePort | undefined} */
  let port
  /** @type {unknown} */
  let idleTimer
  let nextId = 1
  /** @type {Map<number, { resolve: (answer: HostAnswer) => void, timer: unknown }>} */
  const pending = new Map()

  function open() {
    const opened = options.connect(NATIVE_HOST_NAME)
    opened.onMessage.addListener((message) => onAnswer(message))
    opened.onDisconnect.addListener(() => {
      // Reading lastError is what marks it as handled; its text says why (host not found,
      // forbidden for this extension, host exited).
      const why = options.lastError()
      if (port !== opened) return
      port = undefined
      failAll('ERR_AGENT_UNREACHABLE', why === undefined ? {} : { detail: why })
    })
    return opened
  }

  /** @param {unknown} message */
  function onAnswer(message) {
    if (typeof message !== 'object' || message === null) return
    const id = /** @type {{ id?: unknown }} */ (message).id
    if (typeof id !== 'number') return
    const waiting = pending.get(id)
    if (!waiting) return
    pending.delete(id)
    clearTimer(waiting.timer)
    waiting.resolve(/** @type {HostAnswer} */ (message))
    scheduleIdleClose()
  }

  /** @param {'ERR_AGENT_UNREACHABLE' | 'ERR_TIMEOUT'} code @param {Record<string, unknown>} data */
  function failAll(code, data) {
    for (const [id, waiting] of pending) {
      pending.delete(id)
      clearTimer(waiting.timer)
      waiting.resolve(hostFailure(id, code, data))
    }
  }

  function scheduleIdleClose() {
    if (pending.size > 0 || port === undefined) return
    if (idleTimer !== undefined) clearTimer(idleTimer)
    idleTimer = setTimer(() => {
      idleTimer = undefined
      if (pending.size > 0 || port === undefined) return
      const closing = port
      port = undefined
      closing.disconnect()
    }, idleMs)
  }

  return {
    /**
     * Send one request to the host; resolves with its JSON-RPC answer (never rejects: a host that
     * is missing, exits or hangs becomes an error answer).
     *
     * @param {string} method
     * @param {Record<string, unknown>} params
     * @param {string} origin the web page's origin, as the browser reported it
     * @returns {Promise<HostAnswer>}
     */
    request(method, params, origin) {
      const id = nextId++
      if (idleTimer !== undefined) {
        clearTimer(idleTimer)
        idleTimer = undefined
      }
      return new Promise((resolve) => {
        const timer = setTimer(() => {
          if (!pending.delete(id)) return
          resolve(hostFailure(id, 'ERR_TIMEOUT', {}))
          scheduleIdleClose()
        }, timeoutMs)
        pending.set(id, { resolve, timer })
        try {
          port ??= open()
          port.postMessage({ jsonrpc: '2.0', id, method, params, origin })
        } catch (err) {
          // connectNative throws synchronously when the permission is missing; postMessage when
          // the port has just closed.
          port = undefined
          pending.delete(id)
          clearTimer(timer)
          resolve(hostFailure(id, 'ERR_AGENT_UNREACHABLE', { detail: String(/** @type {Error} */ (err)?.message ?? err) }))
        }
      })
    },
  }
}

/** @param {number} id @param {'ERR_AGENT_UNREACHABLE' | 'ERR_TIMEOUT'} code @param {Record<string, unknown>} data @returns {HostAnswer} */
function hostFailure(id, code, data) {
  if (code === 'ERR_TIMEOUT') return pageError(id, code, { reason: 'native-host-timeout', ...data }, 'the ehealth-agent native host did not answer in time')
  return pageError(id, code, { reason: 'native-host-unavailable', ...data })
}
