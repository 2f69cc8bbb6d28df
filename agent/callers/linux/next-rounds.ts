/**
 * Lookups that must each see the system as it was after they were asked (a /proc table read
 * before a connection was accepted may not list it), shared by every lookup that arrives while
 * one runs: those wait for the next round, which starts when the current one ends and answers
 * them all, as a database's group commit shares one fsync. A burst of new connections (64 clients
 * connecting at once) then costs a few reads of /proc, not one per connection.
 */
export interface NextRounds<K, R> {
  /** The answer for `key` from a round that starts after this call. */
  ask(key: K): Promise<R>
}

/**
 * `round` answers a set of keys (a key it leaves out of its map gets `missing`); it is never run
 * twice at once. A round that throws answers every key of it with `missing`.
 */
export function createNextRounds<K, R>(round: (keys: ReadonlySet<K>) => Promise<ReadonlyMap<K, R>>, missing: R): NextRounds<K, R> {
  let waiting = new Map<K, ((value: R) => void)[]>()
  let running = false

  const start = (): void => {
    if (running || waiting.size === 0) return
    running = true
    const batch = waiting
    waiting = new Map()
    round(new Set(batch.keys()))
      .catch(() => new Map<K, R>())
      .then((answers) => {
        for (const [key, resolvers] of batch) {
          const answer = answers.has(key) ? answers.get(key)! : missing
          for (const resolve of resolvers) resolve(answer)
        }
        running = false
        start()
      })
  }

  return {
    ask(key) {
      return new Promise<R>((resolve) => {
        const list = waiting.get(key)
        if (list) list.push(resolve)
        else waiting.set(key, [resolve])
        // After this turn's other callers joined (connections accepted in one poll arrive in one turn).
        queueMicrotask(start)
      })
    },
  }
}
