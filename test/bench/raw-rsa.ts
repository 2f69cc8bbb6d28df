/** One core's RSA-2048 rate and the machine's, with the agent's key: what the bench's ratios are taken against. */
import { sign, type KeyObject } from 'node:crypto'
import { availableParallelism } from 'node:os'

/** Synchronous RSA-2048 signatures of a SignedInfo-sized input on this thread for 2 s: one core's rate. */
export function measureRawRsa(key: KeyObject): number {
  const data = Buffer.alloc(400, 7)
  for (let i = 0; i < 20; i++) sign('sha256', data, key)
  const t0 = performance.now()
  let n = 0
  while (performance.now() - t0 < 2000) {
    sign('sha256', data, key)
    n++
  }
  return n / ((performance.now() - t0) / 1000)
}

/**
 * RSA-2048 signatures of a SignedInfo-sized input through node:crypto's async form (libuv's
 * threadpool, as the agent signs), twice as many in flight as cores, for 2 s: the machine's
 * signing ceiling with every core on it.
 */
export async function measureRsaAllCores(key: KeyObject): Promise<number> {
  const data = Buffer.alloc(400, 7)
  const inFlight = 2 * availableParallelism()
  const one = () => new Promise<void>((resolve, reject) => sign('sha256', data, key, (err) => (err ? reject(err) : resolve())))
  await Promise.all(Array.from({ length: inFlight * 4 }, one)) // warm-up
  const t0 = performance.now()
  let n = 0
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() - t0 < 2000) {
        await one()
        n++
      }
    }),
  )
  return n / ((performance.now() - t0) / 1000)
}
