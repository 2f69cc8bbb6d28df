import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/**
 * V8's full garbage collection as a function, without starting node with `--expose-gc`: the flag
 * is set, a new context is asked for its `gc` (V8 installs it in contexts created while the flag
 * is on), and the flag is cleared again so no other context gets it. This is how
 * jestjs/jest's packages/jest-leak-detector obtains it. Undefined when the runtime does not give
 * one (the agent then keeps its memory as V8 leaves it).
 */
export function obtainFullCollection(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: unknown }).gc
  if (typeof exposed === 'function') return exposed as () => void
  try {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as unknown
    return typeof gc === 'function' ? (gc as () => void) : undefined
  } catch {
    return undefined
  } finally {
    setFlagsFromString('--no-expose-gc')
  }
}
