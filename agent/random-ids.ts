import { randomFillSync } from 'node:crypto'

/**
 * A source of fresh ids: 128 random bits as 32 hex digits (an NCName once prefixed, as the
 * WS-Security ids are). `randomBytes(16)` per id costs a call into OpenSSL's generator each time,
 * and a signature needs several ids; here the generator fills a pool of `poolBytes` at once and
 * each id takes the next 16 bytes of it. The ids are not secrets (they are written into the
 * envelope), only unpredictable and unique, which the pool keeps them.
 */
export function createRandomIds(poolBytes = 4096): () => string {
  if (!Number.isInteger(poolBytes) || poolBytes < 16 || poolBytes % 16 !== 0) throw new RangeError('poolBytes must be a positive multiple of 16')
  const pool = Buffer.alloc(poolBytes)
  let at = poolBytes
  return () => {
    if (at === poolBytes) {
      randomFillSync(pool)
      at = 0
    }
    const id = pool.toString('hex', at, at + 16)
    at += 16
    return id
  }
}
