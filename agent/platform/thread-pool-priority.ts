/**
 * libuv's threadpool at a lower priority than the event loop, nice 5 and SCHED_BATCH
 * (native/thread-pool-priority.c says why, and what it measured): the loop is the one thread the
 * agent's throughput hangs on, and the pool's signatures and file writes can use whatever it
 * leaves. Linux only, for the daemon (agent/main.ts); without the addon, or elsewhere, nothing
 * changes.
 */
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { findNativeAddon, requireNativeAddon } from './native-addon.js'

/** The addon `npm run build` compiles from native/thread-pool-priority.c (NATIVE_ADDONS in installer/bundle-layout.ts). */
const ADDON_FILE = 'thread-pool-priority.node'

/**
 * The pool threads' nice value. The bench's 16-client rate rose 9.5% at 5 and 12% at 10 (4
 * alternated pairs each); 5 keeps the pool near its share beside other programs. With the
 * kernel's autogroups (on by default on Debian and Ubuntu) nice weighs threads against those of
 * the same session only.
 */
export const POOL_THREAD_NICE = 5

/**
 * How many threads libuv's pool has, from UV_THREADPOOL_SIZE as libuv reads it (src/threadpool.c,
 * init_threads): 4 when unset; else atoi() of it into an unsigned int, 0 (or no number) taken as
 * 1, and anything above 1024 (a negative number too, once unsigned) as 1024.
 */
export function libuvThreadPoolSize(value: string | undefined): number {
  if (value === undefined) return 4
  // atoi is (int)strtol: the leading number, clamped to a 64-bit long, then its low 32 bits.
  const digits = /^\s*([+-]?\d+)/.exec(value)?.[1]
  const long = digits === undefined ? 0n : BigInt(digits)
  const clamped = long > 2n ** 63n - 1n ? 2n ** 63n - 1n : long < -(2n ** 63n) ? -(2n ** 63n) : long
  const n = Number(BigInt.asIntN(32, clamped))
  if (n === 0) return 1
  return n < 0 || n > 1024 ? 1024 : n
}

/** Where the addon is, seen from this module in any of the package's layouts (native-addon.ts). */
export function findThreadPoolPriorityAddon(from: string = dirname(fileURLToPath(import.meta.url))): string | undefined {
  return findNativeAddon(ADDON_FILE, from, 2)
}

/**
 * Give each of the pool's `threads` threads the nice value {@link POOL_THREAD_NICE} (never a
 * higher priority than it has) and, from SCHED_OTHER, the SCHED_BATCH policy. Resolves with how many distinct threads are at it so far, or
 * undefined when it cannot here (not Linux, no addon). A round holds every pool thread for a
 * moment (at most 1 s, when a thread is busy or `threads` is more than the pool has), so it runs
 * at start; a thread missed because it was busy is tried again by {@link retryMissedThreads}.
 */
export async function lowerThreadPoolPriority(threads: number): Promise<number | undefined> {
  if (process.platform !== 'linux') return undefined
  const addon = requireNativeAddon(findThreadPoolPriorityAddon())
  if (typeof addon?.lower !== 'function') return undefined
  return (addon.lower as (threads: number, nice: number) => Promise<number>)(threads, POOL_THREAD_NICE)
}

/** Rounds tried again after the first while a thread was missed, and how far apart. */
const RETRIES = 3
const RETRY_DELAY_MS = 2000

/**
 * Lower the pool at start, and while a thread was missed (busy with other work during the round)
 * try again, at most {@link RETRIES} more times, on timers that do not keep the process alive.
 * Resolves with the first round's count, so start-up waits for one round only.
 */
export async function lowerThreadPoolPriorityAtStart(threads: number): Promise<number | undefined> {
  const first = await lowerThreadPoolPriority(threads).catch(() => undefined)
  if (first !== undefined && first < threads) retryMissedThreads(threads, RETRIES)
  return first
}

function retryMissedThreads(threads: number, retries: number): void {
  if (retries <= 0) return
  setTimeout(() => {
    void lowerThreadPoolPriority(threads)
      .catch(() => undefined)
      .then((lowered) => {
        if (lowered !== undefined && lowered < threads) retryMissedThreads(threads, retries - 1)
      })
  }, RETRY_DELAY_MS).unref()
}
