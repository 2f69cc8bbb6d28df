/**
 * A fixed-size pool of PKCS#11 sessions. A session runs one cryptographic operation at a time
 * (PKCS#11 v2.40 §5.11: C_SignInit … C_Sign is one active operation per session; SoftHSM2 and the
 * eID middleware return CKR_OPERATION_ACTIVE otherwise), so each concurrent signature takes a
 * session of its own and the rest wait in FIFO order.
 *
 * Sessions are opened lazily up to `size` and kept open until `close`: closing the last session
 * of an application logs it out of the token (v2.40 §5.6, C_CloseSession), which would cost the
 * user a new PIN entry. A session is dropped only when its task failed in a way `isBroken` says
 * leaves the session unusable.
 *
 * Generic over the session type so it can be tested without a token.
 */

export interface SessionPoolOptions<T> {
  size: number
  open: () => T
  close: (session: T) => void
  /** Whether a task error means the session itself is gone (e.g. CKR_SESSION_HANDLE_INVALID). */
  isBroken?: (error: unknown) => boolean
  /** The error given to tasks that arrive or wait after `close`. */
  createClosedError: () => Error
}

export interface SessionPool<T> {
  /** Run `task` with a session of its own; the session goes back to the pool when it settles. */
  use<R>(task: (session: T) => Promise<R> | R): Promise<R>
  /**
   * Refuse new tasks, fail the waiting ones, wait for the running ones, run `lastTask` (e.g.
   * C_Logout) on a session while no other task runs, then close every session.
   */
  close(lastTask?: (session: T) => void): Promise<void>
  /** Sessions currently open. */
  readonly openCount: number
  /** Sessions currently running a task. */
  readonly busyCount: number
}

interface Waiter<T> {
  resolve: (session: T) => void
  reject: (error: unknown) => void
}

export function createSessionPool<T>(options: SessionPoolOptions<T>): SessionPool<T> {
  if (!Number.isInteger(options.size) || options.size < 1) throw new RangeError('session pool size must be a positive integer')
  const idle: T[] = []
  const waiters: Waiter<T>[] = []
  let openCount = 0
  let busyCount = 0
  let closed = false
  let closing: Promise<void> | undefined
  let drained: (() => void) | undefined

  function acquire(): Promise<T> {
    if (closed) return Promise.reject(options.createClosedError())
    const session = idle.pop()
    if (session !== undefined) return Promise.resolve(lease(session))
    if (openCount < options.size) {
      try {
        return Promise.resolve(lease(openOne()))
      } catch (error) {
        return Promise.reject(error)
      }
    }
    return new Promise<T>((resolve, reject) => waiters.push({ resolve, reject }))
  }

  function openOne(): T {
    const session = options.open()
    openCount++
    return session
  }

  function lease(session: T): T {
    busyCount++
    return session
  }

  function release(session: T, broken: boolean): void {
    busyCount--
    if (closed) {
      // Draining for close: keep healthy sessions for close's last task, which runs once all are back.
      if (broken) closeQuietly(session)
      else idle.push(session)
      if (busyCount === 0) drained?.()
      return
    }
    if (broken) {
      closeQuietly(session)
      // The broken session's place is free: open a fresh one for the next waiter, if any.
      const waiter = waiters.shift()
      if (waiter) {
        try {
          waiter.resolve(lease(openOne()))
        } catch (error) {
          waiter.reject(error)
        }
      }
      return
    }
    const waiter = waiters.shift()
    if (waiter) waiter.resolve(lease(session))
    else idle.push(session)
  }

  function closeQuietly(session: T): void {
    openCount--
    try {
      options.close(session)
    } catch {
      // Already gone (token removed, handle invalid): nothing left to release.
    }
  }

  return {
    async use<R>(task: (session: T) => Promise<R> | R): Promise<R> {
      const session = await acquire()
      let result: R
      try {
        result = await task(session)
      } catch (error) {
        release(session, options.isBroken?.(error) ?? false)
        throw error
      }
      release(session, false)
      return result
    },
    close(lastTask?: (session: T) => void): Promise<void> {
      if (closing) return closing
      closed = true
      for (const waiter of waiters.splice(0)) waiter.reject(options.createClosedError())
      const drain = busyCount > 0 ? new Promise<void>((resolve) => (drained = resolve)) : Promise.resolve()
      closing = drain.then(() => {
        const session = idle[0]
        if (lastTask && session !== undefined) {
          try {
            lastTask(session)
          } catch {
            // Best effort: the sessions are closed next anyway.
          }
        }
        for (const idleSession of idle.splice(0)) closeQuietly(idleSession)
      })
      return closing
    },
    get openCount() {
      return openCount
    },
    get busyCount() {
      return busyCount
    },
  }
}
