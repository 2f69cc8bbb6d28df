/**
 * libuv's threadpool at a lower priority than the event loop (native/thread-pool-priority.c says
 * why, and what it measured): the loop is the one thread the agent's throughput hangs on, and
 * the pool's signatures and file writes can use whatever it leaves. Linux only, for the daemon
 * (agent/main.ts); without the addon, or elsewhere, nothing changes.
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
  const n = Number.parseInt(value, 10) || 0
  if (n === 0) return 1
  return n < 0 || n > 1024 ? 1024 : n
}

/** Where the addon is, seen from this module in any of the package's layouts (native-addon.ts). */
export function findThreadPoolPriorityAddon(from: string = dirname(fileURLToPath(import.meta.url))): string | undefined {
  return findNativeAddon(ADDON_FILE, from, 2)
}

/**
 * Give each of the pool's `threads` threads the nice value {@link POOL_THREAD_NICE} (never a
 * higher priority than it has). Resolves with how many threads it lowered, or undefined when it
 * cannot here (not Linux, no addon). It holds every pool thread for a moment (up to 1 s if
 * `threads` is more than the pool has), so it is called once, at start.
 */
export async function lowerThreadPoolPriority(threads: number, from?: string): Promise<number | undefined> {
  if (process.platform !== 'linux') return undefined
  const addon = requireNativeAddon(findThreadPoolPriorityAddon(from))
  if (typeof addon?.lower !== 'function') return undefined
  return (addon.lower as (threads: number, nice: number) => Promise<number>)(threads, POOL_THREAD_NICE)
}
